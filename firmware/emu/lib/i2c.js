// I2C as the PicoCray cluster uses it: one shared bus joining one chip's I2C1 in controller mode
// to the other chips' I2C1 in target mode (pico_i2c_slave). rp2040js's RPI2C models the controller
// side with instant callbacks; EmuI2C adds what a board does: byte timing from the SCL counts,
// TX_EMPTY when a byte has left the shift register (IC_CON.TX_EMPTY_CTRL), TX_EMPTY after an address
// NACK, and the whole target mode (RP2040 datasheet 4.3, "slave mode" of the DW_apb_i2c).
import { RPI2C } from 'rp2040js';

const IC_CON = 0x00;
const IC_DATA_CMD = 0x10;
const IC_STATUS = 0x70;
const IC_INTR_MASK = 0x30;
const IC_DMA_CR = 0x88;
const IC_ENABLE = 0x6c;

const CON_MASTER_MODE = 1 << 0;
const CON_SLAVE_DISABLE = 1 << 6;
const CON_STOP_DET_IFADDRESSED = 1 << 7;
const CON_RX_FIFO_FULL_HLD_CTRL = 1 << 9;

const R_RESTART_DET = 1 << 12;
const R_START_DET = 1 << 10;
const R_STOP_DET = 1 << 9;
const R_RX_DONE = 1 << 7;
const R_TX_ABRT = 1 << 6;
const R_RD_REQ = 1 << 5;
const R_TX_EMPTY = 1 << 4;
const R_RX_FULL = 1 << 2;
const R_RX_OVER = 1 << 1;

const ABRT_SLVFLUSH_TXFIFO = 1 << 13;
const SLV_ACTIVITY = 1 << 6;

// The bus: one transfer at a time, driven by the controller's callbacks, with every phase
// scheduled on the shared clock.
export class I2CBus {
  constructor(clock) {
    this.clock = clock;
    this.targets = new Set(); // EmuI2C instances of every chip
    this.current = null; // the addressed target
    this.mode = 0; // 0 write, 1 read
    this.waiting = null; // a phase held by clock stretching: () => boolean (true when done)
    this.stats = { transfers: 0, nacks: 0, bytes: 0, stretchedNs: 0, abandoned: 0, longestNs: 0, longestBytes: 0, busyNs: 0, stops: 0 };
    this.stretchStart = 0;
    this.pending = 0;
    this.owner = null; // the controller whose transfer is on the bus
    this.generation = 0; // bumped when the controller abandons a transfer: its pending phases drop
    this.active = null; // the transfer on the bus: { address, mode, bytes, startNs }
    this.log = null; // set to a function to report abandoned transfers
  }

  attach(i2c) {
    this.targets.add(i2c);
  }

  detach(i2c) {
    this.targets.delete(i2c);
    if (this.current === i2c) this.current = null;
  }

  after(ns, fn) {
    const generation = this.generation;
    this.pending++;
    this.clock.createAlarm(() => {
      if (generation !== this.generation) return;
      this.pending--;
      fn();
    }).schedule(Math.max(1, Math.round(ns)));
  }

  // A byte or condition is under way (or held by a stretching target).
  get midPhase() {
    return this.pending > 0 || this.waiting !== null;
  }

  // The controller was disabled (or reset) mid-transfer, as pico-sdk's timeout path and the
  // firmware's bus recovery do: what was under way ends, and the targets see the recovery's STOP.
  abandon(ctrl) {
    if (!this.active) return;
    const t = this.active;
    this.stats.abandoned++;
    if (this.log && this.stats.abandoned <= 20) {
      const us = (this.clock.nanos - t.startNs) / 1000;
      this.log(
        `I2C: the controller abandoned a ${t.mode ? 'read from' : 'write to'} 0x${t.address.toString(16)} ` +
          `after ${t.bytes} bytes and ${us.toFixed(0)} us (a pico-sdk timeout)`,
      );
    }
    this.generation++;
    this.pending = 0;
    this.waiting = null;
    this.active = null;
    for (const target of this.listening()) target.targetEvent(R_STOP_DET);
    this.current = null;
    void ctrl;
  }

  // One SCL period of the controller, from its counts (datasheet 4.3.14: high = HCNT + SPKLEN + 7,
  // low = LCNT + 1, in clk_sys cycles).
  periodNs(ctrl) {
    const hz = ctrl.rp2040.clkSys || 125e6;
    return ((ctrl.sclHighPeriod + ctrl.spikelen + 7 + ctrl.sclLowPeriod + 1) * 1e9) / hz;
  }

