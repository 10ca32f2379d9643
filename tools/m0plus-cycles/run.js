// Runs the harness image (build.sh) on rp2040js's Cortex-M0+ core: checks the emulator's cycle
// model, measures cycles per iteration of every kernel, and holds every Cortex-M0+ kernel to the
// host's portable reference counts. Prints a Markdown table on stdout; notes go to stderr.
//
//   node run.js <build_dir> [--check]
//
// --check also fails when a kernel misses its target against the soft-double loop.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RP2040 } from 'rp2040js';

const args = process.argv.slice(2);
const buildDir = args.find((a) => !a.startsWith('--'));
const check = args.includes('--check');
if (!buildDir) {
  console.error('usage: node run.js <build_dir> [--check]');
  process.exit(2);
}

const SRAM_BASE = 0x20000000;
const STACK_TOP = 0x20042000; // the end of the RP2040's 264 KiB of SRAM
const RETURN = 0x20041000; // a return address nothing executes: the call is over when PC gets here
const DATA = 0x20020000; // inputs and outputs, above the image (link.ld caps it at 128 KiB)
const DATA_END = 0x20040000;

// The image and its symbols.
const image = readFileSync(join(buildDir, 'harness.bin'));
if (image.length > DATA - SRAM_BASE) throw new Error('harness image overlaps the data area');
const symbols = new Map();
const sizes = new Map();
for (const line of readFileSync(join(buildDir, 'harness.sym'), 'utf8').split('\n')) {
  const m = line.match(/^([0-9a-f]{8}) (?:([0-9a-f]{8}) )?[Tt] (\S+)$/);
  if (m) {
    symbols.set(m[3], parseInt(m[1], 16));
    if (m[2]) sizes.set(m[3], parseInt(m[2], 16));
  }
}
const symbol = (name) => {
  const a = symbols.get(name);
  if (a === undefined) throw new Error(`symbol ${name} missing from the harness image`);
  return a;
};

const mcu = new RP2040();
mcu.sram.set(image, 0);
const core = mcu.core;
mcu.onBreak = (code) => {
  throw new Error(`breakpoint ${code} at 0x${core.PC.toString(16)}`);
};

// Calls the function at addr with r0-r3 = args; returns r0 and the cycles from the first
// instruction to the return (the caller's BL is not counted), and of those the cycles spent with
// the PC in [inside[0], inside[1]) when inside is given.
function call(addr, regs, maxCycles = 4e9, inside = null) {
  for (let i = 0; i < 4; ++i) core.registers[i] = regs[i] ?? 0;
  core.SP = STACK_TOP;
  core.LR = RETURN | 1;
  core.PC = addr & ~1;
  const start = core.cycles;
  const limit = start + maxCycles;
  let within = 0;
  while (core.PC !== RETURN) {
    const pc = core.PC, before = core.cycles;
    core.executeInstruction();
    if (inside && pc >= inside[0] && pc < inside[1]) within += core.cycles - before;
    if (core.cycles > limit) throw new Error(`call to 0x${addr.toString(16)} did not return`);
  }
  return { r0: core.registers[0] >>> 0, r1: core.registers[1] >>> 0, cycles: core.cycles - start, within };
}

const view = mcu.sramView;
const putWords = (addr, words) => words.forEach((w, i) => view.setUint32(addr - SRAM_BASE + 4 * i, w >>> 0, true));

// 1. The cycle model, against the Cortex-M0+ TRM (RP2040: single-cycle multiplier, zero-wait SRAM).
const probes = [
  ['probe_adds', 'ADDS', 1],
  ['probe_muls', 'MULS', 1],
  ['probe_ldr', 'LDR', 2],
  ['probe_str', 'STR', 2],
  ['probe_ldm4', 'LDM of 4 + SUBS', 6],
  ['probe_b', 'B', 2],
  ['probe_beq_taken', 'B<cond> taken', 2],
  ['probe_bne_not_taken', 'B<cond> not taken', 1],
  ['probe_bl_bx', 'BL + BX LR', 5],
  ['probe_push_pop4', 'PUSH + POP of 4', 10],
  ['probe_push_lr', 'PUSH {r4,lr} + POP {r4,r5}', 6],
];
const empty = call(symbol('probe_empty'), [0, 0]).cycles;
const timing = [];
const timingOff = [];
for (const [name, what, trm] of probes) {
  const measured = (call(symbol(name), [3, 5]).cycles - empty) / 8;
  timing.push({ what, trm, measured });
  if (measured !== trm) timingOff.push(`${what}: ${measured} (TRM ${trm})`);
}
// rp2040js counts PUSH {.., lr} one cycle short; the kernels' prologues are outside the loop.
const knownOff = ['PUSH {r4,lr} + POP {r4,r5}'];
const unexpected = timingOff.filter((t) => !knownOff.some((k) => t.startsWith(k)));
if (unexpected.length) {
  console.error(`FAIL: the emulator's cycle model differs from the Cortex-M0+ TRM: ${unexpected.join('; ')}`);
  process.exit(1);
}

