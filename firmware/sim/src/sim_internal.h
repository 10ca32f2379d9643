// The simulator's parts: the virtual bus, the shared lines, and one board's HAL over them.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <vector>

#include "picocray/hal.h"
#include "picocray/node.h"
#include "picocray/sim.h"
#include "sim_bus.h"
#include "tile_cache.h"

namespace picocray::sim {

class Cluster;

// Three open-drain lines. A change made in one pass of the scheduler is seen by other boards
// from the next pass on: boards that look at the same instant can both see the line free, as on
// real wires, which is how two secondaries come to claim at once.
class Lines {
 public:
  explicit Lines(size_t boards) : drivers_(boards) {}
  bool read(hal::Line line, size_t reader, uint64_t pass) const;
  // Returns true when the board's drive changed.
  bool pull_low(hal::Line line, size_t board, bool low, uint64_t pass);

 private:
  struct Drive {
    bool low = false;
    bool prev = false;
    uint64_t pass = 0;
  };
  struct Drives {
    Drive line[3];
  };
  std::vector<Drives> drivers_;
};

// The controller's LCD wiring: a virtual ILI9341 holding its 320 x 240 RGB565 memory (the
// commands the firmware uses: ID read, column and page address, memory write and read, and
// those of its set-up, which it takes and ignores) and a virtual XPT2046 wired with the default
// calibration. SPI bytes cost virtual time at the model's rates.
class VirtualPanel final : public hal::DisplayBus {
 public:
  VirtualPanel(Cluster& cluster, bool attached);
  void select(bool selected) override;
  void data_mode(bool data) override { data_ = data; }
  void reset_line(bool asserted) override;
  void write(const uint8_t* data, size_t len) override;
  void read(uint8_t* data, size_t len) override;
  void pause_us(uint32_t us) override;
  bool touch_down() override;
  uint16_t touch_read(uint8_t control) override;

  bool attached() const { return attached_; }
  // The pen down at (x, y) from now for hold_ns; pressed() while it is.
  void press(uint16_t x, uint16_t y, uint64_t hold_ns);
  bool pressed() const;
  uint64_t pen_until_ns() const { return pen_until_ns_; }

 private:
  void command(uint8_t cmd);
  void param(uint8_t byte);
  uint8_t read_byte();

  Cluster& cluster_;
  bool attached_;
  bool selected_ = false;
  bool data_ = false;
  uint8_t cmd_ = 0;
  uint32_t n_param_ = 0;  // bytes since the command
  uint8_t params_[4] = {};
  uint16_t sc_ = 0, ec_ = 0, sp_ = 0, ep_ = 0;  // the window, inclusive
  uint16_t x_ = 0, y_ = 0;                      // the memory cursor
  uint8_t hi_ = 0;                              // first byte of a pixel being written
  std::vector<uint16_t> memory_;
  uint16_t pen_x_ = 0, pen_y_ = 0;
  uint64_t pen_from_ns_ = 0, pen_until_ns_ = 0;
};

class Board final : public hal::I2cInitiator,
                    public hal::I2cTarget,
                    public hal::Gpio,
                    public hal::Clock,
                    public hal::HostLink,
                    public hal::Compute,
                    public hal::System {
 public:
  Board(Cluster& cluster, size_t index, uint64_t uid, bool controller);

  // I2cInitiator
  hal::I2cStatus write(uint8_t address, const uint8_t* data, size_t len,
                       uint32_t timeout_us) override;
  hal::I2cStatus read(uint8_t address, uint8_t* data, size_t len, uint32_t timeout_us) override;
  hal::I2cStatus write_read(uint8_t address, const uint8_t* tx, size_t tx_len, uint8_t* rx,
                            size_t rx_len, uint32_t timeout_us) override;
  uint32_t clock_hz() const override;
  // I2cTarget
  void listen(uint8_t address, hal::I2cTargetHandler* handler) override;
  void stop() override;
  // Gpio
  bool read(hal::Line line) override;
  void pull_low(hal::Line line, bool low) override;
  // Clock
  uint64_t now_us() override;
  // HostLink
  size_t read(uint8_t* buf, size_t cap) override;
  size_t write(const uint8_t* data, size_t len) override;
  bool connected() override;
  // Compute
  void start(const TileTask& task, uint16_t* counts) override;
  bool done() override;
  uint32_t iterations() override { return iterations_; }
  uint8_t cores() const override { return controller_ ? 1 : 2; }
  uint32_t heartbeat() override;
  void abandon() override;
  // System
  uint64_t unique_id() override { return uid_; }
  void reboot(hal::RebootKind kind) override;
  void feed_watchdog() override {}
  uint32_t random() override;
  const char* board_name() override { return "sim"; }
  uint32_t capabilities() override { return hal::kBoardSimulated; }
  uint32_t cpu_hz() override;
  void show_state(hal::NodeLed state) override { led_ = static_cast<uint8_t>(state); }

  hal::Board& hal() { return board_; }
  Node& node() { return *node_; }
  bool computing() const { return computing_; }
  uint64_t compute_done_ns() const { return compute_done_ns_; }
  bool reboot_requested() const { return reboot_requested_; }
  // Injected faults.
  bool powered() const { return powered_; }
  void power_off();
  void power_on();
  void set_stuck() {
    stuck_beat_ = heartbeat();
    stuck_ = true;
  }
  bool stuck() const { return stuck_; }
  // Its main loop stops (the I2C interrupt still answers): the cluster no longer polls it.
  void set_hung() { hung_ = true; }
  bool hung() const { return hung_; }
  void clear_reboot() { reboot_requested_ = false; }
  void force_first_random_zero() { first_random_zero_ = true; }

 private:
  Cluster& cluster_;
  size_t index_;
  uint64_t uid_;
  bool controller_;
  hal::Board board_;
  std::unique_ptr<Node> node_;
  uint64_t rng_;
  bool first_random_zero_ = false;
  bool computing_ = false;
  uint64_t compute_done_ns_ = 0;
  uint32_t iterations_ = 0;
  uint8_t led_ = 0;
  bool reboot_requested_ = false;
  bool powered_ = true;
  bool stuck_ = false;
  bool hung_ = false;
  uint32_t stuck_beat_ = 0;
  // The heartbeat: a beat after each piece of work (compute_piece_pixels), as on a board. Each
  // core's rows end at row_end_ns_ (from the start); a row's pieces are spread evenly over it.
  uint32_t beats_ = 0;  // beats of the tiles before this one
  uint64_t started_ns_ = 0;
  uint32_t pieces_per_row_ = 1;
  uint8_t parts_ = 0;
  uint8_t rows_[2] = {0, 0};
  uint64_t row_end_ns_[2][kMaxTileSide] = {};
};

class Cluster final : public BusEnv {
 public:
  Cluster(Simulator& sim, const Config& cfg);
  // Runs until the simulator is told to stop.
  void run();