  listening() {
    const out = [];
    for (const t of this.targets) if (t.targetMode) out.push(t);
    return out;
  }

  start(ctrl, restart) {
    this.owner = ctrl;
    this.after(this.periodNs(ctrl) / 2, () => {
      for (const t of this.listening()) t.targetEvent(R_START_DET | (restart ? R_RESTART_DET : 0));
      if (restart) this.current = null;
      ctrl.completeStart();
    });
  }

  address(ctrl, address, mode) {
    this.stats.transfers++;
    if (!this.active) this.active = { address, mode, bytes: 0, startNs: this.clock.nanos, stretchedNs: 0 };
    this.active.address = address;
    this.active.mode = mode;
    this.after(9 * this.periodNs(ctrl), () => {
      // Without a pull-up anywhere the open-drain lines never rise: nothing answers.
      const floating = this.pullUps && this.pullUps() === 0;
      const target = floating ? undefined : this.listening().find((t) => t.slaveAddress === (address & 0x7f));
      if (!target) {
        this.stats.nacks++;
        ctrl.completeConnect(false);
        return;
      }
      this.current = target;
      this.mode = mode;
      target.addressed(mode);
      ctrl.completeConnect(true);
    });
  }

  // Holds the bus (SCL low) until ready() is true; the target calls kick() when its FIFOs move.
  hold(ready, then) {
    if (ready()) {
      then();
      return;
    }
    this.stretchStart = this.clock.nanos;
    this.waiting = () => {
      if (!ready()) return;
      this.stats.stretchedNs += this.clock.nanos - this.stretchStart;
      if (this.active) this.active.stretchedNs += this.clock.nanos - this.stretchStart;
      this.waiting = null;
      then();
    };
  }

  kick() {
    if (this.waiting) this.waiting();
  }

  write(ctrl, byte) {
    const target = this.current;
    this.after(9 * this.periodNs(ctrl), () => {
      if (!target || !target.targetMode) {
        ctrl.completeWrite(false);
        return;
      }
      this.stats.bytes++;
      if (this.active) this.active.bytes++;
      this.hold(
        () => !target.rxFIFO.full || !(target.control & CON_RX_FIFO_FULL_HLD_CTRL),
        () => {
          target.receive(byte);
          ctrl.completeWrite(true);
        },
      );
    });
  }

  read(ctrl, ack) {
    const target = this.current;
    if (!target || !target.targetMode) {
      this.after(9 * this.periodNs(ctrl), () => ctrl.completeRead(0xff));
      return;
    }
    target.requestByte();
    this.hold(
      () => !target.txFIFO.empty || !target.targetMode,
      () => {
        const value = target.targetMode ? target.txFIFO.pull() & 0xff : 0xff;
        this.stats.bytes++;
        if (this.active) this.active.bytes++;
        this.after(9 * this.periodNs(ctrl), () => {
          if (!ack) target.targetEvent(R_RX_DONE);
          ctrl.completeRead(value);
        });
      },
    );
  }

  stop(ctrl) {
    const addressed = this.current;
    this.after(this.periodNs(ctrl) / 2, () => {
      for (const t of this.listening()) {
        if (!(t.control & CON_STOP_DET_IFADDRESSED) || t === addressed) t.targetEvent(R_STOP_DET);
      }
      this.current = null;
      if (this.active) {
        const ns = this.clock.nanos - this.active.startNs;
        this.stats.busyNs += ns;
        this.stats.stops++;
        const a = this.active;
        this.trace?.(`i2c ${a.startNs} 0x${a.address.toString(16)} ${a.mode ? 'read' : 'write'} ${a.bytes} ${ns} ${a.stretchedNs}`);
        if (ns > this.stats.longestNs) {
          this.stats.longestNs = ns;
          this.stats.longestBytes = this.active.bytes;
        }
        this.active = null;
      }
      ctrl.completeStop();
    });
  }
}

export class EmuI2C extends RPI2C {
  constructor(rp2040, name, irq, bus) {
    super(rp2040, name, irq);
    this.bus = bus;
    this.onStart = (restart) => bus.start(this, restart);
    this.onConnect = (address, mode) => bus.address(this, address, mode);
    this.onWriteByte = (value) => bus.write(this, value);
    this.onReadByte = (ack) => bus.read(this, ack);
    this.onStop = () => bus.stop(this);
    bus.attach(this);
  }

  get targetMode() {
    return (
      !(this.control & CON_MASTER_MODE) && !(this.control & CON_SLAVE_DISABLE) && !!(this.enable & 1)
    );
  }

  // ----- controller side: TX_EMPTY once the byte is out, as TX_EMPTY_CTRL asks -----