// 2. Cycles per iteration over the benchmark points.
const points = JSON.parse(readFileSync(join(buildDir, 'points.json'), 'utf8'));
// work: the entry point reports the iterations run in r1 (fewer than the count when the 32-bit
// kernel proves a cycle); cycles per iteration are per iteration run.
const kernels = [
  { p: 32, kind: 'portable', fn: 'h_escape32_portable', limbs: 1 },
  { p: 32, kind: 'm0plus', fn: 'h_escape32', limbs: 1, work: 'work' },
  { p: 32, kind: 'plain loop', fn: 'h_escape32_plain', limbs: 1, work: 'expect' },
  { p: 32, kind: 'checked loop', fn: 'h_escape32_checked', limbs: 1, work: 'work_checked' },
  { p: 64, kind: 'portable', fn: 'h_escape64_limbs', limbs: 2 },
  { p: 64, kind: 'm0plus', fn: 'h_escape64', limbs: 2, work: 'expect' },
  { p: 128, kind: 'portable', fn: 'h_escape128_limbs', limbs: 4 },
  { p: 128, kind: 'm0plus', fn: 'h_escape128', limbs: 4, work: 'expect' },
];
let failures = 0;
const fail = (msg) => {
  console.error(`FAIL: ${msg}`);
  ++failures;
};

function bench(k) {
  let cycles = 0, iterations = 0;
  for (const b of points.bench) {
    const pt = b[`p${k.p}`];
    putWords(DATA, pt.x.slice(0, k.limbs));
    putWords(DATA + 16, pt.y.slice(0, k.limbs));
    const r = call(symbol(k.fn), [DATA, DATA + 16, b.max_iter]);
    if (r.r0 !== pt.expect)
      fail(`${k.fn}(${b.x}, ${b.y}, ${b.max_iter}) = ${r.r0}, host reference ${pt.expect}`);
    cycles += r.cycles;
    iterations += k.work ? r.r1 : r.r0;
  }
  return { cycles, iterations, perIter: cycles / iterations };
}

function benchDouble() {
  let cycles = 0, iterations = 0;
  for (const b of points.bench) {
    view.setFloat64(DATA - SRAM_BASE, b.dx, true);
    view.setFloat64(DATA - SRAM_BASE + 8, b.dy, true);
    const r = call(symbol('h_escape_double'), [DATA, DATA + 8, b.max_iter]);
    cycles += r.cycles;
    iterations += r.r0;
  }
  return { cycles, iterations, perIter: cycles / iterations };
}

const t0 = Date.now();
const soft = benchDouble();
const results = new Map();
for (const k of kernels) results.set(`${k.p}/${k.kind}`, bench(k));

// The rest of a pixel: a 32x32 tile computed row by row as the board does, and of its cycles those
// outside the kernel (coordinates, the loop over pixels, the call), per pixel. This is
// sim::Model's cycles_per_pixel, without the tile encoding. It leaves out that a pixel's last,
// partial iteration costs less than a whole one, so it is an upper bound.
const perPixel = new Map();
// The board's kernels, picocray::escape32 and so on, whatever their parameters mangle to.
const mangled = (p) => {
  const prefix = `_ZN8picocray${String(p).length + 13}escape${p}_m0plusE`;
  const names = [...symbols.keys()].filter((n) => n.startsWith(prefix));
  if (names.length !== 1) throw new Error(`expected one ${prefix}* in the harness image, found ${names.length}`);
  return names[0];
};
const kernelSymbol = { 32: mangled(32), 64: mangled(64), 128: mangled(128) };
for (const p of [32, 64, 128]) {
  const pixels = 32 * 32;
  const k = kernelSymbol[p];
  const from = symbol(k) & ~1;
  if (!sizes.get(k)) throw new Error(`no size for ${k} in the harness image`);
  const r = call(symbol('h_tile'), [p, 64, DATA], 4e9, [from, from + sizes.get(k)]);
  perPixel.set(p, { iterations: r.r0, perPixel: (r.cycles - r.within) / pixels });
}

