#!/usr/bin/env node
// The PicoCray board image on a cluster of emulated RP2040s, its controller's USB CDC served as a
// raw byte stream on TCP (what `picocray --port emu:N` and `picocray emu` start). docs/emulator.md.
//
//   node main.js --firmware picocray.elf [--secondaries N] [--listen HOST:PORT] [--bootrom FILE]
//                [--seed S] [--quantum CYCLES] [--verbose] [--once] [--watchdog-fault K] [--profile]
//                [--trace FILE] [--display]
//
// Boots the cluster until the controller's USB CDC has enumerated and every secondary has taken
// an address, then prints "listening HOST:PORT" on stdout (PORT 0 picks a free one); everything
// else goes to stderr. One client at a time; a controller reboot drops it. --once: exit when the
// first client has gone (what `--port emu:N` uses). --watchdog-fault K: once the cluster is
// ready, secondary K (1 to N) locks up and its watchdog reboots it; the emulator listens once it
// has claimed an address again. --profile: at the end of each connection, where every core's
// cycles went, by function (lib/profile.js). --display: the controller has its LCD, a virtual
// ILI9341 (lib/panel.js; its touch panel is never pressed).
//
// Lines on stdin are USB requests from the host to the controller (what picocray sends on emu
// ports; lib/usb_host.js): "usb line-coding BAUD", "usb reset-interface bootsel".
import { execFileSync } from 'node:child_process';
import { existsSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cluster } from './lib/cluster.js';
import { loadFlashImage } from './lib/elf.js';
import { Profile, loadFunctionSymbols } from './lib/profile.js';
import { resetInterfaceBootsel, setLineCoding } from './lib/usb_host.js';

const here = dirname(fileURLToPath(import.meta.url));
const log = (msg) => process.stderr.write(`emu: ${msg}\n`);
const fail = (msg, code = 2) => {
  log(msg);
  process.exit(code);
};

function parseArgs(argv) {
  const opt = { secondaries: 2, listen: '127.0.0.1:0', seed: 1, quantum: 64, verbose: false, once: false };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--firmware') opt.firmware = value();
    else if (a === '--secondaries') opt.secondaries = Number(value());
    else if (a === '--listen') opt.listen = value();
    else if (a === '--bootrom') opt.bootrom = value();
    else if (a === '--seed') opt.seed = Number(value());
    else if (a === '--quantum') opt.quantum = Number(value());
    else if (a === '--verbose') opt.verbose = true;
    else if (a === '--display') opt.display = true;
    else if (a === '--once') opt.once = true;
    else if (a === '--profile') opt.profile = true;
    else if (a === '--trace') opt.trace = value();
    else if (a === '--watchdog-fault') opt.watchdogFault = Number(value());
    else
      fail(
        `unknown option '${a}' (allowed: --firmware --secondaries --listen --bootrom --seed --quantum --verbose --once --watchdog-fault --profile --trace --display)`,
      );
  }
  if (!opt.firmware) fail('--firmware PATH is required (build/firmware-pico/picocray.elf from scripts/firmware.sh)');
  if (!Number.isInteger(opt.secondaries) || opt.secondaries < 1 || opt.secondaries > 8)
    fail(`--secondaries ${opt.secondaries}: allowed 1 to 8`);
  const k = opt.watchdogFault;
  if (k !== undefined && !(Number.isInteger(k) && k >= 1 && k <= opt.secondaries))
    fail(`--watchdog-fault ${opt.watchdogFault}: allowed 1 to ${opt.secondaries} (a secondary)`);
  if (!Number.isInteger(opt.quantum) || opt.quantum < 1 || opt.quantum > 10000)
    fail(`--quantum ${opt.quantum}: allowed 1 to 10000 cycles`);
  const m = opt.listen.match(/^(.+):(\d+)$/);
  if (!m) fail(`--listen '${opt.listen}' must be HOST:PORT`);
  opt.host = m[1];
  opt.port = Number(m[2]);
  return opt;
}