  nextCommand() {
    if (!(this.control & CON_MASTER_MODE)) return; // a target never starts a transfer
    const before = this.txFIFO.itemCount;
    const intRaw = this.intRaw;
    super.nextCommand();
    // RPI2C raises TX_EMPTY as soon as a command is taken; a board raises it when that command's
    // byte has gone out (completeWrite/completeRead below).
    if (this.txFIFO.itemCount < before && !(intRaw & R_TX_EMPTY)) this.clearInterrupts(R_TX_EMPTY);
  }

  byteDone() {
    if (this.txFIFO.itemCount <= this.txThreshold) this.setInterrupts(R_TX_EMPTY);
  }

  completeConnect(ack, nackByte = 0) {
    if (!ack) this.setInterrupts(R_TX_EMPTY); // the abort empties the FIFO: a board says so
    super.completeConnect(ack, nackByte);
  }

  completeWrite(ack) {
    super.completeWrite(ack);
    this.byteDone();
  }

  completeRead(value) {
    super.completeRead(value);
    this.byteDone();
  }

  // The RESETS block held the peripheral in reset (pico-sdk's i2c_deinit, i2c_init): whatever it
  // was doing on the bus ends, and its registers go back to their reset values.
  hardReset() {
    if (this.bus.owner === this && this.bus.active) this.bus.abandon(this);
    this.state = 0; // Idle
    this.busy = false;
    this.stop = false;
    this.pendingRestart = false;
    this.txFIFO.reset();
    this.rxFIFO.reset();
    this.abortSource = 0;
    this.intEnable = 0;
    this.enable = 0;
    this.intRaw = 0;
    this.checkInterrupts();
    this.bus.kick();
  }

  // ----- target side -----

  targetEvent(bits) {
    this.setInterrupts(bits);
  }

  addressed(mode) {
    if (mode === 1 && !this.txFIFO.empty) {
      // Old bytes left from the last read are flushed with an abort (ABRT_SLVFLUSH_TXFIFO).
      this.abortSource |= ABRT_SLVFLUSH_TXFIFO;
      this.txFIFO.reset();
      this.setInterrupts(R_TX_ABRT);
    }
  }

  receive(byte) {
    if (this.rxFIFO.full) {
      this.setInterrupts(R_RX_OVER);
      return;
    }
    this.rxFIFO.push(byte);
    if (this.rxFIFO.itemCount > this.rxThreshold) this.setInterrupts(R_RX_FULL);
  }

  requestByte() {
    // Bulk transmit: RD_REQ only when the TX FIFO is empty; SCL is held until DATA_CMD is written.
    if (this.txFIFO.empty) this.setInterrupts(R_RD_REQ);
  }

  readUint32(offset) {
    if (offset === IC_DATA_CMD && this.targetMode) {
      const value = this.rxFIFO.pull() & 0xff;
      if (this.rxFIFO.itemCount <= this.rxThreshold) this.clearInterrupts(R_RX_FULL);
      this.bus.kick();
      return value;
    }
    if (offset === IC_STATUS && this.targetMode) {
      const busy = this.bus.current === this ? SLV_ACTIVITY | 1 : 0;
      return (super.readUint32(offset) & ~0x61) | busy;
    }
    return super.readUint32(offset);
  }

  writeUint32(offset, value) {
    if (offset === IC_DATA_CMD && this.targetMode) {
      if (value & (1 << 8)) return; // a read command means nothing to a target
      if (this.txFIFO.full) {
        this.setInterrupts(1 << 3); // TX_OVER
        return;
      }
      this.txFIFO.push(value & 0xff);
      this.bus.kick();
      return;
    }
    if (offset === IC_INTR_MASK) {
      this.intEnable = value & 0x1fff; // RPI2C keeps the mask but takes no writes to it
      this.checkInterrupts();
      return;
    }
    if (offset === IC_DMA_CR) return; // no DMA on this bus
    // Disabled between commands (pico-sdk does so before every transfer, also after a write without
    // STOP) the bus is simply held; disabled mid-byte, the transfer is abandoned.
    if (offset === IC_ENABLE && !(value & 1) && this.control & CON_MASTER_MODE && this.bus.owner === this && this.bus.midPhase) {
      this.bus.abandon(this);
      this.state = 0; // Idle
      this.busy = false;
      this.stop = false;
      this.pendingRestart = false;
    }
    const wasTarget = this.targetMode;
    super.writeUint32(offset, value);
    if (offset === IC_CON || wasTarget !== this.targetMode) this.bus.kick();
  }
}
