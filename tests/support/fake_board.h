// A board in-process and deterministic, for the core's unit tests and the fuzz targets: a clock
// the test moves, a host link over two byte queues, a compute that finishes after a set latency,
// shared lines, and an I2C initiator that either NACKs every address or drives the target events
// of other fake boards on a FakeBus, one by one, in the order pico-sdk's i2c_slave gives them
// (receive per byte; finish at a stop or repeated start; request per byte read).
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <vector>

#include "picocray/hal.h"
#include "picocray/kernel.h"

namespace picocray_test {

using namespace picocray;

// Shared lines and the targets listening on one bus. Lines read low while any board pulls them.
class FakeBus {
 public:
  struct Target {
    uint8_t address = 0;
    hal::I2cTargetHandler* handler = nullptr;
  };
  void listen(int board, uint8_t address, hal::I2cTargetHandler* h) {
    targets_[board] = {address, h};
  }
  void stop(int board) { targets_[board] = {}; }
  int join() {
    targets_.push_back({});
    low_.push_back({false, false, false});
    return static_cast<int>(targets_.size()) - 1;
  }
  bool line(hal::Line l) const {
    for (const auto& b : low_)
      if (b[static_cast<int>(l)]) return false;
    return true;
  }
  void pull(int board, hal::Line l, bool low) { low_[board][static_cast<int>(l)] = low; }
  // The handlers at address (several when boards share it, as in a claim collision).
  std::vector<hal::I2cTargetHandler*> at(uint8_t address) const {
    std::vector<hal::I2cTargetHandler*> v;
    for (const auto& t : targets_)
      if (t.handler != nullptr && t.address == address) v.push_back(t.handler);
    return v;
  }
  uint32_t transfers = 0;
  uint32_t last_timeout_us = 0;