// The tile encoding, as a secondary runs it on every tile it finishes: 16 tiles of the overview
// (640x480, 256 iterations, 32-bit: the bench's overview scene), evenly spaced in row-major order,
// each encoded in codec 1 and in codec 2 (tile_codec.h), and the CRC-32 that seals each block.
// sim::Model's encode_cycles_per_pixel and crc_cycles_per_byte.
const encodeTiles = 16;
const encoding = new Map([[1, { cycles: 0, bytes: 0 }], [2, { cycles: 0, bytes: 0 }]]);
let crcCycles = 0, crcBytes = 0;
{
  const counts = DATA, out = DATA + 2 * 1024, cap = 3 * 1024;
  for (let i = 0; i < encodeTiles; ++i) {
    const index = Math.floor((i + 0.5) * 300 / encodeTiles);
    call(symbol('h_tile_at'), [32, 256, counts, (index % 20) * 32 | (Math.floor(index / 20) * 32) << 16]);
    for (const codec of [1, 2]) {
      const r = call(symbol('h_encode'), [codec, counts, out, cap]);
      if (r.r0 === 0) throw new Error(`codec ${codec}: tile ${index} did not fit ${cap} bytes`);
      encoding.get(codec).cycles += r.cycles;
      encoding.get(codec).bytes += r.r0;
      const c = call(symbol('h_crc32'), [out, r.r0 + 20]);  // the block's header and payload
      crcCycles += c.cycles;
      crcBytes += r.r0 + 20;
    }
  }
}
const encodePixels = encodeTiles * 32 * 32;

// 3. Exactness: every Cortex-M0+ kernel (and the portable ones, on fewer points) on the seeded
// check points, count for count against the host, and the work the kernel reports against the
// host's (the simulator's timing model takes the host's).
const batch = symbol('h_batch');
function runBatch(k, set, limit) {
  const stride = 2 * k.limbs + 1;
  const total = Math.min(set.expect.length, limit);
  const perChunk = Math.floor((DATA_END - DATA - 64) / (4 * stride + 8));
  let wrong = 0, iterations = 0;
  for (let first = 0; first < total; first += perChunk) {
    const n = Math.min(perChunk, total - first);
    const pts = DATA + 64;
    const out = pts + 4 * stride * n;
    const works = out + 4 * Math.ceil(n / 2);
    putWords(pts, set.points.slice(first * stride, (first + n) * stride));
    putWords(DATA, [symbol(k.fn) | 1, k.limbs, n, pts, out, works]);
    call(batch, [DATA]);
    for (let i = 0; i < n; ++i) {
      const got = view.getUint16(out - SRAM_BASE + 2 * i, true);
      const want = set.expect[first + i];
      const gotWork = view.getUint32(works - SRAM_BASE + 4 * i, true);
      const wantWork = k.work ? set[k.work][first + i] : gotWork;
      iterations += k.work ? gotWork : got;
      if ((got !== want || gotWork !== wantWork) && ++wrong <= 10) {
        const p = set.points.slice((first + i) * stride, (first + i + 1) * stride);
        const hex = (ws) => ws.map((w) => (w >>> 0).toString(16).padStart(8, '0')).reverse().join('_');
        fail(`${k.fn} point ${first + i}: cx ${hex(p.slice(0, k.limbs))} cy ` +
             `${hex(p.slice(k.limbs, 2 * k.limbs))} max_iter ${p[2 * k.limbs]}: ` +
             `got ${got} (work ${gotWork}), host reference ${want} (work ${wantWork})`);
      }
    }
  }
  if (wrong > 10) fail(`${k.fn}: ${wrong - 10} more points differ`);
  return { total, wrong, iterations };
}
const checked = [];
for (const k of kernels) {
  const set = points.check[`p${k.p}`];
  // The portable kernels on the board are the reference source itself; a sample keeps the run short.
  const limit = k.kind === 'portable' ? 300 : Infinity;
  const c0 = core.cycles, t = Date.now();
  const r = runBatch(k, set, limit);
  checked.push(`${k.fn} ${r.total - r.wrong}/${r.total}`);
  console.error(`  ${k.fn}: ${r.iterations} iterations, ${((core.cycles - c0) / 1e6).toFixed(1)} Mcycles, ${((Date.now() - t) / 1000).toFixed(1)} s`);
}
// max_iter 0 where the point never escapes: 65536 iterations (the 32- and 64-bit kernels only; the
// 128-bit one shares their counter code, and would take 74 million cycles).
for (const k of kernels.filter((k) => (k.kind === 'm0plus' || k.kind === 'plain loop') && k.limbs <= 2)) {
  putWords(DATA, [0, 0, 0, 0, 0, 0, 0, 0]);
  const r = call(symbol(k.fn), [DATA, DATA + 16, 0]);
  const want = points.wrap[`p${k.p}`];
  if (r.r0 !== want) fail(`${k.fn}(0, 0, max_iter 0) = ${r.r0}, host reference ${want}`);
  else checked.push(`${k.fn} at max_iter 0`);
}
const seconds = ((Date.now() - t0) / 1000).toFixed(1);

