// A simulated PicoCray cluster: one controller and 1..64 secondaries running the firmware core,
// joined by a byte-accurate virtual I2C bus and shared open-drain lines, on a virtual clock. The
// host side talks to it through a byte stream, exactly as to a USB serial port.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "picocray/faults.h"
#include "picocray/kernel.h"

namespace picocray::sim {

// The timing model (docs/model.md says where each number comes from).
struct Model {
  uint32_t cpu_hz = 125000000;      // RP2040 default system clock
  uint32_t i2c_hz = 1000000;        // SCL asked of pico-sdk; it runs at scl_period_cycles()
  uint32_t i2c_overhead_ns = 5400;  // the controller's software per transfer: measured (emu)
  // The controller's software per byte besides its 9 SCL periods: pico-sdk's blocking calls hand
  // the block one command at a time, so SCL waits between bytes. Measured (emu).
  uint32_t i2c_write_byte_ns = 1070;
  uint32_t i2c_read_byte_ns = 930;
  uint32_t usb_bytes_per_s = 1000000;  // USB full-speed CDC, sustained
  uint32_t usb_buffer = 4096;          // bytes the controller can queue before USB drains them
  // The controller's CPU per byte it sends the host (framing, CRC, TinyUSB's FIFO), during which
  // it does nothing else. Measured (emu).
  uint32_t usb_cpu_ns_per_byte = 1230;
  // Cortex-M0+ cycles per kernel iteration, per precision (32, 64, 128): of the plain loop, and of
  // the loop that also checks for a cycle (kernel.h, cycle_check_after); measured
  // (tools/m0plus-cycles, docs/performance.md).
  uint32_t cycles_per_iter[3] = {61, 261, 1127};
  uint32_t cycles_per_checked_iter[3] = {64, 261, 1127};
  uint32_t cycles_per_pixel = 260;  // per pixel besides iterations: measured (docs/performance.md)
  // The block a node builds of each tile after computing it, on one core: codec 2's encoding (171
  // cycles a pixel) and the block's CRC-32 (13 cycles a byte, about 1.4 a pixel); measured
  // (tools/m0plus-cycles). Codec 1 would take 29: a host of protocol 1.3 is modelled a little slow.
  uint32_t encode_cycles_per_pixel = 173;
  // The LCD's SPI: writes at the rate firmware/rp2040 sets, reads at the ILI9341's slower one; the
  // XPT2046 at its 2 MHz. Bytes only: the controller's CPU per pixel is not modelled.
  uint32_t lcd_write_hz = 31250000;
  uint32_t lcd_read_hz = 6250000;
  uint32_t touch_hz = 2000000;
};

// One SCL period in clk_sys cycles, as the I2C block makes it from pico-sdk's i2c_set_baudrate
// counts (RP2040 datasheet 4.3.14: high = HCNT + SPKLEN + 7, low = LCNT + 1): 137 cycles, 1.096 us,
// when 1 MHz is asked at 125 MHz.
inline uint64_t scl_period_cycles(const Model& m) {
  const uint64_t period = (uint64_t{m.cpu_hz} + m.i2c_hz / 2) / m.i2c_hz;
  const uint64_t lcnt = period * 3 / 5, hcnt = period - lcnt;
  const uint64_t spklen = lcnt < 16 ? 1 : lcnt / 16;
  return (hcnt + spklen + 7) + (lcnt + 1);
}

// A cluster of RP2350 boards (Pico 2): their default 150 MHz clock and the Cortex-M33 kernels'
// cycles per iteration, counted from an instruction trace on an emulated Cortex-M33
// (tools/m33-check: 32.9, 107.0, 508.7; the 32-bit figure with its cycle checks); per pixel the
// RP2040's measured figure, an upper bound for the M33, which runs the same C code with a hardware
// divider and a long multiply. The bus and the USB link are the RP2040's.
inline Model rp2350_model() {
  Model m;
  m.cpu_hz = 150000000;
  const uint32_t cycles[3] = {33, 107, 509};
  for (int i = 0; i < 3; ++i) m.cycles_per_iter[i] = m.cycles_per_checked_iter[i] = cycles[i];
  return m;
}

struct Config {
  uint32_t nodes = 8;  // secondaries, 1..64
  uint64_t seed = 1;
  Model model;
  // Test hook: this many secondaries claim the assert line at the same instant at power-up.
  uint32_t collide = 0;
  Faults faults;
  // Host threads computing tiles ahead (0: one per host core). Wall time only.
  uint32_t host_threads = 0;
  // The controller's LCD and touch panel (a virtual ILI9341 and XPT2046) are wired; without
  // them its SPI lines answer zeros, as a board with no LCD does.
  bool display = true;
  // Whether a host holds the USB link open (hal::HostLink::connected): without one, a controller
  // with an LCD goes standalone (docs/hardware.md).
  bool host_present = true;
};

// A touch on the virtual panel: the pen down at panel pixel (x, y) for hold_ms of virtual time.
struct Touch {
  uint16_t x = 0, y = 0;
  uint32_t hold_ms = 50;
};

struct Stats {
  uint64_t now_ns = 0;
  uint64_t i2c_transactions = 0;
  uint64_t i2c_bytes = 0;
  uint64_t i2c_busy_ns = 0;
  uint64_t i2c_timeouts = 0;    // transfers that outlasted their deadline (pico-sdk's timeout)
  uint64_t compute_ns = 0;      // summed over nodes
  uint64_t compute_cycles = 0;  // the modelled cycles of every tile, summed over every core
  // The modelled cycles of the latest job's tiles (the job of the latest tile computed), each tile
  // once however often it was computed: what no schedule can do without (bench's compute bound).
  uint64_t job_cycles = 0;
  uint32_t collisions_seen = 0;
  uint32_t corrupted_bytes = 0;  // injected faults, as they happened
  uint32_t nacks_injected = 0;
  uint32_t link_bytes_dropped = 0;
  uint32_t link_garbage_bytes = 0;
  uint32_t node_faults_fired = 0;
  uint32_t controller_reboots = 0;
  bool display = false;           // the controller found its LCD
  bool standalone = false;        // ... and went standalone
  uint32_t standalone_views = 0;  // views it drew to the end there
  bool standalone_busy = false;   // a view waits to be drawn or is being drawn
  uint8_t standalone_depth = 0;   // zooms in of the view shown
  uint32_t touches_done = 0;      // injected touches whose pen has been lifted
};

class Cluster;

// Starts the cluster on its own thread; the destructor stops it. Throws std::invalid_argument when
// the configuration cannot be run (a fault names a node the cluster does not have).
class Simulator {
 public:
  explicit Simulator(const Config& cfg);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // The host's side of the controller's USB link.
  void host_write(const uint8_t* data, size_t len);
  // Waits up to timeout_ms for bytes; returns how many were read (0 on timeout).
  size_t host_read(uint8_t* buf, size_t cap, int timeout_ms);