 private:
  std::vector<Target> targets_;
  std::vector<std::array<bool, 3>> low_;
};

class FakeBoard final : public hal::I2cInitiator,
                        public hal::I2cTarget,
                        public hal::Gpio,
                        public hal::Clock,
                        public hal::HostLink,
                        public hal::Compute,
                        public hal::System {
 public:
  // A board alone: every address NACKs and the lines are its own.
  explicit FakeBoard(bool controller) : controller_(controller), own_bus_(), bus_(&own_bus_) {
    id_ = bus_->join();
  }
  // A board on a shared bus (and shared clock: the test moves each board's `now` together, or
  // gives them all one clock through `shared_now`).
  FakeBoard(bool controller, FakeBus& bus, uint64_t uid)
      : controller_(controller), bus_(&bus), on_bus_(true), uid_(uid) {
    id_ = bus_->join();
  }
  hal::Board& hal() { return board_; }

  // The test's side.
  uint64_t now = 1000;
  uint64_t* shared_now = nullptr;  // when set, the clock reads this instead
  uint64_t compute_us = 0;         // latency of a tile
  uint64_t start_blocks_us = 0;    // time start() takes before it returns (core 0's share)
  uint64_t beat_us = 100000;       // the heartbeat moves this often while a tile computes
  bool frozen = false;             // compute hung: never done, the heartbeat stands still
  uint32_t abandoned = 0;          // tiles given up half way (abandon())
  bool real_counts = true;         // false: cheap counts (first row computed, capped), for fuzzing
  size_t link_budget = SIZE_MAX;   // bytes the host link takes until the test refills it
  std::deque<uint8_t> to_device;
  std::vector<uint8_t> to_host;
  bool reboot_requested = false;
  hal::RebootKind reboot_kind = hal::RebootKind::normal;
  hal::I2cTargetHandler* handler = nullptr;
  uint8_t listen_address = 0;
  uint32_t tiles_started = 0;
  uint32_t bad_tiles = 0;               // tiles started with an impossible geometry
  bool attention_low_at_start = false;  // the attention line as start() was called
  hal::NodeLed led = hal::NodeLed::idle;
  uint32_t capability_bits = hal::kBoardSimulated;
  TileTask last_task;

  // I2cInitiator
  hal::I2cStatus write(uint8_t address, const uint8_t* data, size_t len,
                       uint32_t timeout_us) override {
    if (len == 0) return hal::I2cStatus::bus_error;
    auto hit = begin(address, timeout_us);
    if (hit.empty()) return hal::I2cStatus::nack_address;
    for (size_t i = 0; i < len; ++i)
      for (auto* h : hit) h->on_receive(data[i]);
    for (auto* h : hit) h->on_finish();
    return hal::I2cStatus::ok;
  }
  hal::I2cStatus read(uint8_t address, uint8_t* data, size_t len, uint32_t timeout_us) override {
    if (len == 0) return hal::I2cStatus::bus_error;
    auto hit = begin(address, timeout_us);
    if (hit.empty()) return hal::I2cStatus::nack_address;
    request(hit, data, len);
    return hal::I2cStatus::ok;
  }
  hal::I2cStatus write_read(uint8_t address, const uint8_t* tx, size_t tx_len, uint8_t* rx,
                            size_t rx_len, uint32_t timeout_us) override {
    if (tx_len == 0 || rx_len == 0) return hal::I2cStatus::bus_error;
    auto hit = begin(address, timeout_us);
    if (hit.empty()) return hal::I2cStatus::nack_address;
    for (size_t i = 0; i < tx_len; ++i)
      for (auto* h : hit) h->on_receive(tx[i]);
    for (auto* h : hit) h->on_finish();  // the repeated start
    request(hit, rx, rx_len);
    return hal::I2cStatus::ok;
  }
  uint32_t clock_hz() const override { return 1000000; }
  // I2cTarget
  void listen(uint8_t address, hal::I2cTargetHandler* h) override {
    listen_address = address;
    handler = h;
    bus_->listen(id_, address, h);
  }
  void stop() override {
    listen_address = 0;
    handler = nullptr;
    bus_->stop(id_);
  }
  // Gpio: the role strap is fixed; shared lines are the wired AND of every board on the bus.
  bool read(hal::Line line) override {
    if (line == hal::Line::role) return !controller_;
    return bus_->line(line);
  }
  void pull_low(hal::Line line, bool low) override {
    if (line != hal::Line::role) bus_->pull(id_, line, low);
  }
  // Clock
  uint64_t now_us() override { return shared_now != nullptr ? *shared_now : now; }
  // HostLink
  size_t read(uint8_t* buf, size_t cap) override {
    size_t n = 0;
    for (; n < cap && !to_device.empty(); ++n) {
      buf[n] = to_device.front();
      to_device.pop_front();
    }
    return n;
  }
  size_t write(const uint8_t* data, size_t len) override {
    size_t n = len < link_budget ? len : link_budget;
    to_host.insert(to_host.end(), data, data + n);
    if (link_budget != SIZE_MAX) link_budget -= n;
    return n;
  }
  bool connected() override { return true; }
  // Compute
  void start(const TileTask& t, uint16_t* counts) override {
    const TileRect& r = t.rect;
    const bool ok = r.w >= 1 && r.h >= 1 && r.w <= kMaxTileSide && r.h <= kMaxTileSide &&
                    t.geometry.width >= 1 && t.geometry.height >= 1;
    if (!ok) ++bad_tiles;
    attention_low_at_start = !read(hal::Line::attention);
    last_task = t;
    ++tiles_started;
    iterations_ = ok ? (real_counts ? compute_tile(t, counts) : cheap_counts(t, counts)) : 0;
    advance(start_blocks_us);
    beats_ = heartbeat();
    started_at_ = now_us();
    done_at_ = started_at_ + compute_us;
  }
  bool done() override { return !frozen && now_us() >= done_at_; }
  void abandon() override {
    if (frozen || now_us() >= done_at_) return;
    beats_ = heartbeat();
    started_at_ = done_at_ = now_us();
    ++abandoned;
  }
  uint32_t heartbeat() override {
    if (frozen) return beats_;
    const uint64_t t = now_us() < done_at_ ? now_us() : done_at_;
    return static_cast<uint32_t>(beats_ + (t > started_at_ ? (t - started_at_) / beat_us : 0));
  }
  uint32_t iterations() override { return iterations_; }
  uint8_t cores() const override { return controller_ ? 1 : 2; }
  // System
  uint64_t unique_id() override { return uid_; }
  void reboot(hal::RebootKind kind) override {
    reboot_requested = true;
    reboot_kind = kind;
  }
  void feed_watchdog() override {}
  uint32_t random() override {
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return static_cast<uint32_t>(rng_);
  }
  const char* board_name() override { return "fake"; }
  uint32_t capabilities() override { return capability_bits; }
  uint32_t cpu_hz() override { return 125000000; }
  void show_state(hal::NodeLed state) override { led = state; }

  static constexpr uint64_t kUniqueId = 0xE660'1234'5678'9ABCull;

 private:
  std::vector<hal::I2cTargetHandler*> begin(uint8_t address, uint32_t timeout_us) {
    ++bus_->transfers;
    bus_->last_timeout_us = timeout_us;
    if (!on_bus_) return {};
    return bus_->at(address);
  }
  static void request(const std::vector<hal::I2cTargetHandler*>& hit, uint8_t* rx, size_t len) {
    for (size_t i = 0; i < len; ++i) {
      uint8_t v = 0xFF;  // open drain: the bytes of several targets AND on the wire
      for (auto* h : hit) v &= h->on_request();
      rx[i] = v;
    }
    for (auto* h : hit) h->on_finish();
  }
  void advance(uint64_t us) {
    if (shared_now != nullptr)
      *shared_now += us;
    else
      now += us;
  }
  uint32_t cheap_counts(const TileTask& t, uint16_t* counts) {
    // The kernel on the first row only, its iterations capped, so that arbitrary geometry
    // reaches it without making a fuzz input slow.
    TileTask first_row = t;
    first_row.geometry.max_iter = t.geometry.max_iter < 4 ? t.geometry.max_iter : 4;
    first_row.rect.h = 1;
    uint32_t sum = compute_tile_rows(first_row, counts, 0, 1);
    for (uint32_t i = t.rect.w; i < uint32_t{t.rect.w} * t.rect.h; ++i) {
      counts[i] = static_cast<uint16_t>(counts[i - t.rect.w] + (i % 7 == 0 ? 1 : 0));
      sum += counts[i];
    }
    return sum;
  }

  bool controller_;
  FakeBus own_bus_;
  FakeBus* bus_;
  bool on_bus_ = false;
  uint64_t uid_ = kUniqueId;
  int id_ = 0;
  uint64_t started_at_ = 0, done_at_ = 0;
  uint32_t beats_ = 0;
  hal::Board board_{*this, *this, *this, *this, *this, *this, *this};
  uint32_t iterations_ = 0;
  uint64_t rng_ = 0x9E3779B97F4A7C15ull;
};

}  // namespace picocray_test
