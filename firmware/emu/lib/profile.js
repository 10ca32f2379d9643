// Where the cycles go (`--profile`): every core's cycles of each scheduling step charged to the
// function its PC was in as the step began (the image's ELF symbols), summed per role and core. A
// step is 64 cycles, so a job of a few million cycles gives tens of thousands of samples per core:
// enough to say what the controller's transfers, a secondary's I2C interrupt or its tile encoding
// cost (docs/model.md takes its figures from here).

// The image's function symbols, sorted by address: [{ addr, end, name }].
export function loadFunctionSymbols(elf) {
  if (elf.length < 52 || elf.readUInt32BE(0) !== 0x7f454c46) return [];
  const shoff = elf.readUInt32LE(32);
  const shentsize = elf.readUInt16LE(46);
  const shnum = elf.readUInt16LE(48);
  const section = (i) => {
    const h = shoff + i * shentsize;
    return { type: elf.readUInt32LE(h + 4), offset: elf.readUInt32LE(h + 16), size: elf.readUInt32LE(h + 20), link: elf.readUInt32LE(h + 24) };
  };
  const out = [];
  for (let i = 0; i < shnum; ++i) {
    const s = section(i);
    if (s.type !== 2) continue; // SHT_SYMTAB
    const strtab = section(s.link);
    for (let o = s.offset; o + 16 <= s.offset + s.size; o += 16) {
      const size = elf.readUInt32LE(o + 8);
      if ((elf[o + 12] & 0xf) !== 2 || size === 0) continue; // STT_FUNC with a size
      const addr = elf.readUInt32LE(o + 4) & ~1;
      const n = strtab.offset + elf.readUInt32LE(o);
      const name = elf.toString('latin1', n, elf.indexOf(0, n));
      out.push({ addr, end: addr + size, name });
    }
  }
  return out.sort((a, b) => a.addr - b.addr);
}

export class Profile {
  constructor(symbols) {
    this.symbols = symbols;
    this.groups = new Map(); // "controller core 0" -> Map(function -> cycles)
  }

  nameOf(pc) {
    const s = this.symbols;
    let lo = 0;
    let hi = s.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid].addr <= pc) lo = mid + 1;
      else hi = mid - 1;
    }
    if (hi >= 0 && pc < s[hi].end) return s[hi].name;
    return pc < 0x4000 ? '(boot ROM)' : '(unknown)';
  }

  charge(board, core, pc, waiting, cycles) {
    if (cycles <= 0) return;
    const key = `${board.controller ? 'controller' : 'secondaries'} core ${core}`;
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = new Map()));
    const name = waiting ? '(asleep: WFE/WFI)' : this.nameOf(pc);
    g.set(name, (g.get(name) ?? 0) + cycles);
  }

  reset() {
    this.groups.clear();
  }

  // Lines for the log: per group, its total and the functions over 0.5 % of it.
  report(hz) {
    const lines = [];
    for (const [key, g] of [...this.groups].sort()) {
      const total = [...g.values()].reduce((a, b) => a + b, 0);
      lines.push(`profile: ${key}: ${(total / hz * 1e3).toFixed(3)} ms`);
      for (const [name, c] of [...g].sort((a, b) => b[1] - a[1])) {
        if (c < total * 0.005) break;
        lines.push(`profile:   ${(c / hz * 1e3).toFixed(3).padStart(9)} ms ${((100 * c) / total).toFixed(1).padStart(5)} %  ${name}`);
      }
    }
    return lines;
  }
}
