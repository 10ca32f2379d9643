// One emulated Pico: rp2040js's RP2040 (core 0 and the peripherals) plus what PicoCray's image
// needs and rp2040js lacks, written here on its exported classes: core 1 with its own CPUID, SIO
// FIFOs, divider, interpolators and NVIC, the boot ROM's core-1 launch handshake, a flash chip
// that answers the unique-ID command (0x4B) through the SSI, the boot ROM's traps (flash writes,
// USB boot), I2C1 as EmuI2C on the shared bus, and reboot by the watchdog.
import { BasePeripheral, RP2040, USBCDC } from 'rp2040js';
import { EmuI2C } from './i2c.js';

const IRQ_I2C1 = 24;
const RESET_I2C1 = 1 << 4;
const SIO_CPUID = 0x000;
const SIO_FIFO_ST = 0x050;
const SIO_FIFO_WR = 0x054;
const SIO_FIFO_RD = 0x058;
const SIO_DIV_FIRST = 0x060;
const SIO_INTERP_END = 0x100;
const FIFO_DEPTH = 8;
const WATCHDOG_REASON_TIMER = 1 << 0;
const WATCHDOG_TICKS_PER_US = 2; // rp2040js counts twice a microsecond (erratum RP2040-E1)

// Boot ROM trap codes (bootrom/bootrom.S).
const TRAP_FLASH_ERASE = 0x10;
const TRAP_FLASH_PROGRAM = 0x11;
const TRAP_USB_BOOT = 0x12;
const TRAP_UNIMPLEMENTED = 0x13;
const TRAP_HARD_FAULT = 0x14;

// One chip's view of the cluster's clock: its timer starts at 0 when it boots, and the alarms of a
// chip that rebooted never fire again.
class ChipClock {
  constructor(shared) {
    this.shared = shared;
    this.base = shared.nanos;
    this.dead = false;
    this.frequency = shared.frequency;
  }
  get nanos() {
    return this.shared.nanos - this.base;
  }
  get micros() {
    return this.nanos / 1000;
  }
  createAlarm(callback) {
    return this.shared.createAlarm(() => {
      if (!this.dead) callback();
    });
  }
}

// The SIO as one core sees it: its own CPUID, its ends of the two FIFOs, its own divider and
// interpolators; GPIO and spinlocks shared by both cores.
class CoreSio {
  constructor(board, coreNum, shared, own) {
    this.board = board;
    this.coreNum = coreNum;
    this.shared = shared;
    this.own = own;
    this.wof = false;
    this.roe = false;
  }
  get gpioValue() {
    return this.shared.gpioValue;
  }
  get gpioOutputEnable() {
    return this.shared.gpioOutputEnable;
  }
  get qspiGpioValue() {
    return this.shared.qspiGpioValue;
  }
  get qspiGpioOutputEnable() {
    return this.shared.qspiGpioOutputEnable;
  }
  readUint32(offset) {
    const { board, coreNum } = this;
    switch (offset) {
      case SIO_CPUID:
        return coreNum;
      case SIO_FIFO_ST: {
        const rx = board.fifo[coreNum];
        const tx = board.fifo[1 - coreNum];
        return (
          (rx.length ? 1 : 0) |
          (tx.length < FIFO_DEPTH ? 2 : 0) |
          (this.wof ? 4 : 0) |
          (this.roe ? 8 : 0)
        );
      }
      case SIO_FIFO_RD: {
        const rx = board.fifo[coreNum];
        if (!rx.length) {
          this.roe = true;
          return 0;
        }
        return rx.shift();
      }
    }
    if (offset >= SIO_DIV_FIRST && offset < SIO_INTERP_END) return this.own.readUint32(offset);
    return this.shared.readUint32(offset);
  }
  writeUint32(offset, value) {
    switch (offset) {
      case SIO_FIFO_ST:
        this.wof = false;
        this.roe = false;
        return;
      case SIO_FIFO_WR:
        this.board.fifoPush(1 - this.coreNum, value >>> 0, this);
        return;
      case SIO_FIFO_RD:
        return;
    }
    if (offset >= SIO_DIV_FIRST && offset < SIO_INTERP_END) this.own.writeUint32(offset, value);
    else this.shared.writeUint32(offset, value);
  }
}

