// The hardware seam: everything the portable core needs from a board, and nothing more.
// One backend per folder implements it: firmware/rp2040 (pico-sdk) and firmware/sim (the host).
//
// Every fallible call says so in its return type; nothing here throws or allocates.
#pragma once
#include <cstddef>
#include <cstdint>

#include "picocray/kernel.h"

namespace picocray::hal {

enum class I2cStatus : uint8_t {
  ok = 0,
  nack_address = 1,  // nobody acknowledged the address
  nack_data = 2,     // the target stopped acknowledging mid-transfer
  timeout = 3,       // the transfer did not finish in time (clock stretched, bus stuck)
  bus_error = 4,     // arbitration lost or another fault on the wires
};

// The controller's side of the shared bus (I2C1 on GPIO10/11 on a board). Transfers of length 0
// are not supported (an RP2040 cannot make them) and return bus_error.
class I2cInitiator {
 public:
  virtual I2cStatus write(uint8_t address, const uint8_t* data, size_t len,
                          uint32_t timeout_us) = 0;
  virtual I2cStatus read(uint8_t address, uint8_t* data, size_t len, uint32_t timeout_us) = 0;
  // A write, a repeated start, then a read: how a register is read.
  virtual I2cStatus write_read(uint8_t address, const uint8_t* tx, size_t tx_len, uint8_t* rx,
                               size_t rx_len, uint32_t timeout_us) = 0;
  virtual uint32_t clock_hz() const = 0;

 protected:
  ~I2cInitiator() = default;
};

// Events of a secondary's I2C target, in the order and context pico-sdk's i2c_slave gives them
// (on a board: the I2C interrupt). receive: the initiator wrote one byte; request: the initiator
// reads one byte; finish: a stop or repeated start ended the transfer.
class I2cTargetHandler {
 public:
  virtual void on_receive(uint8_t byte) = 0;
  virtual uint8_t on_request() = 0;
  virtual void on_finish() = 0;

 protected:
  ~I2cTargetHandler() = default;
};

class I2cTarget {
 public:
  // Starts (or moves) listening at a 7-bit address; events go to the handler.
  virtual void listen(uint8_t address, I2cTargetHandler* handler) = 0;
  virtual void stop() = 0;

 protected:
  ~I2cTarget() = default;
};

// Shared open-drain lines: any board pulling low makes the line read low.
enum class Line : uint8_t {
  role = 0,       // GPIO22: tied low on the controller
  assert_ = 1,    // GPIO13: claimed by one unaddressed secondary at a time
  attention = 2,  // GPIO12: pulled low by any secondary with a finished tile
};

class Gpio {
 public:
  virtual bool read(Line line) = 0;
  // Pull the line low (true) or let it float high (false).
  virtual void pull_low(Line line, bool low) = 0;

 protected:
  ~Gpio() = default;
};

class Clock {
 public:
  virtual uint64_t now_us() = 0;

 protected:
  ~Clock() = default;
};

// The controller's USB CDC link to the host, as a byte stream. Neither call blocks.
class HostLink {
 public:
  // Reads up to cap bytes that have arrived; returns how many.
  virtual size_t read(uint8_t* buf, size_t cap) = 0;
  // Queues bytes for the host; returns how many were taken (fewer when the buffer is full).
  virtual size_t write(const uint8_t* data, size_t len) = 0;
  virtual bool connected() = 0;

 protected:
  ~HostLink() = default;
};

// The node's compute: one tile at a time over the cores it names (on a board: core 1 through
// pico_multicore, core 0 in the caller). start() may run part of the work before it returns;
// done() says when all of it has finished and counts[] is complete. start() while a tile is still
// running abandons that tile.
class Compute {
 public:
  virtual void start(const TileTask& task, uint16_t* counts) = 0;
  virtual bool done() = 0;
  // Sum of the escape counts of the last finished tile.
  virtual uint32_t iterations() = 0;
  virtual uint8_t cores() const = 0;
  // A count that moves after every piece of work (compute_piece_pixels: under a second on an
  // RP2040 however deep the tile) while a tile is computed, and only then. The controller
  // reads it in the POLL block to tell a slow tile from a stuck node. Safe to call from the I2C
  // interrupt.
  virtual uint32_t heartbeat() = 0;
  // Gives up the tile in hand: its cores stop after the piece they are on, done() turns true
  // soon, and the counts are not to be used. Safe to call from the I2C interrupt.
  virtual void abandon() = 0;

 protected:
  ~Compute() = default;
};

enum class RebootKind : uint8_t { normal = 0, bootsel = 1 };

// What the on-board LED shows (docs/hardware.md has the blink patterns).
enum class NodeLed : uint8_t { idle = 0, busy = 1, enumerating = 2, error = 3 };

// What a board is, beyond what every board does: System::capabilities() bits.
constexpr uint32_t kBoardSimulated = 1u << 0;  // a simulated or emulated board, not hardware

class System {
 public:
  // The board's unique ID (pico_unique_id: 8 bytes, little-endian here).
  virtual uint64_t unique_id() = 0;
  virtual void reboot(RebootKind kind) = 0;
  // Tells the watchdog the node is alive.
  virtual void feed_watchdog() = 0;
  // A small random number for back-off (seeded from the unique ID and time on a board).
  virtual uint32_t random() = 0;
  virtual const char* board_name() = 0;
  // kBoard* bits: what the core may tell the host about this board.
  virtual uint32_t capabilities() = 0;
  virtual uint32_t cpu_hz() = 0;
  virtual void show_state(NodeLed state) = 0;

 protected:
  ~System() = default;
};

// The controller's LCD and touch panel (docs/hardware.md): an ILI9341 on SPI with its CS, DC
// and RESET lines, and an XPT2046 touch controller with its pen line. Only the controller has
// one, and only when wired; the core finds out by asking the panel for its ID.
class DisplayBus {
 public:
  // CS: true selects the panel (CS low) for the transfers that follow.
  virtual void select(bool selected) = 0;
  // DC: false for a command byte, true for parameters and pixel data.
  virtual void data_mode(bool data) = 0;
  virtual void reset_line(bool asserted) = 0;
  virtual void write(const uint8_t* data, size_t len) = 0;
  // Clocks len bytes in (MOSI low), at the panel's slower read clock.
  virtual void read(uint8_t* data, size_t len) = 0;
  // Waits (reset and sleep-out times the panel needs): on a board sleep_us, in the simulator
  // virtual time.
  virtual void pause_us(uint32_t us) = 0;
  // XPT2046: whether the pen line (T_IRQ) is low, and one 12-bit conversion for a control byte.
  virtual bool touch_down() = 0;
  virtual uint16_t touch_read(uint8_t control) = 0;

 protected:
  ~DisplayBus() = default;
};

// Everything one node is given. The controller uses initiator and host; a secondary uses target.
struct Board {
  I2cInitiator& initiator;
  I2cTarget& target;
  Gpio& gpio;
  Clock& clock;
  HostLink& host;
  Compute& compute;
  System& system;
  DisplayBus* display = nullptr;  // the controller's LCD wiring, when the board has it
};

}  // namespace picocray::hal
