// The loadable segments of an ELF32 image that land in flash (0x10000000..), as one flash image.
import { readFileSync } from 'node:fs';

const FLASH_BASE = 0x10000000;
const FLASH_SIZE = 16 * 1024 * 1024;

export function loadFlashImage(path) {
  const data = readFileSync(path);
  if (data.length >= 4 && data.readUInt32BE(0) === 0x7f454c46) return fromElf(data, path);
  return new Uint8Array(data); // a raw .bin, as written for 0x10000000
}

function fromElf(elf, path) {
  if (elf[4] !== 1 || elf[5] !== 1) throw new Error(`${path}: not a 32-bit little-endian ELF`);
  const phoff = elf.readUInt32LE(28);
  const phentsize = elf.readUInt16LE(42);
  const phnum = elf.readUInt16LE(44);
  const image = new Uint8Array(FLASH_SIZE).fill(0xff);
  let end = 0;
  for (let i = 0; i < phnum; ++i) {
    const ph = phoff + i * phentsize;
    const type = elf.readUInt32LE(ph);
    const offset = elf.readUInt32LE(ph + 4);
    const paddr = elf.readUInt32LE(ph + 12);
    const filesz = elf.readUInt32LE(ph + 16);
    if (type !== 1 || filesz === 0) continue; // PT_LOAD with bytes in the file
    if (paddr < FLASH_BASE || paddr + filesz > FLASH_BASE + FLASH_SIZE) continue; // RAM-only
    image.set(elf.subarray(offset, offset + filesz), paddr - FLASH_BASE);
    end = Math.max(end, paddr - FLASH_BASE + filesz);
  }
  if (end === 0) throw new Error(`${path}: no segment loads into flash`);
  return image.subarray(0, end);
}