// The QSPI flash behind the SSI: XIP reads go straight to the flash array (rp2040js); commands sent
// through DR0 get the answers of a W25Q16JV, including its 64-bit unique ID (command 0x4B).
class EmuSSI extends BasePeripheral {
  constructor(rp2040, name, uniqueId) {
    super(rp2040, name);
    this.uniqueId = uniqueId;
    this.regs = new Map();
    this.rx = [];
    this.index = 0;
    this.command = 0;
    this.forced = false; // chip select held by software (IO_QSPI SS override)
  }
  select(forced) {
    this.forced = forced;
    this.index = 0;
    this.rx = [];
  }
  answer(byte) {
    const n = this.index++;
    if (n === 0) {
      this.command = byte;
      return 0;
    }
    switch (this.command) {
      case 0x4b: // read unique ID: 4 dummy bytes, then 8 ID bytes
        return n >= 5 && n < 13 ? this.uniqueId[n - 5] : 0;
      case 0x9f: // JEDEC ID
        return [0xef, 0x40, 0x15][n - 1] ?? 0;
      case 0x35: // status register 2: QE set, so the boot loader leaves it alone
        return 0x02;
      default: // status register 1 (never busy), and anything else
        return 0;
    }
  }
  readUint32(offset) {
    switch (offset) {
      case 0x28: // SR: TX FIFO empty and not full, RX FIFO not empty when it holds bytes
        return 0x6 | (this.rx.length ? 0x8 : 0);
      case 0x24: // RXFLR
        return this.rx.length;
      case 0x20: // TXFLR
        return 0;
      case 0x58: // IDR
        return 0x51535049;
      case 0x5c: // SSI_VERSION_ID
        return 0x3430312a;
      case 0x60: {
        const v = this.rx.length ? this.rx.shift() : 0;
        if (!this.forced && !this.rx.length) this.index = 0; // the SSI's own CS rose
        return v;
      }
    }
    return this.regs.get(offset) ?? 0;
  }
  writeUint32(offset, value) {
    if (offset === 0x60) {
      if (this.rx.length < 16) this.rx.push(this.answer(value & 0xff));
      return;
    }
    this.regs.set(offset, value >>> 0);
  }
}

// IO_QSPI: stores its registers and tells the flash when software forces chip select.
class EmuQspiIO extends BasePeripheral {
  constructor(rp2040, name, ssi) {
    super(rp2040, name);
    this.ssi = ssi;
    this.regs = new Map();
  }
  readUint32(offset) {
    return this.regs.get(offset) ?? 0;
  }
  writeUint32(offset, value) {
    this.regs.set(offset, value >>> 0);
    if (offset === 0x0c) {
      // GPIO_QSPI_SS_CTRL.OUTOVER: 2 drives CS low, 3 high, 0 gives it back to the SSI.
      const over = (value >> 8) & 3;
      this.ssi.select(over === 2);
    }
  }
}

// The ring oscillator: only its RANDOMBIT, which pico_rand samples; a fixed LFSR per board.
class EmuRosc extends BasePeripheral {
  constructor(rp2040, name, seed) {
    super(rp2040, name);
    this.state = (seed | 1) >>> 0;
    this.regs = new Map();
  }
  readUint32(offset) {
    if (offset === 0x1c) {
      const s = this.state;
      this.state = ((s >>> 1) ^ (-(s & 1) & 0xd0000001)) >>> 0;
      return s & 1;
    }
    if (offset === 0x18) return 0x80001000; // STATUS: stable and enabled
    return this.regs.get(offset) ?? 0;
  }
  writeUint32(offset, value) {
    this.regs.set(offset, value >>> 0);
  }
}

export class Board {
  // opts: { index, name, image, bootrom (Uint32Array), clock (shared), bus, uniqueId (8 bytes),
  //         controller (bool), panel (lib/panel.js, the controller's LCD, or none), log(msg) }
  constructor(opts) {
    Object.assign(this, opts);
    this.scratch = new Uint32Array(8);
    this.reason = 0;
    this.boots = 0;
    this.warnings = new Map();
    this.onBoot = () => {};
    this.onHalt = () => {};
    this.boot();
  }

  logger() {
    const board = this;
    return {
      debug() {},
      info(component, msg) {
        if (msg === 'SEV') board.sev();
      },
      warn(component, msg) {
        const key = `${component}: ${msg}`;
        const n = (board.warnings.get(key) ?? 0) + 1;
        board.warnings.set(key, n);
        if (n === 1 && board.verbose) board.log(`${board.name}: ${key}`);
      },
      error(component, msg) {
        board.log(`${board.name}: ${component}: ${msg}`);
      },
    };
  }