// The boot ROM: a given file, else built from bootrom/bootrom.S into EMU_BUILD_DIR (or build/).
function bootromWords(path) {
  let file = path;
  if (!file) {
    const out = process.env.EMU_BUILD_DIR ?? join(here, 'build');
    file = join(out, 'bootrom.bin');
    const src = join(here, 'bootrom', 'bootrom.S');
    const stale = !existsSync(file) || statSync(file).mtimeMs < statSync(src).mtimeMs;
    if (stale) {
      try {
        execFileSync('bash', [join(here, 'bootrom', 'build.sh'), out], { stdio: ['ignore', 'ignore', 'inherit'] });
      } catch {
        fail('could not build the boot ROM (needs arm-none-eabi-gcc: the gcc-arm-none-eabi package)', 3);
      }
    }
  }
  const bytes = readFileSync(file);
  const words = new Uint32Array(Math.ceil(bytes.length / 4));
  new Uint8Array(words.buffer).set(bytes);
  return words;
}

const opt = parseArgs(process.argv.slice(2));
let image;
try {
  image = loadFlashImage(opt.firmware);
} catch (e) {
  fail(`--firmware ${opt.firmware}: ${e.message}`, 3);
}
// --trace FILE: a line per I2C transfer (start ns, address, read/write, bytes, ns, ns stretched)
// and per change of a board's drive of the attention line.
function traceTo(path) {
  const fd = openSync(path, 'w');
  return (line) => writeSync(fd, `${line}\n`);
}
const profile = opt.profile ? new Profile(loadFunctionSymbols(readFileSync(opt.firmware))) : undefined;
const cluster = new Cluster({
  secondaries: opt.secondaries,
  image,
  bootrom: bootromWords(opt.bootrom),
  seed: opt.seed,
  quantum: opt.quantum,
  log,
  verbose: opt.verbose,
  display: opt.display,
  profile,
  trace: opt.trace ? traceTo(opt.trace) : undefined,
});

// ----- the host link: the controller's CDC <-> one TCP client -----
let client = null;
let toDevice = []; // host bytes not yet taken by the CDC
let session = null;

function attachCdc(board) {
  const cdc = board.cdc;
  cdc.onSerialData = (buf) => {
    if (client) client.write(Buffer.from(buf));
  };
}
attachCdc(cluster.controller);
cluster.onControllerReboot = (board) => {
  attachCdc(board);
  if (client) {
    log('the controller rebooted: its USB link dropped');
    client.destroy();
  }
};
cluster.onHalt = (board, kind) => {
  if (board === cluster.controller && client) client.destroy();
  void kind;
};

function feedDevice() {
  const cdc = cluster.controller.cdc;
  if (!cdc || !toDevice.length) return;
  let n = 0;
  while (n < toDevice.length && !cdc.txFIFO.full) cdc.sendSerialByte(toDevice[n++]);
  toDevice = toDevice.slice(n);
}

function report() {
  if (!session) return;
  const emulated = (cluster.nanos - session.nanos) / 1e9;
  const wall = (Date.now() - session.wall) / 1000;
  const s = cluster.bus.stats;
  log(
    `session: ${emulated.toFixed(4)} s emulated in ${wall.toFixed(1)} s wall ` +
      `(${(wall / Math.max(emulated, 1e-9)).toFixed(0)}x); I2C since boot: ${s.transfers} transfers, ` +
      `${s.nacks} NACKed, ${s.abandoned} abandoned, ${s.bytes} bytes, longest ${(s.longestNs / 1e3).toFixed(0)} us ` +
      `(${s.longestBytes} bytes), ${(s.stretchedNs / 1e6).toFixed(2)} ms clock stretching; ` +
      `${cluster.i2cPullUps()} of ${cluster.boards.length} boards pull SDA/SCL up`,
  );
  if (profile) {
    const busy = s.busyNs - session.bus.busyNs;
    const stops = s.stops - session.bus.stops;
    log(
      `profile: I2C this session: ${stops} transfers ended by a STOP, ${(busy / 1e6).toFixed(3)} ms from address to STOP ` +
        `(${(busy / Math.max(stops, 1) / 1e3).toFixed(2)} us each), ${s.bytes - session.bus.bytes} bytes, ` +
        `${((s.stretchedNs - session.bus.stretchedNs) / 1e6).toFixed(3)} ms stretching`,
    );
    for (const line of profile.report(125e6)) log(line);
  }
  session = null;
}

