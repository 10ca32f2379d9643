// The secondary alone, its I2C target events driven one by one as pico-sdk's i2c_slave delivers
// them: on_receive per written byte, on_finish at the stop (or the repeated start), on_request
// per byte read.
#include "picocray/secondary.h"

#include <doctest/doctest.h>

#include <vector>

#include "fake_board.h"
#include "picocray/i2c_map.h"
#include "picocray/tile_block.h"
#include "rig.h"

using namespace picocray_test;

namespace {

struct Target {
  FakeBoard board{false};
  Secondary node{board.hal()};

  void write(i2c::Reg reg, const uint8_t* block, size_t len) {
    node.on_receive(static_cast<uint8_t>(reg));
    for (size_t i = 0; i < len; ++i) node.on_receive(block[i]);
    node.on_finish();
  }
  std::vector<uint8_t> read(i2c::Reg reg, size_t len) {
    node.on_receive(static_cast<uint8_t>(reg));
    node.on_finish();  // the repeated start
    std::vector<uint8_t> out(len);
    for (auto& b : out) b = node.on_request();
    node.on_finish();
    return out;
  }
  // Claims the default address and takes `address` from the controller's CLAIM.
  void enrol(uint8_t address) {
    node.start();
    for (int i = 0; i < 100 && board.listen_address != i2c::kDefaultAddress; ++i) {
      board.now += 500;
      node.poll();
    }
    REQUIRE_MESSAGE(board.listen_address == i2c::kDefaultAddress, "it never claimed");
    i2c::ClaimBlock c;
    c.unique_id = FakeBoard::kUniqueId;
    c.address = address;
    uint8_t b[i2c::kClaimLen];
    i2c::build(c, b, sizeof b);
    write(i2c::Reg::claim, b, sizeof b);
    node.poll();
    REQUIRE(node.address() == address);
  }
  void job(uint16_t id, const JobGeometry& g) {
    i2c::JobBlock j;
    j.job_id = id;
    j.geometry = g;
    uint8_t b[i2c::kJobLen];
    REQUIRE(i2c::build(j, b, sizeof b) == i2c::kJobLen);
    write(i2c::Reg::job, b, sizeof b);
  }
  void tile(uint16_t job, const JobGeometry& g, uint32_t index) {
    i2c::TileAssign a;
    a.job_id = job;
    a.tile_index = index;
    a.rect = tile_rect(g, index);
    uint8_t b[i2c::kTileAssignLen];
    i2c::build(a, b, sizeof b);
    write(i2c::Reg::tile, b, sizeof b);
  }
  i2c::StatusBlock poll_block() {
    auto b = read(i2c::Reg::poll, i2c::kPollLen);
    i2c::StatusBlock s;
    REQUIRE_MESSAGE(i2c::parse_poll(b.data(), b.size(), &s), "POLL block failed its CRC-8");
    return s;
  }
  bool attention_low() { return !board.read(hal::Line::attention); }
};

JobGeometry geometry() {
  return small_render(64, 48, 64, 16).geometry;
}

}  // namespace

TEST_CASE("secondary: JOB, TILE, POLL, RESULT and ACK as target events, one by one") {
  Target t;
  t.enrol(0x10);
  t.board.compute_us = 300;
  const JobGeometry g = geometry();
  t.job(7, g);
  t.tile(7, g, 5);
  i2c::StatusBlock s = t.poll_block();
  CHECK(s.last_tile == 5);
  CHECK(s.free == i2c::kSlots - 1);
  t.node.poll();  // starts computing
  CHECK(t.board.tiles_started == 1);
  CHECK_MESSAGE(t.board.last_task.rect.x == tile_rect(g, 5).x, "the tile's rectangle");
  CHECK_FALSE(t.attention_low());
  t.board.now += 300;
  t.node.poll();
  CHECK_MESSAGE(t.attention_low(), "a finished tile pulls the attention line");
  s = t.poll_block();
  REQUIRE(s.ready == 1);
  auto block = t.read(i2c::Reg::result, s.ready_len);
  TileHeader h;
  const uint8_t* payload = nullptr;
  REQUIRE(tile_block_parse(block.data(), block.size(), &h, &payload));
  CHECK(h.job_id == 7);
  CHECK(h.tile_index == 5);
  CHECK(h.node == 0x10);
  std::vector<uint16_t> counts(static_cast<size_t>(h.rect.w) * h.rect.h), ref(counts.size());
  REQUIRE(tile_decode_codec(h.codec, payload, h.payload_len, h.rect.w, h.rect.h, counts.data()));
  compute_tile(tile_task(g, 5), ref.data());
  CHECK_MESSAGE(counts == ref, "the counts are the host reference's");
  i2c::AckBlock a;
  a.tile_index = 5;
  uint8_t ack[i2c::kAckLen];
  i2c::build(a, ack, sizeof ack);
  t.write(i2c::Reg::ack, ack, sizeof ack);
  CHECK_FALSE_MESSAGE(t.attention_low(), "the last ready tile acknowledged lets the line go");
  CHECK(t.poll_block().free == i2c::kSlots);
}

TEST_CASE("secondary: the attention line is pulled before the next tile's compute starts") {
  // On a board compute.start() returns only after core 0 has done its half of the tile: a
  // finished tile must be announced before that, not after.
  Target t;
  t.enrol(0x11);
  t.board.compute_us = 100;
  t.board.start_blocks_us = 5000;
  const JobGeometry g = geometry();
  t.job(3, g);
  t.tile(3, g, 0);
  t.tile(3, g, 1);
  t.node.poll();  // tile 0 starts
  REQUIRE(t.board.tiles_started == 1);
  t.board.now += 100;
  t.node.poll();  // tile 0 is done and tile 1 starts
  REQUIRE(t.board.tiles_started == 2);
  CHECK_MESSAGE(t.board.attention_low_at_start,
                "tile 0 was ready, but the line was still high when tile 1's compute began");
}

TEST_CASE("secondary: a JOB block outside the documented limits is refused and counted") {
  Target t;
  t.enrol(0x12);
  JobGeometry g = geometry();
  g.region.x0 = decimal("-5");  // outside [-4, 4]
  t.job(9, g);
  i2c::StatusBlock s;
  auto b = t.read(i2c::Reg::status, i2c::kStatusLen);
  REQUIRE(i2c::parse(b.data(), b.size(), &s));
  CHECK(s.rx_errors == 1);
  CHECK(s.job_id == 0);
}

TEST_CASE("secondary: a repeated TILE write (a lost read-back retried) takes one slot") {
  Target t;
  t.enrol(0x13);
  const JobGeometry g = geometry();
  t.job(4, g);
  t.tile(4, g, 2);
  t.tile(4, g, 2);
  i2c::StatusBlock s = t.poll_block();
  CHECK(s.free == i2c::kSlots - 1);
  CHECK(s.last_tile == 2);
}
