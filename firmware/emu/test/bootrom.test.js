// The emulator's own boot ROM (bootrom/bootrom.S) on rp2040js's core, without any firmware image:
// the header (magic, version, table pointers), every function table entry the SDK looks up, and
// the memory and bit helpers against plain JavaScript over seeded random inputs.
//
//   node test/bootrom.test.js BOOTROM.bin
import { readFileSync } from 'node:fs';
import { RP2040 } from 'rp2040js';

const file = process.argv[2];
if (!file) {
  console.error('usage: node test/bootrom.test.js BOOTROM.bin');
  process.exit(2);
}
const bytes = readFileSync(file);
const words = new Uint32Array(Math.ceil(bytes.length / 4));
new Uint8Array(words.buffer).set(bytes);
const mcu = new RP2040();
mcu.logger = { debug() {}, info() {}, warn() {}, error() {} };
mcu.loadBootrom(words);
const core = mcu.core;
const traps = [];
mcu.onBreak = (code) => traps.push(code);

let failures = 0;
function check(ok, what) {
  if (!ok) {
    failures++;
    console.error(`FAILED: ${what}`);
  }
}

const u8 = (a) => mcu.readUint8(a);
const u16 = (a) => mcu.readUint16(a);
const code = (s) => s.charCodeAt(0) | (s.charCodeAt(1) << 8);
const RETURN = 0x20040000;

function call(addr, args) {
  for (let i = 0; i < 4; ++i) core.registers[i] = args[i] ?? 0;
  core.SP = 0x20042000;
  core.LR = RETURN | 1;
  core.PC = addr & ~1;
  for (let n = 0; core.PC !== RETURN; ++n) {
    core.executeInstruction();
    if (n > 1e6) throw new Error(`0x${addr.toString(16)} did not return`);
  }
  return core.registers[0] >>> 0;
}

// 1. The header (datasheet 2.8.2 and 2.8.3).
check(u8(0x10) === 0x4d && u8(0x11) === 0x75 && u8(0x12) === 0x01, "magic 'M' 'u' 1 at 0x10");
check(u8(0x13) === 3, 'version 3 at 0x13');
const lookup = u16(0x18);
const funcTable = u16(0x14);
const dataTable = u16(0x16);
const find = (table, name) => call(lookup, [table, code(name)]);

// 2. Every function and data entry the SDK asks for is there; an unknown code gives 0.
const fn = {};
for (const name of ['P3', 'R3', 'L3', 'T3', 'MS', 'S4', 'MC', 'C4', 'IF', 'EX', 'RE', 'RP', 'FC', 'CX', 'UB']) {
  fn[name] = find(funcTable, name);
  check(fn[name] !== 0 && (fn[name] & 1) === 1, `function ${name} found, as a Thumb address`);
}
for (const name of ['SF', 'SD', 'CR']) check(find(dataTable, name) !== 0, `data ${name} found`);
check(find(funcTable, 'ZZ') === 0, 'an unknown code looks up as 0');
check(u8(find(dataTable, 'SF') - 2) * 4 >= 0x80, 'the float table is at least SF_TABLE_V2_SIZE');

// 3. The helpers against JavaScript, over a fixed pseudo-random sequence.
let seed = 12345;
const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
const popcount = (x) => x.toString(2).replace(/0/g, '').length;
const clz = (x) => Math.clz32(x);
const ctz = (x) => (x === 0 ? 32 : 31 - Math.clz32(x & -x));
const reverse = (x) => parseInt(x.toString(2).padStart(32, '0').split('').reverse().join(''), 2) >>> 0;
for (let i = 0; i < 200; ++i) {
  const x = i < 3 ? [0, 1, 0xffffffff][i] : rand() >>> (rand() & 31);
  check(call(fn.P3, [x]) === popcount(x), `popcount32(0x${x.toString(16)})`);
  check(call(fn.L3, [x]) === clz(x), `clz32(0x${x.toString(16)})`);
  check(call(fn.T3, [x]) === ctz(x), `ctz32(0x${x.toString(16)})`);
  check(call(fn.R3, [x]) === reverse(x), `reverse32(0x${x.toString(16)})`);
}
const SRC = 0x20010000;
const DST = 0x20020000;
for (let i = 0; i < 60; ++i) {
  const n = rand() % 70;
  const so = rand() & 3;
  const dofs = rand() & 3;
  for (let k = 0; k < 80; ++k) {
    mcu.writeUint8(SRC + k, rand() & 0xff);
    mcu.writeUint8(DST + k, 0xaa);
  }
  const r = call(fn.MC, [DST + dofs, SRC + so, n]);
  let same = r === DST + dofs;
  for (let k = 0; k < 80; ++k) {
    const want = k >= dofs && k < dofs + n ? u8(SRC + so + k - dofs) : 0xaa;
    if (u8(DST + k) !== want) same = false;
  }
  check(same, `memcpy of ${n} bytes (offsets ${so}, ${dofs})`);
  const c = rand() & 0xff;
  call(fn.MS, [DST + dofs, c, n]);
  let set = true;
  for (let k = dofs; k < dofs + n; ++k) if (u8(DST + k) !== c) set = false;
  if (u8(DST + dofs + n) !== 0xaa) set = false; // and not one byte more
  check(set, `memset of ${n} bytes to 0x${c.toString(16)}`);
}

// 4. The hardware entries trap to the emulator with their codes (firmware/emu/lib/board.js).
call(fn.RE, [0, 4096, 4096, 0x20]);
call(fn.RP, [0, SRC, 256]);
check(traps.join(',') === '16,17', `flash erase and program trap with 0x10, 0x11 (got ${traps.join(',')})`);

if (failures) {
  console.error(`bootrom: ${failures} checks failed`);
  process.exit(1);
}
console.log('bootrom: header, tables, helpers and traps all as the datasheet says');