  boot() {
    if (this.chipClock) this.chipClock.dead = true;
    if (this.i2c) this.bus.detach(this.i2c);
    this.boots++;
    this.halted = null;
    this.locked = false;
    this.rebootPending = false;
    this.cycleBase = this.cycleNow ? this.cycleNow() : 0;
    this.chipClock = new ChipClock(this.clock);
    const mcu = new RP2040(this.chipClock);
    this.mcu = mcu;
    mcu.logger = this.logger();
    mcu.loadBootrom(this.bootrom);
    mcu.flash.set(this.image);

    const ssi = new EmuSSI(mcu, 'SSI', this.uniqueId);
    mcu.peripherals[0x18000] = ssi;
    mcu.peripherals[0x40018] = new EmuQspiIO(mcu, 'IO_QSPI', ssi);
    const u = this.uniqueId;
    mcu.peripherals[0x40060] = new EmuRosc(mcu, 'ROSC', (u[0] | (u[1] << 8) | (u[2] << 16) | (u[6] << 24)) ^ this.boots);
    this.i2c = new EmuI2C(mcu, 'I2C1', IRQ_I2C1, this.bus);
    mcu.i2c[1] = this.i2c;
    mcu.peripherals[0x40048] = this.i2c;

    // RESETS: rp2040js keeps its peripherals running through a block reset; I2C1 must not.
    const resets = mcu.peripherals[0x4000c];
    const writeResets = resets.writeUint32.bind(resets);
    resets.writeUint32 = (offset, value) => {
      const before = resets.reset;
      writeResets(offset, value);
      if (offset === 0 && resets.reset & RESET_I2C1 && !(before & RESET_I2C1)) this.i2c.hardReset();
    };

    const watchdog = mcu.peripherals[0x40058];
    watchdog.scratchData.set(this.scratch);
    watchdog.reason = this.reason;
    watchdog.onWatchdogTrigger = () => {
      if (watchdog.reason & WATCHDOG_REASON_TIMER) this.log(`${this.name}: its watchdog ran out: rebooting`);
      // The chip resets with its watchdog: rp2040js's count would reach 0 again at once and
      // fire in a loop within one tick of the clock.
      watchdog.timer.enable = false;
      watchdog.alarm.enable = false;
      this.rebootPending = true;
    };
    this.watchdog = watchdog;

    // Core 1: a second CortexM0Core whose memory view differs from core 0's only in the SIO and
    // the PPB (its own NVIC, SysTick and VTOR).
    this.fifo = [[], []];
    const sio0 = mcu.sio;
    const view = Object.create(mcu);
    const core1 = new mcu.core.constructor(view);
    view.core = core1;
    view.sio = new CoreSio(this, 1, sio0, new sio0.constructor(view));
    view.ppb = new mcu.ppb.constructor(view, 'PPB1');
    view.onBreak = (code) => this.trap(1, code);
    mcu.sio = new CoreSio(this, 0, sio0, sio0);
    mcu.onBreak = (code) => this.trap(0, code);
    this.core1 = core1;
    this.core1Running = false;
    this.romSeq = 0;
    this.romArgs = [];
    this.cores = [mcu.core];

    if (this.controller) {
      if (this.panel) this.panel.attach(mcu);
      this.cdc = new USBCDC(mcu.usbCtrl);
    } else {
      this.cdc = null;
    }
    // Pins the board's wiring decides: the role strap, and the idle I2C lines for bus recovery.
    mcu.gpio[10].setInputValue(true);
    mcu.gpio[11].setInputValue(true);
    this.onBoot(this);
  }

  // A lock-up (the --watchdog-fault of main.js): both cores stop, so nothing feeds the watchdog;
  // the peripherals and the watchdog's count go on. The count is cut to `watchdogUs` (the image
  // loads 8 s: over ten minutes of wall time here) and runs out as the hardware's does.
  lockUp(watchdogUs) {
    this.locked = true;
    const timer = this.watchdog.timer;
    const ticks = watchdogUs * WATCHDOG_TICKS_PER_US;
    const armed = this.watchdog.enable;
    if (armed && timer.counter > ticks) timer.set(ticks);
    this.log(
      `${this.name}: locked up: its cores stop` +
        (armed ? `; its watchdog's count cut to ${watchdogUs} us` : ' (its watchdog is not running)'),
    );
  }