// ----- boot: until the host could talk to it and the secondaries are enrolled -----
const DEFAULT_ADDRESS = 0x08; // common/include/picocray/i2c_map.h
let enumerated = false;
cluster.controller.cdc.onDeviceConnected = () => {
  enumerated = true;
};
const enrolled = () =>
  cluster.boards.slice(1).every((b) => b.i2c.targetMode && b.i2c.slaveAddress !== DEFAULT_ADDRESS);
const bootWall = Date.now();
const ready = cluster.runUntil(() => enumerated && enrolled(), 10e9);
log(
  `${ready ? 'booted' : 'NOT ready'} after ${(cluster.nanos / 1e9).toFixed(3)} s emulated ` +
    `(${((Date.now() - bootWall) / 1000).toFixed(1)} s wall): USB ${enumerated ? 'enumerated' : 'not enumerated'}, ` +
    `secondaries at ${cluster.boards.slice(1).map((b) => (b.i2c.targetMode ? '0x' + b.i2c.slaveAddress.toString(16) : '-')).join(' ')}`,
);

if (ready && opt.watchdogFault !== undefined) watchdogFault(cluster.boards[opt.watchdogFault]);

// A secondary locks up, its watchdog reboots it, and it claims an address again.
function watchdogFault(board) {
  const boots = board.boots;
  const start = cluster.nanos;
  board.lockUp(1000);
  const back = cluster.runUntil(() => board.boots > boots && enrolled(), 10e9);
  const took = ((cluster.nanos - start) / 1e6).toFixed(1);
  if (!back) fail(`${board.name}: not enrolled again ${took} ms after its lock-up`, 5);
  log(`${board.name}: rebooted by its watchdog and enrolled again at 0x${board.i2c.slaveAddress.toString(16)}, ${took} ms emulated after its lock-up`);
}

// ----- USB requests from the host, one a line on stdin -----
createInterface({ input: process.stdin }).on('line', (line) => {
  const usb = cluster.controller.mcu.usbCtrl;
  const words = line.trim().split(/\s+/);
  if (words[0] === 'usb' && words[1] === 'line-coding' && /^\d+$/.test(words[2] ?? '')) {
    log(`host: SET_LINE_CODING ${words[2]} baud to the controller's CDC interface`);
    setLineCoding(usb, Number(words[2]));
  } else if (words[0] === 'usb' && words[1] === 'reset-interface' && words[2] === 'bootsel') {
    log("host: RESET_REQUEST_BOOTSEL to the controller's reset interface");
    resetInterfaceBootsel(usb);
  } else if (line.trim() !== '') {
    log(`stdin: unknown request '${line.trim()}' (allowed: usb line-coding BAUD, usb reset-interface bootsel)`);
  }
});

const server = createServer((socket) => {
  if (client || cluster.controller.halted) {
    socket.destroy();
    return;
  }
  client = socket;
  socket.setNoDelay(true);
  session = { nanos: cluster.nanos, wall: Date.now(), bus: { ...cluster.bus.stats } };
  profile?.reset();
  socket.on('data', (data) => {
    for (const b of data) toDevice.push(b);
  });
  const done = () => {
    if (client !== socket) return;
    report();
    client = null;
    toDevice = [];
    if (opt.once) process.exit(0);
  };
  socket.on('close', done);
  socket.on('error', done);
});
server.listen(opt.port, opt.host, () => {
  const a = server.address();
  process.stdout.write(`listening ${a.address}:${a.port}\n`);
  log(
    `${opt.secondaries} secondaries and a controller running ${opt.firmware}; ` +
      `serving the controller's USB CDC on ${a.address}:${a.port}`,
  );
});
server.on('error', (e) => fail(`--listen ${opt.listen}: ${e.message}`, 4));

// ----- the emulation loop: a slice of steps, then the event loop for the sockets -----
function run() {
  const end = Date.now() + 20;
  do {
    for (let i = 0; i < 64; ++i) {
      feedDevice();
      cluster.step();
    }
  } while (Date.now() < end);
  setImmediate(run);
}
setImmediate(run);

for (const sig of ['SIGTERM', 'SIGINT'])
  process.on(sig, () => {
    report();
    process.exit(0);
  });