  // Shared with the boards (and the bus: BusEnv).
  const Model& model() const override { return cfg_.model; }
  uint64_t now_ns() const { return now_ns_; }
  void advance(uint64_t ns) override { now_ns_ += ns; }
  void touch() override { ++activity_; }
  uint64_t pass() const { return pass_; }
  Lines& lines() { return lines_; }
  Bus& bus() { return bus_; }
  // Host link, controller side.
  size_t link_read(uint8_t* buf, size_t cap);
  size_t link_write(const uint8_t* data, size_t len);
  Stats& stats() override { return stats_; }
  // Fault injection on the bus: a byte as the wires carry it, and whether a transfer is NACKed.
  uint8_t on_wire(uint8_t byte) override;
  bool drop_transfer() override;
  TileCache& tiles() { return tiles_; }
  VirtualPanel& panel() { return panel_; }
  const Config& config() const { return cfg_; }
  // A tile's modelled cycles (both cores), for Stats::job_cycles.
  void note_tile_cycles(const TileTask& t, uint64_t cycles);

 private:
  void deliver_link(bool idle);
  void take_touch(bool idle);
  void publish();
  uint64_t next_event() const;
  void fire_faults();
  double chance();
  std::vector<uint8_t> link_fault(const std::vector<uint8_t>& bytes, uint8_t* last);
  Board* secondary_by_index(uint32_t index);

  Simulator& sim_;
  Config cfg_;
  uint64_t now_ns_ = 0;
  uint64_t activity_ = 0;
  uint64_t pass_ = 1;
  Lines lines_;
  Bus bus_{*this};
  VirtualPanel panel_;
  uint32_t touches_done_ = 0;
  bool pen_held_ = false;       // a touch's pen is down on the panel
  bool touch_waiting_ = false;  // a touch waits for the cluster to go idle
  uint64_t touch_since_ns_ = 0;
  std::vector<std::unique_ptr<Board>> boards_;  // [0] is the controller
  // Bytes the controller queued for USB, with the time each chunk reaches the host.
  struct Chunk {
    uint64_t at_ns;
    std::vector<uint8_t> bytes;
  };
  std::deque<Chunk> usb_out_;
  size_t usb_out_bytes_ = 0;
  uint64_t usb_free_at_ns_ = 0;
  std::deque<uint8_t> usb_in_;
  Stats stats_;
  uint64_t fault_rng_;
  std::vector<bool> fired_;
  bool reboot_fired_ = false;
  uint8_t last_to_host_ = 0;
  uint8_t last_to_device_ = 0;
  bool host_held_ = false;  // host bytes waiting for the cluster to go idle
  uint64_t host_held_since_ns_ = 0;
  TileCache tiles_;
  TileTask cycles_job_;                       // the job Stats::job_cycles is about
  std::map<uint32_t, uint64_t> tile_cycles_;  // its tiles by origin, each counted once
};

}  // namespace picocray::sim
