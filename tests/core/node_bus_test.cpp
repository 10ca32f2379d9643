// The node bus alone: retries, checks and deadlines over the fake bus.
#include <doctest/doctest.h>

#include "fake_board.h"
#include "picocray/node_bus.h"
#include "picocray/timing.h"

using namespace picocray_test;

namespace {

// A target that answers every read with zeros: every block fails its check.
struct Zeros final : hal::I2cTargetHandler {
  void on_receive(uint8_t) override {}
  uint8_t on_request() override { return 0; }
  void on_finish() override {}
};

}  // namespace

TEST_CASE("node bus: an address nobody answers is absent after kMaxRetries transfers") {
  FakeBus bus;
  FakeBoard c(true, bus, 1);
  NodeBus nb(c, c);
  NodeRecord n;
  n.address = 0x20;
  i2c::StatusBlock s;
  CHECK(nb.read_poll(n, &s) == NodeBus::Read::absent);
  CHECK(bus.transfers == timing::kMaxRetries);
  CHECK(nb.transactions() == timing::kMaxRetries);
}

TEST_CASE("node bus: blocks that keep failing their check are garbled, not absent") {
  FakeBus bus;
  FakeBoard c(true, bus, 1);
  FakeBoard t(false, bus, 2);
  Zeros zeros;
  t.listen(0x21, &zeros);
  NodeBus nb(c, c);
  NodeRecord n;
  n.address = 0x21;
  i2c::StatusBlock s;
  CHECK(nb.read_status(n, &s) == NodeBus::Read::garbled);
  CHECK(n.integrity_errors == timing::kMaxGarbled);
  CHECK(n.retries == timing::kMaxGarbled - 1);
}

TEST_CASE("node bus: a transfer's deadline covers its bytes at the bus clock") {
  // pico-sdk applies the deadline to the whole transfer: 5 ms is 550 bytes at 1 MHz, and a
  // tile block can be 12 KiB.
  FakeBus bus;
  FakeBoard c(true, bus, 1);
  FakeBoard t(false, bus, 2);
  Zeros zeros;
  t.listen(0x22, &zeros);
  NodeBus nb(c, c);
  NodeRecord n;
  n.address = 0x22;
  static uint8_t block[kTileBlockMax];
  TileHeader h;
  for (size_t len : {size_t{16}, size_t{600}, size_t{1800}, kTileBlockMax}) {
    nb.read_tile(n, block, len, &h);
    const uint64_t wire_us = (len + 3) * 9;  // at 1 MHz, 9 clocks a byte
    CHECK_MESSAGE(bus.last_timeout_us >= wire_us + timing::kI2cTimeoutUs,
                  len << " bytes: a deadline of " << bus.last_timeout_us << " us");
  }
}