// 4. The report.
const fmt = (x) => x.toFixed(1);
const ratio = (x) => `${(soft.perIter / x).toFixed(1)}x fewer`;
const lines = [
  '| precision | cycles/iteration, portable C | cycles/iteration, Cortex-M0+ kernel | Cortex-M0+ kernel vs soft double |',
  '|---|---:|---:|---:|',
];
for (const p of [32, 64, 128]) {
  const port = results.get(`${p}/portable`), fast = results.get(`${p}/${p === 32 ? 'plain loop' : 'm0plus'}`);
  lines.push(`| ${p}-bit fixed | ${fmt(port.perIter)} | ${fmt(fast.perIter)} | ${ratio(fast.perIter)} |`);
}
const checkedLoop = results.get('32/checked loop');
lines.push(`| 32-bit fixed, checking for cycles | | ${fmt(checkedLoop.perIter)} | ${ratio(checkedLoop.perIter)} |`);
lines.push(`| soft double (libgcc) | ${fmt(soft.perIter)} | | 1.0x |`);
lines.push('', '| precision | cycles/pixel besides iterations (compute_tile_rows) |', '|---|---:|');
for (const p of [32, 64, 128]) lines.push(`| ${p}-bit fixed | ${perPixel.get(p).perPixel.toFixed(0)} |`);
lines.push('', `| tile codec (${encodeTiles} overview tiles, 32x32) | payload bytes/pixel | encode cycles/pixel |`, '|---|---:|---:|');
for (const [codec, e] of encoding)
  lines.push(`| ${codec} | ${(e.bytes / encodePixels).toFixed(4)} | ${(e.cycles / encodePixels).toFixed(1)} |`);
lines.push(`| CRC-32 of the block | | ${(crcCycles / crcBytes).toFixed(1)} cycles/byte |`);
console.log(lines.join('\n'));
console.error(`\nrp2040js cycle model vs Cortex-M0+ TRM (cycles per instruction or pair):`);
for (const t of timing) console.error(`  ${t.what.padEnd(28)} ${String(t.measured).padStart(5)}  (TRM ${t.trm})`);
console.error(`benchmark: ${points.bench.length} points, ${results.get('32/m0plus').iterations} iterations ` +
              `at 32-bit; soft double ${soft.iterations} iterations`);
console.error(`exactness: ${checked.join(', ')} (${seconds} s emulated)`);

if (check) {
  const plain32 = results.get('32/plain loop').perIter;
  if (plain32 > 62) fail(`32-bit kernel: ${fmt(plain32)} cycles/iteration, above the target of 62`);
  for (const p of [32, 64, 128])
    if (perPixel.get(p).perPixel > 300)
      fail(`${p}-bit: ${perPixel.get(p).perPixel.toFixed(0)} cycles per pixel outside the kernel, above 300`);
  if (encoding.get(2).bytes >= encoding.get(1).bytes)
    fail(`codec 2 wrote ${encoding.get(2).bytes} bytes, not fewer than codec 1's ${encoding.get(1).bytes}`);
  const targets = [[32, 8], [64, 2]];
  for (const [p, times] of targets) {
    const fast = results.get(`${p}/${p === 32 ? 'plain loop' : 'm0plus'}`).perIter;
    if (soft.perIter / fast < times)
      fail(`${p}-bit kernel: ${fmt(fast)} cycles/iteration, not ${times}x fewer than soft double ` +
           `(${fmt(soft.perIter)})`);
  }
}
if (failures) {
  console.error(`FAIL: ${failures} failure(s)`);
  process.exit(1);
}
