// Fuzz target: a secondary's I2C register traffic (Secondary's on_receive / on_request /
// on_finish, as the I2C interrupt calls them, between passes of its main loop) over a FakeBoard.
//
// Input: a sequence of events, each an op byte (kind = op >> 5) and its operands:
//   0 receive (op & 31) + 1 bytes     1 request (op & 31) + 1 bytes     2 finish
//   3 a pass of the main loop after (op & 31) * 100 us
//   4 read a register (1 byte) as the controller does: receive, repeated start, requests, finish
//   5 write a register (1 byte), a length (1 byte, modulo 100) and that many bytes; op bit 0
//     reseals them first (last 4 bytes the CRC of the rest)
//   6 write a well-formed block, op & 7 picks: job, tile, ack, claim, reset, backoff, echo, or an
//     enrolment (time passes, the claim for its own ID, a pass)
//   7 the controller's collection: read STATUS (op bit 0: POLL), then RESULT, then ACK the tile
// The register reads of ops 4 and 7 start from a clean bus (a one-byte read ends whatever a raw
// event left open) and must return exactly the documented block: STATUS (16 bytes) and IDENT (20)
// that parse, POLL (7) under its CRC-8, ECHO up to 32 bytes and a CRC, RESULT the ready_len bytes
// of a tile block that parses and decodes, any other register nothing; after the block, only 0xFF.
// Raw reads never return a byte past kTileBlockMax other than 0xFF.
#include <memory>
#include <vector>

#include "fake_board.h"
#include "fuzz.h"
#include "picocray/i2c_map.h"
#include "picocray/secondary.h"
#include "picocray/tile_block.h"

using namespace picocray;
using picocray_fuzz::Input;
using picocray_test::FakeBoard;

namespace {

constexpr size_t kSlack = 8;  // bytes read past each block, which must all be 0xFF

bool all_ff(const std::vector<uint8_t>& b, size_t from) {
  for (size_t i = from; i < b.size(); ++i)
    if (b[i] != 0xFF) return false;
  return true;
}

class Harness {
 public:
  Harness() { board.real_counts = false; }
  FakeBoard board{false};
  Secondary node{board.hal()};
  uint16_t last_job = 0;
  uint32_t last_tile = 0;

  void receive(uint8_t b) { node.on_receive(b); }
  uint8_t request() {
    uint8_t v = node.on_request();
    FUZZ_CHECK(read_pos_ < kTileBlockMax || v == 0xFF, "a read ran past the largest block");
    ++read_pos_;
    return v;
  }
  void finish() {
    node.on_finish();
    read_pos_ = 0;
  }

  void pass(uint64_t after_us) {
    board.now += after_us;
    node.poll();
    FUZZ_CHECK(board.bad_tiles == 0, "a tile of a bad size was started");
    if (node.enrolled()) {
      FUZZ_CHECK(
          node.address() >= i2c::kFirstNodeAddress && node.address() < i2c::kFirstNodeAddress + 64,
          "the secondary took an address outside the node range");
      FUZZ_CHECK(board.listen_address == node.address() && board.handler == &node,
                 "the secondary listens elsewhere than its address");
    }
  }

  // A write transfer from a clean bus: [register][bytes], stop.
  void write(uint8_t reg, const uint8_t* p, size_t n) {
    clean_bus();
    receive(reg);
    for (size_t i = 0; i < n; ++i) receive(p[i]);
    finish();
  }

  // A register read from a clean bus: [register], repeated start, n bytes, stop.
  std::vector<uint8_t> read(uint8_t reg, size_t n) {
    clean_bus();
    receive(reg);
    finish();  // the repeated start
    std::vector<uint8_t> b(n);
    for (uint8_t& x : b) x = request();
    finish();
    return b;
  }

  i2c::StatusBlock read_status() {
    std::vector<uint8_t> b = read(static_cast<uint8_t>(i2c::Reg::status), i2c::kStatusLen + kSlack);
    i2c::StatusBlock s;
    FUZZ_CHECK(i2c::parse(b.data(), i2c::kStatusLen, &s), "STATUS does not parse");
    FUZZ_CHECK(all_ff(b, i2c::kStatusLen), "STATUS ran past its length");
    FUZZ_CHECK(s.ready + s.free <= i2c::kSlots, "STATUS counts more slots than there are");
    FUZZ_CHECK((s.ready == 0) == (s.ready_len == 0), "STATUS ready and ready_len disagree");
    FUZZ_CHECK(s.ready_len <= kTileBlockMax, "STATUS names a block longer than any tile block");
    return s;
  }

