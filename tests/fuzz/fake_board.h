// One board alone, in-process and deterministic, for the controller and secondary fuzz targets:
// no other node on the bus (every address NACKs), lines that only this board pulls, a clock the
// harness moves, a host link over two byte queues, and a compute that finishes after a set
// latency with cheap counts (the kernel runs on the tile's first row only, its iterations capped,
// so that arbitrary geometry reaches it without making an input slow).
#pragma once
#include <cstdint>
#include <deque>
#include <vector>

#include "fuzz.h"
#include "picocray/hal.h"
#include "picocray/kernel.h"

namespace picocray_fuzz {

using namespace picocray;

class FakeBoard final : public hal::I2cInitiator,
                        public hal::I2cTarget,
                        public hal::Gpio,
                        public hal::Clock,
                        public hal::HostLink,
                        public hal::Compute,
                        public hal::System {
 public:
  explicit FakeBoard(bool controller) : controller_(controller) {}
  hal::Board& hal() { return board_; }

  // The harness's side.
  uint64_t now = 1000;
  uint64_t compute_us = 0;
  size_t link_budget = SIZE_MAX;  // bytes the host link takes until the harness refills it
  std::deque<uint8_t> to_device;
  std::vector<uint8_t> to_host;
  bool reboot_requested = false;
  hal::I2cTargetHandler* handler = nullptr;
  uint8_t listen_address = 0;
  uint32_t tiles_started = 0;

  // I2cInitiator
  hal::I2cStatus write(uint8_t, const uint8_t*, size_t len, uint32_t) override {
    return len == 0 ? hal::I2cStatus::bus_error : hal::I2cStatus::nack_address;
  }
  hal::I2cStatus read(uint8_t, uint8_t*, size_t len, uint32_t) override {
    return len == 0 ? hal::I2cStatus::bus_error : hal::I2cStatus::nack_address;
  }
  hal::I2cStatus write_read(uint8_t, const uint8_t*, size_t tx_len, uint8_t*, size_t rx_len,
                            uint32_t) override {
    return tx_len == 0 || rx_len == 0 ? hal::I2cStatus::bus_error : hal::I2cStatus::nack_address;
  }
  uint32_t clock_hz() const override { return 1000000; }
  // I2cTarget
  void listen(uint8_t address, hal::I2cTargetHandler* h) override {
    listen_address = address;
    handler = h;
  }
  void stop() override {
    listen_address = 0;
    handler = nullptr;
  }
  // Gpio: a shared line reads low only while this board pulls it; the role strap is fixed.
  bool read(hal::Line line) override {
    if (line == hal::Line::role) return !controller_;
    return !low_[static_cast<int>(line)];
  }
  void pull_low(hal::Line line, bool low) override {
    if (line != hal::Line::role) low_[static_cast<int>(line)] = low;
  }
  // Clock
  uint64_t now_us() override { return now; }
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
    FUZZ_CHECK(
        t.rect.w >= 1 && t.rect.h >= 1 && t.rect.w <= kMaxTileSide && t.rect.h <= kMaxTileSide,
        "a tile of a bad size was started");
    FUZZ_CHECK(t.geometry.width >= 1 && t.geometry.height >= 1,
               "a tile of an empty image was started");
    ++tiles_started;
    TileTask first_row = t;
    first_row.geometry.max_iter = t.geometry.max_iter < 4 ? t.geometry.max_iter : 4;
    first_row.rect.h = 1;
    iterations_ = compute_tile_rows(first_row, counts, 0, 1);
    for (uint32_t i = t.rect.w; i < uint32_t{t.rect.w} * t.rect.h; ++i) {
      counts[i] = static_cast<uint16_t>(counts[i - t.rect.w] + (i % 7 == 0 ? 1 : 0));
      iterations_ += counts[i];
    }
    done_at_ = now + compute_us;
  }
  bool done() override { return now >= done_at_; }
  uint32_t iterations() override { return iterations_; }
  uint8_t cores() const override { return controller_ ? 1 : 2; }
  // System
  uint64_t unique_id() override { return kUniqueId; }
  void reboot(hal::RebootKind) override { reboot_requested = true; }
  void feed_watchdog() override {}
  uint32_t random() override {
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return static_cast<uint32_t>(rng_);
  }
  const char* board_name() override { return "fuzz"; }
  uint32_t cpu_hz() override { return 125000000; }
  void show_state(uint8_t) override {}

  static constexpr uint64_t kUniqueId = 0xE660'1234'5678'9ABCull;

 private:
  bool controller_;
  hal::Board board_{*this, *this, *this, *this, *this, *this, *this};
  bool low_[3] = {false, false, false};
  uint64_t done_at_ = 0;
  uint32_t iterations_ = 0;
  uint64_t rng_ = 0x9E3779B97F4A7C15ull;
};

}  // namespace picocray_fuzz