  reboot() {
    this.scratch.set(this.watchdog.scratchData);
    this.reason = this.watchdog.reason;
    this.boot();
  }

  // SEV: sets both cores' event registers (a waiting core wakes instead).
  sev() {
    for (const core of [this.mcu.core, this.core1]) {
      if (core.waiting) core.waiting = false;
      else core.eventRegistered = true;
    }
  }

  fifoPush(toCore, value, from) {
    if (toCore === 1 && !this.core1Running) {
      this.romReceive(value);
      return;
    }
    const q = this.fifo[toCore];
    if (q.length >= FIFO_DEPTH) {
      from.wof = true;
      return;
    }
    q.push(value);
  }

  // The boot ROM's core-1 wait loop (datasheet 2.8.2): echo every word; 0, 0, 1, then the vector
  // table, stack pointer and entry point start core 1.
  romReceive(value) {
    if (this.fifo[0].length < FIFO_DEPTH) this.fifo[0].push(value);
    const seq = this.romSeq;
    if (seq < 3) {
      const expected = [0, 0, 1][seq];
      this.romSeq = value === expected ? seq + 1 : value === 0 ? 1 : 0;
    } else {
      this.romArgs[seq - 3] = value;
      this.romSeq = seq + 1;
      if (this.romSeq === 6) this.launchCore1(...this.romArgs);
    }
    this.sev();
  }

  launchCore1(vectorTable, sp, entry) {
    const core = this.core1;
    core.VTOR = vectorTable >>> 0;
    core.SP = sp >>> 0;
    core.PC = entry & ~1;
    core.cycles = this.mcu.core.cycles;
    this.core1Running = true;
    this.cores = [this.mcu.core, core];
  }

  trap(coreNum, code) {
    const mcu = this.mcu;
    const core = coreNum === 0 ? mcu.core : this.core1;
    const r = core.registers;
    switch (code) {
      case TRAP_FLASH_ERASE:
        mcu.flash.fill(0xff, r[0], r[0] + r[1]);
        return;
      case TRAP_FLASH_PROGRAM:
        for (let i = 0; i < r[2]; ++i) mcu.flash[r[0] + i] = mcu.readUint8(r[1] + i);
        return;
      case TRAP_USB_BOOT:
        this.halt('usb-boot', 'entered the USB boot loader (BOOTSEL)');
        return;
      case TRAP_UNIMPLEMENTED:
        this.halt('fault', `core ${coreNum} called a boot ROM function the emulator lacks (LR 0x${r[14].toString(16)})`);
        return;
      case TRAP_HARD_FAULT:
        this.halt('fault', `core ${coreNum} took a fault`);
        return;
      default:
        this.halt(
          'fault',
          `core ${coreNum} stopped at BKPT #${code} (PC 0x${(core.PC - 2).toString(16)}, ` +
            `LR 0x${r[14].toString(16)}; code addresses on its stack: ${this.stackTrace(core)})`,
        );
    }
  }

  // Words on the stack that look like Thumb return addresses into the image: enough to name the
  // caller of panic() with addr2line.
  stackTrace(core) {
    const out = [];
    for (let a = core.SP; a < core.SP + 256 && out.length < 8; a += 4) {
      const w = this.mcu.readUint32(a);
      if (w & 1 && ((w >= 0x10000000 && w < 0x10000000 + this.image.length) || (w >= 0x20000000 && w < 0x20042000)))
        out.push(`0x${(w - 1).toString(16)}`);
    }
    return out.join(' ');
  }

  halt(kind, why) {
    this.halted = kind;
    this.log(`${this.name}: ${why}`);
    this.onHalt(this, kind);
  }

  // Runs both cores up to the cluster's cycle count `target` (cycles since the cluster started).
  runUntil(target) {
    if (this.halted || this.locked) return;
    const local = target - this.cycleBase;
    for (let n = 0; n < this.cores.length; ++n) {
      const core = this.cores[n];
      const from = core.cycles;
      const pc = core.PC;
      const waiting = core.waiting;
      while (core.cycles < local) {
        if (core.waiting) {
          core.cycles = local;
          break;
        }
        core.executeInstruction();
        if (this.halted) return;
      }
      this.profile?.charge(this, n, pc, waiting, core.cycles - from);
    }
  }
}