  // POLL: the sweep's few STATUS fields under a CRC-8.
  i2c::StatusBlock read_poll() {
    std::vector<uint8_t> b = read(static_cast<uint8_t>(i2c::Reg::poll), i2c::kPollLen + kSlack);
    i2c::StatusBlock s;
    FUZZ_CHECK(i2c::parse_poll(b.data(), i2c::kPollLen, &s), "POLL does not parse");
    FUZZ_CHECK(all_ff(b, i2c::kPollLen), "POLL ran past its length");
    FUZZ_CHECK(s.ready + s.free <= i2c::kSlots, "POLL counts more slots than there are");
    FUZZ_CHECK((s.ready == 0) == (s.ready_len == 0), "POLL ready and ready_len disagree");
    FUZZ_CHECK(s.ready_len <= kTileBlockMax, "POLL names a block longer than any tile block");
    return s;
  }

  void read_register(uint8_t reg) {
    switch (static_cast<i2c::Reg>(reg)) {
      case i2c::Reg::status: read_status(); return;
      case i2c::Reg::poll: read_poll(); return;
      case i2c::Reg::ident: {
        std::vector<uint8_t> b = read(reg, i2c::kIdentLen + kSlack);
        i2c::IdentBlock id;
        FUZZ_CHECK(i2c::parse(b.data(), i2c::kIdentLen, &id), "IDENT does not parse");
        FUZZ_CHECK(id.unique_id == FakeBoard::kUniqueId && id.cores == 2, "IDENT is wrong");
        FUZZ_CHECK(all_ff(b, i2c::kIdentLen), "IDENT ran past its length");
        return;
      }
      case i2c::Reg::echo: {
        std::vector<uint8_t> b = read(reg, i2c::kEchoMax + 4 + kSlack);
        bool found = false;
        for (size_t n = 0; n <= i2c::kEchoMax && !found; ++n)
          found = i2c::sealed(b.data(), n + 4) && all_ff(b, n + 4);
        FUZZ_CHECK(found, "ECHO is no sealed block of at most 32 bytes");
        return;
      }
      case i2c::Reg::result: collect(false); return;
      default: {
        std::vector<uint8_t> b = read(reg, kSlack);
        FUZZ_CHECK(all_ff(b, 0), "a register with nothing to read returned data");
        return;
      }
    }
  }

  // STATUS (or POLL), then RESULT (checked), then optionally its ACK.
  void collect(bool ack, bool poll = false) {
    i2c::StatusBlock s = poll ? read_poll() : read_status();
    std::vector<uint8_t> b =
        read(static_cast<uint8_t>(i2c::Reg::result), size_t{s.ready_len} + kSlack);
    FUZZ_CHECK(all_ff(b, s.ready_len), "RESULT ran past STATUS.ready_len");
    if (s.ready_len == 0) return;
    TileHeader h;
    const uint8_t* payload = nullptr;
    FUZZ_CHECK(tile_block_parse(b.data(), s.ready_len, &h, &payload), "RESULT is no tile block");
    FUZZ_CHECK(h.node == node.address(), "RESULT names another node");
    std::vector<uint16_t> counts(size_t{h.rect.w} * h.rect.h);
    FUZZ_CHECK(
        tile_decode_codec(h.codec, payload, h.payload_len, h.rect.w, h.rect.h, counts.data()),
        "RESULT's payload does not decode");
    last_tile = h.tile_index;
    if (!ack) return;
    i2c::AckBlock a;
    a.tile_index = h.tile_index;
    write_block(i2c::Reg::ack, a);
  }

  template <typename Block>
  void write_block(i2c::Reg reg, const Block& b) {
    uint8_t buf[128];
    size_t n = i2c::build(b, buf, sizeof buf);
    FUZZ_CHECK(n != 0, "the harness could not build a block");
    write(static_cast<uint8_t>(reg), buf, n);
  }

  void write_magic(i2c::Reg reg, uint8_t magic) {
    uint8_t buf[8];
    write(static_cast<uint8_t>(reg), buf, i2c::build_magic(magic, buf, sizeof buf));
  }

