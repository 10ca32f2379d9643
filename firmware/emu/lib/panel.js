// The controller's LCD on the emulated board (main.js --display): a virtual ILI9341 on SPI0 (CS
// GPIO5, DC GPIO7, read from the SIO outputs) holding its 320 x 240 RGB565 memory, with the
// commands the firmware uses (ID read 0xD3, column/page set, memory write 0x2C and read 0x2E; the
// set-up commands are taken and ignored), and an XPT2046 on SPI1 with its pen never down (T_IRQ,
// GPIO9, high). The memory outlives a reboot of the board, as a real panel's does.
const WIDTH = 320;
const HEIGHT = 240;
const CMD_COLUMN = 0x2a;
const CMD_PAGE = 0x2b;
const CMD_WRITE = 0x2c;
const CMD_READ = 0x2e;
const CMD_ID4 = 0xd3;
const PIN_CS = 5;
const PIN_DC = 7;
const PIN_TOUCH_IRQ = 9;
const ID4 = [0x00, 0x00, 0x93, 0x41];

export class Panel {
  constructor() {
    this.memory = new Uint16Array(WIDTH * HEIGHT);
    this.cmd = 0;
    this.n = 0;
    this.params = [0, 0, 0, 0];
    this.sc = 0;
    this.ec = 0;
    this.sp = 0;
    this.ep = 0;
    this.x = 0;
    this.y = 0;
    this.hi = 0;
  }

  // Wires the panel to a (re)booted board's SPI blocks and pins.
  attach(mcu) {
    const spi = mcu.spi[0];
    spi.onTransmit = (value) => spi.completeTransmit(this.transfer(mcu.sio.gpioValue, value));
    const touch = mcu.spi[1];
    touch.onTransmit = () => touch.completeTransmit(0);
    mcu.gpio[PIN_TOUCH_IRQ].setInputValue(true);
  }

  // One SPI byte each way: the byte the firmware sent, and the one the panel puts on MISO.
  transfer(pins, value) {
    if ((pins >> PIN_CS) & 1) return 0xff; // not selected: MISO floats to its pull-up
    if (!((pins >> PIN_DC) & 1)) {
      this.command(value);
      return 0xff;
    }
    const k = this.n++;
    if (this.cmd === CMD_ID4) return k < 4 ? ID4[k] : 0;
    if (this.cmd === CMD_READ) return k === 0 ? 0 : this.readChannel((k - 1) % 3);
    if (this.cmd === CMD_COLUMN || this.cmd === CMD_PAGE) this.address(k, value);
    else if (this.cmd === CMD_WRITE) this.write(k, value);
    return 0xff;
  }

  command(value) {
    this.cmd = value;
    this.n = 0;
    if (value === CMD_WRITE || value === CMD_READ) {
      this.x = this.sc;
      this.y = this.sp;
    }
  }

  address(k, value) {
    if (k > 3) return;
    this.params[k] = value;
    if (k !== 3) return;
    const a = (this.params[0] << 8) | this.params[1];
    const b = (this.params[2] << 8) | this.params[3];
    if (this.cmd === CMD_COLUMN) [this.sc, this.ec] = [a, b];
    else [this.sp, this.ep] = [a, b];
  }

  advance() {
    if (this.x >= this.ec) {
      this.x = this.sc;
      this.y++;
    } else {
      this.x++;
    }
  }

  write(k, value) {
    if ((k & 1) === 0) {
      this.hi = value;
      return;
    }
    if (this.x < WIDTH && this.y < HEIGHT && this.y <= this.ep) {
      this.memory[this.y * WIDTH + this.x] = (this.hi << 8) | value;
    }
    this.advance();
  }

  // 18 bits out, a channel a byte in its top 6 bits: 5-bit red and blue gain a low bit.
  readChannel(channel) {
    const v = this.x < WIDTH && this.y < HEIGHT ? this.memory[this.y * WIDTH + this.x] : 0;
    let out;
    if (channel === 0) out = ((v >> 11) << 3) | ((v >> 15) << 2);
    else if (channel === 1) out = ((v >> 5) & 0x3f) << 2;
    else out = ((v & 0x1f) << 3) | (((v >> 4) & 1) << 2);
    if (channel === 2) this.advance();
    return out & 0xff;
  }
}
