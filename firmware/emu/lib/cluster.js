// The emulated cluster: one controller (GPIO22 tied low) and N secondaries, all running the same
// image, on one simulation clock, stepped in a fixed order in quanta of a few dozen cycles: the
// same inputs give the same run. The shared wires: the I2C bus (lib/i2c.js) and the open-drain
// attention (GPIO12) and assert (GPIO13) lines, low when any board drives them low.
import { RP2040 } from 'rp2040js';
import { Board } from './board.js';
import { I2CBus } from './i2c.js';
import { Panel } from './panel.js';

// rp2040js exports its RP2040 but not its clock class: take the class from a default instance.
const SimulationClock = new RP2040().clock.constructor;
const CLK_SYS_HZ = 125e6;
const NS_PER_CYCLE = 1e9 / CLK_SYS_HZ;
const OPEN_DRAIN_PINS = [12, 13];
const ROLE_PIN = 22;
const SDA = 10;
const SCL = 11;

// A board's 64-bit flash unique ID: fixed per position in the cluster (and per seed), distinct.
function uniqueIdFor(index, seed) {
  const id = new Uint8Array(8);
  let x = (0x9e3779b9 ^ Math.imul(seed + 1, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
  for (let i = 0; i < 8; ++i) {
    x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0;
    x = (x ^ (x >>> 12)) >>> 0;
    id[i] = x & 0xff;
  }
  id[7] = 0xe6; // like a Winbond part's ID
  id[6] = index; // distinct by construction
  return id;
}

export class Cluster {
  // opts: { secondaries, image, bootrom, seed, quantum (cycles), log, verbose, profile, display }
  constructor(opts) {
    this.clock = new SimulationClock(CLK_SYS_HZ);
    this.bus = new I2CBus(this.clock);
    this.bus.log = opts.log;
    this.trace = opts.trace;
    this.bus.trace = opts.trace;
    this.cycle = 0;
    this.quantum = opts.quantum ?? 64;
    this.log = opts.log;
    this.boards = [];
    const count = 1 + opts.secondaries;
    for (let i = 0; i < count; ++i) {
      const board = new Board({
        index: i,
        name: i === 0 ? 'controller' : `secondary ${i}`,
        image: opts.image,
        bootrom: opts.bootrom,
        clock: this.clock,
        bus: this.bus,
        uniqueId: uniqueIdFor(i, opts.seed ?? 1),
        controller: i === 0,
        panel: i === 0 && opts.display ? new Panel() : null,
        log: opts.log,
        verbose: opts.verbose,
        profile: opts.profile,
        cycleNow: () => this.cycle,
      });
      board.onBoot = (b) => this.wire(b);
      board.onHalt = (b, kind) => this.onHalt?.(b, kind);
      this.boards.push(board);
      this.wire(board);
    }
    this.bus.pullUps = () => this.i2cPullUps();
  }

  get controller() {
    return this.boards[0];
  }

  get nanos() {
    return this.clock.nanos;
  }

  // Attaches a (re)booted board's pins to the shared wires.
  wire(board) {
    const gpio = board.mcu.gpio;
    for (const pin of OPEN_DRAIN_PINS) {
      let low = false;
      gpio[pin].addListener(() => {
        const now = gpio[pin].outputEnable && !gpio[pin].outputValue;
        if (pin === 12 && now !== low) this.trace?.(`attention ${this.clock.nanos} ${board.index} ${now ? 'low' : 'released'}`);
        low = now;
        this.resolveLine(pin);
      });
      this.resolveLine(pin);
    }
    const role = gpio[ROLE_PIN];
    const strap = () => role.setInputValue(!board.controller && role.pullupEnabled);
    role.addListener(strap);
    strap();
    if (board.controller && board.boots > 1) this.onControllerReboot?.(board);
  }

  // A wire is low when any board drives it low; high when nobody does and some board pulls it up;
  // with no pull-up anywhere it floats, and reads low here.
  resolveLine(pin) {
    let low = false;
    let pulled = false;
    for (const b of this.boards) {
      if (!b.mcu || b.halted) continue;
      const p = b.mcu.gpio[pin];
      if (p.outputEnable && !p.outputValue) low = true;
      if (p.pullupEnabled) pulled = true;
    }
    const level = !low && pulled;
    for (const b of this.boards) {
      if (!b.mcu) continue;
      const p = b.mcu.gpio[pin];
      if (p.rawInputValue !== level) p.setInputValue(level);
    }
  }

  // Boards whose internal pull-ups are on for both SDA and SCL.
  i2cPullUps() {
    let n = 0;
    for (const b of this.boards) {
      if (b.mcu.gpio[SDA].pullupEnabled && b.mcu.gpio[SCL].pullupEnabled) n++;
    }
    return n;
  }

  // Advances every board by one quantum, then the clock (peripherals, bus, alarms).
  step() {
    const target = this.cycle + this.quantum;
    for (const b of this.boards) {
      b.runUntil(target);
      if (b.rebootPending) b.reboot();
    }
    this.cycle = target;
    this.clock.tick(this.quantum * NS_PER_CYCLE);
  }

  // Runs until fn() is true or `maxNanos` of emulated time have passed.
  runUntil(fn, maxNanos) {
    const end = this.clock.nanos + maxNanos;
    while (!fn() && this.clock.nanos < end) this.step();
    return fn();
  }
}

export { uniqueIdFor };
