// The simulator's I2C bus alone: each transfer's modelled time, and the deadline pico-sdk's
// i2c_*_timeout_us apply to the whole transfer.
#include <doctest/doctest.h>

#include <vector>

#include "picocray/tile_block.h"
#include "picocray/timing.h"
#include "sim_bus.h"

using namespace picocray;
using hal::I2cStatus;

namespace {

// The cluster around the bus: a clock only the bus moves, and no faults.
struct World final : sim::BusEnv {
  sim::Model m;
  sim::Stats st;
  uint64_t now_ns = 0;
  const sim::Model& model() const override { return m; }
  void advance(uint64_t ns) override { now_ns += ns; }
  void touch() override {}
  uint8_t on_wire(uint8_t byte) override { return byte; }
  bool drop_transfer() override { return false; }
  sim::Stats& stats() override { return st; }
};

// A target that keeps what it is given and answers 0, 1, 2, ...
struct Recorder final : hal::I2cTargetHandler {
  std::vector<uint8_t> received;
  size_t requests = 0;
  size_t finishes = 0;
  void on_receive(uint8_t byte) override { received.push_back(byte); }
  uint8_t on_request() override { return static_cast<uint8_t>(requests++); }
  void on_finish() override { ++finishes; }
};

std::vector<uint8_t> counting(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i);
  return v;
}

}  // namespace

TEST_CASE("sim bus: a register read costs its bits at the SCL rate and the set-up") {
  World w;
  sim::Bus bus(w);
  Recorder r;
  bus.listen(1, 0x11, &r);
  uint8_t reg = 0x05, rx[7] = {};
  CHECK(bus.transfer(0x11, &reg, 1, rx, sizeof rx, 1000) == I2cStatus::ok);
  // start, address, register, repeated start, address, 7 bytes, stop: 93 SCL periods of 1.096 us
  // (pico-sdk's counts for 1 MHz), 5.4 us per transfer, 1.07 us per byte written, 0.93 per read.
  CHECK(w.now_ns == 93 * 1096 + 5400 + 1070 + 7 * 930);
  CHECK(r.received == std::vector<uint8_t>{0x05});
  CHECK(r.requests == 7);
  CHECK(rx[6] == 6);
  CHECK(r.finishes == 2);
  CHECK(w.st.i2c_bytes == 10);
  CHECK(w.st.i2c_timeouts == 0);
}

TEST_CASE("sim bus: a read longer than its deadline times out part-way, as pico-sdk's does") {
  // 1000 bytes at 1 MHz are 10.8 ms on the wires; 5 ms was the firmware's fixed deadline once.
  World w;
  sim::Bus bus(w);
  Recorder r;
  bus.listen(1, 0x11, &r);
  std::vector<uint8_t> rx(1000, 0xEE);
  uint8_t reg = 0x05;
  CHECK(bus.transfer(0x11, &reg, 1, rx.data(), rx.size(), 5000) == I2cStatus::timeout);
  CHECK_MESSAGE(w.now_ns == 5000000,
                "the initiator is blocked until the deadline, not " << w.now_ns << " ns");
  // 5.4 us of set-up, 29 periods and the register byte's 1.07 us before the first byte read, then
  // 10.794 us a byte: 459 bytes end before 5 ms (the emulated board's 460 bytes, address included).
  CHECK(rx[458] == static_cast<uint8_t>(458));
  CHECK_MESSAGE(rx[459] == 0xEE, "a byte still on the wires at the deadline was not read");
  CHECK(r.requests == 460);  // the target was asked for the byte in progress
  CHECK(r.finishes == 2);    // the repeated start, and the STOP of the bus recovery
  CHECK(w.st.i2c_timeouts == 1);
  CHECK(w.st.i2c_bytes == 3 + 459);
  CHECK(w.st.i2c_busy_ns == 5000000);
}

TEST_CASE("sim bus: a write cut by its deadline hands the target the bytes sent before it") {
  World w;
  sim::Bus bus(w);
  Recorder r;
  bus.listen(1, 0x11, &r);
  const std::vector<uint8_t> tx = counting(100);
  CHECK(bus.transfer(0x11, tx.data(), tx.size(), nullptr, 0, 500) == I2cStatus::timeout);
  // 5.4 us of set-up, start and address (10 periods), then 10.934 us a byte: 44 before 500 us.
  CHECK(r.received == std::vector<uint8_t>(tx.begin(), tx.begin() + 44));
  CHECK(r.finishes == 1);
  CHECK(w.now_ns == 500000);
}

TEST_CASE("sim bus: a transfer ending exactly at its deadline has timed out") {
  // pico-sdk looks at the clock before the block's status. One byte written: 28.39 us.
  for (uint32_t timeout_us : {27u, 28u, 29u}) {
    World w;
    sim::Bus bus(w);
    Recorder r;
    bus.listen(1, 0x11, &r);
    const uint8_t b = 0x42;
    const I2cStatus want = timeout_us > 28 ? I2cStatus::ok : I2cStatus::timeout;
    CHECK_MESSAGE(bus.transfer(0x11, &b, 1, nullptr, 0, timeout_us) == want,
                  "a 28.39 us transfer with a " << timeout_us << " us deadline");
  }
}

TEST_CASE("sim bus: an unanswered address is NACKed within its deadline, and times out past it") {
  World w;
  sim::Bus bus(w);
  const uint8_t b = 0x42;
  CHECK(bus.transfer(0x30, &b, 1, nullptr, 0, 1000) == I2cStatus::nack_address);
  CHECK(w.now_ns == 11 * 1096 + 5400);  // start, address, stop: 11 periods and the set-up
  CHECK(bus.transfer(0x30, &b, 1, nullptr, 0, 10) == I2cStatus::timeout);
  CHECK(w.now_ns == 11 * 1096 + 5400 + 10000);
}

TEST_CASE("sim bus: the firmware's deadlines hold every block the bus carries, at any SCL rate") {
  // timing::transfer_timeout_us must never be what fails a transfer the model can carry.
  for (uint32_t hz : {100000u, 400000u, 1000000u}) {
    for (size_t len : {size_t{7}, size_t{600}, size_t{1800}, kTileBlockMax}) {
      World w;
      w.m.i2c_hz = hz;
      sim::Bus bus(w);
      Recorder r;
      bus.listen(1, 0x11, &r);
      std::vector<uint8_t> rx(len);
      uint8_t reg = 0x05;
      const uint32_t deadline = timing::transfer_timeout_us(3 + len, hz);
      CHECK_MESSAGE(bus.transfer(0x11, &reg, 1, rx.data(), len, deadline) == I2cStatus::ok,
                    len << " bytes at " << hz << " Hz within " << deadline << " us");
    }
  }
}
