// Fuzz target: every message decoder of the host link (protocol.h) and every block parser of the
// I2C register map (i2c_map.h).
//
// Input: a selector byte, then the body. The low 5 bits pick the parser (message_kind in fuzz.h,
// modulo their number); bit 7 reseals an I2C block first (its last 4 bytes replaced by the CRC of
// the rest), so the fuzzer reaches the field checks behind the CRC. A body that parses must encode
// back to the very same bytes where the format has one spelling; where it has several (strings cut
// at their capacity or at a NUL, fields a later minor version appends or an earlier one left out),
// decoding what it encodes to must give the same message again.
#include <cstring>
#include <vector>

#include "fuzz.h"
#include "picocray/crc32.h"
#include "picocray/i2c_map.h"
#include "picocray/protocol.h"

using namespace picocray;
using picocray_fuzz::Input;
using namespace picocray_fuzz::message_kind;

namespace {

uint8_t scratch[4096];

bool same_bytes(const uint8_t* a, size_t an, const uint8_t* b, size_t bn) {
  return an == bn && (an == 0 || std::memcmp(a, b, an) == 0);
}

// decode, then encode must give back the body it read: the message has one spelling.
template <typename Msg>
void canonical(const uint8_t* p, size_t n, bool whole) {
  Msg m;
  Reader r(p, n);
  if (!decode(r, &m)) return;
  FUZZ_CHECK(!whole || r.done(), "a decoder accepted a body with bytes left over");
  Writer w(scratch, sizeof scratch);
  encode(w, m);
  FUZZ_CHECK(w.ok(), "a decoded message did not encode");
  FUZZ_CHECK(same_bytes(scratch, w.size(), p, r.pos()),
             "a decoded message encoded to other bytes than it was read from");
}

template <typename Msg>
Msg redecode(const Msg& m) {
  Writer w(scratch, sizeof scratch);
  encode(w, m);
  FUZZ_CHECK(w.ok(), "a decoded message did not encode");
  Msg again;
  Reader r(scratch, w.size());
  FUZZ_CHECK(decode(r, &again), "a decoded message, encoded, did not decode");
  FUZZ_CHECK(r.done(), "a decoded message, encoded, left bytes over");
  return again;
}

void hello_reply(const uint8_t* p, size_t n) {
  HelloReply m;
  Reader r(p, n);
  if (!decode(r, &m)) return;
  // Another major stops after the version: the rest is for that major's decoder.
  if (m.proto_major != kProtocolMajor) return;
  FUZZ_CHECK(std::memchr(m.board, 0, sizeof m.board) != nullptr, "board name not terminated");
  HelloReply a = redecode(m);
  FUZZ_CHECK(a.proto_minor == m.proto_minor && a.fw_major == m.fw_major &&
                 a.fw_minor == m.fw_minor && a.fw_patch == m.fw_patch &&
                 a.unique_id == m.unique_id && a.role == m.role &&
                 a.capabilities == m.capabilities && a.max_frame_body == m.max_frame_body &&
                 a.node_count == m.node_count && std::strcmp(a.board, m.board) == 0,
             "HELLO answer changed on re-encoding");
}

void error_reply(const uint8_t* p, size_t n) {
  ErrorReply m;
  Reader r(p, n);
  if (!decode(r, &m)) return;
  FUZZ_CHECK(std::memchr(m.text, 0, sizeof m.text) != nullptr, "error text not terminated");
  ErrorReply a = redecode(m);
  FUZZ_CHECK(a.code == m.code && std::strcmp(a.text, m.text) == 0,
             "ERROR answer changed on re-encoding");
}

// The NODES answer as a host reads it: a count, then that many entries, nothing after.
void nodes_answer(const uint8_t* p, size_t n) {
  Reader r(p, n);
  uint8_t count = r.u8();
  std::vector<NodeEntry> e(count);
  for (NodeEntry& x : e)
    if (!decode(r, &x)) return;
  if (!r.done()) return;
  Writer w(scratch, sizeof scratch);
  w.u8(count);
  for (const NodeEntry& x : e) encode(w, x);
  FUZZ_CHECK(w.ok() && same_bytes(scratch, w.size(), p, n), "NODES answer changed on re-encoding");
}

// RENDER's summary: a 1.0 controller ends it after per_node, 1.1 appends nodes_lost and flags.
// Each layout has one spelling, and decoding says which one it read.
void render_summary(const uint8_t* p, size_t n) {
  canonical<RenderSummary>(p, n, true);
}

// RENDER: the 1.0/1.1 body, or 1.2's with a subset appended. A subset of no ranges is the one
// message with two spellings: a count of 0 is never written, the field is left out instead.
void render_request(const uint8_t* p, size_t n) {
  RenderRequest m;
  Reader r(p, n);
  if (!decode(r, &m)) return;
  const char* why = nullptr;
  if (m.subset.count > kMaxTileRanges) {
    // Decoded whole, held only in part: the job must be refused.
    FUZZ_CHECK(!validate(m, &why), "a job with more than 64 tile ranges was accepted");
    return;
  }
  if (n == 83 && p[82] == 0) {
    Writer w(scratch, sizeof scratch);
    encode(w, m);
    FUZZ_CHECK(w.ok() && same_bytes(scratch, w.size(), p, 82),
               "a subset of no ranges did not encode as the 1.1 body");
  } else {
    canonical<RenderRequest>(p, n, true);
  }
  if (!validate(m, &why)) return;
  // A valid subset names tiles of the grid, in index order.
  const uint32_t size = subset_size(m);
  FUZZ_CHECK(size >= 1 && size <= tile_count(m.geometry), "a valid subset has a bad size");
  FUZZ_CHECK(subset_tile(m, size - 1) < tile_count(m.geometry) &&
                 (size == 1 || subset_tile(m, 0) < subset_tile(m, size - 1)),
             "a valid subset names tiles outside the grid or out of order");
  // A valid job's grid covers the image exactly: its first and last tiles lie inside it.
  uint32_t count = tile_count(m.geometry);
  FUZZ_CHECK(count >= 1, "a valid job has no tiles");
  for (uint32_t index : {0u, count - 1}) {
    TileTask t = tile_task(m.geometry, index);
    FUZZ_CHECK(t.rect.w >= 1 && t.rect.h >= 1 && t.rect.w <= m.geometry.tile_w &&
                   t.rect.h <= m.geometry.tile_h,
               "a tile of a valid job has a bad size");
    FUZZ_CHECK(uint32_t{t.rect.x} + t.rect.w <= m.geometry.width &&
                   uint32_t{t.rect.y} + t.rect.h <= m.geometry.height,
               "a tile of a valid job reaches past the image");
  }
  TileTask last = tile_task(m.geometry, count - 1);
  FUZZ_CHECK(uint32_t{last.rect.x} + last.rect.w == m.geometry.width &&
                 uint32_t{last.rect.y} + last.rect.h == m.geometry.height,
             "the last tile of a valid job does not end at the image corner");
}

// An I2C block: parse, then build must give back the same bytes.
template <typename Block>
void block(const uint8_t* p, size_t n) {
  Block b;
  if (!i2c::parse(p, n, &b)) return;
  FUZZ_CHECK(i2c::sealed(p, n), "a block with a bad CRC parsed");
  size_t m = i2c::build(b, scratch, sizeof scratch);
  FUZZ_CHECK(same_bytes(scratch, m, p, n), "a parsed block built to other bytes");
}

// POLL: CRC-8 guarded, and it carries only the low 16 bits of last_tile.
void poll_block(const uint8_t* p, size_t n) {
  i2c::StatusBlock b;
  if (!i2c::parse_poll(p, n, &b)) return;
  FUZZ_CHECK(b.ready <= i2c::kSlots && b.free <= i2c::kSlots, "POLL counts more slots than exist");
  FUZZ_CHECK(b.last_tile <= 0xFFFF, "POLL gave more than 16 bits of last_tile");
  size_t m = i2c::build_poll(b, scratch, sizeof scratch);
  FUZZ_CHECK(same_bytes(scratch, m, p, n), "a parsed POLL block built to other bytes");
}

void magic(const uint8_t* p, size_t n, uint8_t value) {
  if (!i2c::parse_magic(p, n, value)) return;
  size_t m = i2c::build_magic(value, scratch, sizeof scratch);
  FUZZ_CHECK(same_bytes(scratch, m, p, n), "a parsed magic block built to other bytes");
}

void echo(const uint8_t* p, size_t n) {
  if (n < 4 || n > i2c::kEchoMax + 4 || !i2c::sealed(p, n)) return;
  size_t m = i2c::build_echo(p, n - 4, scratch, sizeof scratch);
  FUZZ_CHECK(same_bytes(scratch, m, p, n), "a sealed echo block built to other bytes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  uint8_t sel = in.u8();
  size_t n = 0;
  const uint8_t* src = in.rest(&n);
  std::vector<uint8_t> body(src, src + n);
  if ((sel & 0x80) && n >= 4) i2c::seal(body.data(), n - 4);
  const uint8_t* p = body.data();
  switch ((sel & 0x1F) % kKinds) {
    case kHelloRequest: canonical<HelloRequest>(p, n, true); break;
    case kHelloReply: hello_reply(p, n); break;
    case kInfoReply: canonical<InfoReply>(p, n, true); break;
    case kNodeEntry: canonical<NodeEntry>(p, n, false); break;
    case kNodesAnswer: nodes_answer(p, n); break;
    case kRenderRequest: render_request(p, n); break;
    case kRenderSummary: render_summary(p, n); break;
    case kProgressUpdate: canonical<ProgressUpdate>(p, n, true); break;
    case kResetRequest: canonical<ResetRequest>(p, n, true); break;
    case kErrorReply: error_reply(p, n); break;
    case kStatusBlock: block<i2c::StatusBlock>(p, n); break;
    case kPollBlock: poll_block(p, n); break;
    case kIdentBlock: block<i2c::IdentBlock>(p, n); break;
    case kJobBlock: block<i2c::JobBlock>(p, n); break;
    case kTileAssign: block<i2c::TileAssign>(p, n); break;
    case kAckBlock: block<i2c::AckBlock>(p, n); break;
    case kClaimBlock: block<i2c::ClaimBlock>(p, n); break;
    case kResetMagic: magic(p, n, i2c::kResetMagic); break;
    case kBackoffMagic: magic(p, n, i2c::kBackoffMagic); break;
    case kEcho: echo(p, n); break;
  }
  return 0;
}