  void well_formed(uint8_t which, Input& in) {
    switch (which) {
      case 0: {
        static const Precision kPrec[3] = {Precision::p32, Precision::p64, Precision::p128};
        i2c::JobBlock j;
        j.job_id = in.u16();
        j.geometry.precision = kPrec[in.u8() % 3];
        j.geometry.max_iter = static_cast<uint16_t>(in.u16() | 1);
        j.geometry.width = static_cast<uint16_t>(in.u16() | 1);
        j.geometry.height = static_cast<uint16_t>(in.u16() | 1);
        // Any top limb: a corner anywhere in [-16, 16), far outside what a host may ask.
        for (Coord* c : {&j.geometry.region.x0, &j.geometry.region.x1, &j.geometry.region.y0,
                         &j.geometry.region.y1}) {
          *c = fx::zero<4>();
          c->w[3] = in.u32();
        }
        last_job = j.job_id;
        write_block(i2c::Reg::job, j);
        return;
      }
      case 1: {
        i2c::TileAssign t;
        uint8_t f = in.u8();
        t.job_id = (f & 1) ? last_job : in.u16();
        t.tile_index = in.u8();
        t.rect.x = (f & 2) ? in.u16() : static_cast<uint16_t>(in.u8() % 4 * 64);
        t.rect.y = (f & 2) ? in.u16() : static_cast<uint16_t>(in.u8() % 4 * 64);
        t.rect.w = static_cast<uint8_t>(1 + in.u8() % 64);
        t.rect.h = static_cast<uint8_t>(1 + in.u8() % 64);
        write_block(i2c::Reg::tile, t);
        return;
      }
      case 2: {
        i2c::AckBlock a;
        uint8_t f = in.u8();
        a.tile_index = (f & 1) ? last_tile : in.u8();
        write_block(i2c::Reg::ack, a);
        return;
      }
      case 3: {
        i2c::ClaimBlock c;
        uint8_t f = in.u8();
        c.unique_id = (f & 1) ? FakeBoard::kUniqueId : in.u64();
        c.address = static_cast<uint8_t>(i2c::kFirstNodeAddress + in.u8() % 64);
        write_block(i2c::Reg::claim, c);
        return;
      }
      case 4: write_magic(i2c::Reg::reset, i2c::kResetMagic); return;
      case 5: write_magic(i2c::Reg::backoff, i2c::kBackoffMagic); return;
      case 6: {
        size_t got = 0;
        const uint8_t* p = in.take(in.u8() % (i2c::kEchoMax + 1), &got);
        uint8_t buf[i2c::kEchoMax + 4];
        write(static_cast<uint8_t>(i2c::Reg::echo), buf, i2c::build_echo(p, got, buf, sizeof buf));
        return;
      }
      default: {
        // Enrolment: its first try comes within 2 ms of start, then the controller's claim.
        pass(3000);
        i2c::ClaimBlock c;
        c.unique_id = FakeBoard::kUniqueId;
        c.address = static_cast<uint8_t>(i2c::kFirstNodeAddress + in.u8() % 64);
        write_block(i2c::Reg::claim, c);
        pass(0);
        return;
      }
    }
  }

 private:
  // A one-byte read and a stop: whatever transfer raw events left open is over.
  void clean_bus() {
    request();
    finish();
  }

  size_t read_pos_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  auto h = std::make_unique<Harness>();
  h->board.compute_us = 100;
  h->node.start();
  while (!in.empty()) {
    uint8_t op = in.u8();
    switch (op >> 5) {
      case 0:
        for (int i = 0; i <= (op & 31); ++i) h->receive(in.u8());
        break;
      case 1:
        for (int i = 0; i <= (op & 31); ++i) h->request();
        break;
      case 2: h->finish(); break;
      case 3: h->pass(uint64_t{op & 31u} * 100); break;
      case 4: h->read_register(in.u8()); break;
      case 5: {
        uint8_t reg = in.u8();
        size_t got = 0;
        const uint8_t* p = in.take(in.u8() % 100u, &got);
        std::vector<uint8_t> bytes(p, p + got);
        if ((op & 1) && got >= 4) i2c::seal(bytes.data(), got - 4);
        h->write(reg, bytes.data(), got);
        break;
      }
      case 6: h->well_formed(op & 7, in); break;
      default: h->collect(true, op & 1); break;
    }
  }
  return 0;
}