  Stats stats();
  // How many times the controller's USB link has dropped (it rebooted); a host sees that as the
  // device going away.
  uint32_t link_resets();
  // Wall time, since the start, during which the cluster's clock stood still while the host
  // computed a tile's counts (the wait in progress included). The modelled controller was not
  // silent then, only not simulated yet: a host's silence clock leaves this time out.
  uint64_t paused_ns();
  const Config& config() const { return cfg_; }
  // The simulator's side of the virtual touch panel: touches, taken one after another when the
  // cluster is next idle (or a virtual second later while it stays busy), never over the link.
  void touch(const Touch& t);
  // Waits up to timeout_ms for stats to satisfy pred; returns whether they did.
  bool wait_stats(const std::function<bool(const Stats&)>& pred, int timeout_ms);

 private:
  void run();
  Config cfg_;
  std::unique_ptr<Cluster> cluster_;
  std::mutex mu_;
  std::condition_variable host_cv_;   // host bytes arrived or stopping
  std::condition_variable out_cv_;    // bytes for the host
  std::condition_variable stats_cv_;  // the snapshot changed
  std::deque<Touch> touches_;
  std::deque<uint8_t> to_device_;
  std::deque<uint8_t> to_host_;
  bool stop_ = false;
  Stats snapshot_;
  uint32_t link_resets_ = 0;
  std::thread thread_;
  friend class Cluster;
};

}  // namespace picocray::sim
