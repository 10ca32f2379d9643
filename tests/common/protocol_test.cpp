#include "picocray/protocol.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "picocray/palette.h"
#include "test_util.h"

using namespace picocray;
using picocray_test::dec;
using picocray_test::same;
using Bytes = std::vector<uint8_t>;

namespace {

template <typename M>
Bytes body_of(const M& m) {
  Bytes buf(1024);
  Writer w(buf.data(), buf.size());
  encode(w, m);
  REQUIRE(w.ok());
  buf.resize(w.size());
  return buf;
}

template <typename M>
bool decode_body(const Bytes& b, M* m) {
  Reader r(b.data(), b.size());
  return decode(r, m);
}

// Checks that a one-byte-short body and a one-byte-long body both fail to decode.
template <typename M>
void check_exact_length(const M& m) {
  Bytes b = body_of(m);
  M out;
  CHECK(decode_body(b, &out));
  Bytes shorter(b.begin(), b.end() - 1);
  CHECK_MESSAGE(!decode_body(shorter, &out), "a body one byte short decoded");
  Bytes longer = b;
  longer.push_back(0);
  CHECK_MESSAGE(!decode_body(longer, &out), "a body one byte long decoded");
}

RenderRequest sample_job() {
  RenderRequest m;
  m.geometry.precision = Precision::p64;
  m.geometry.max_iter = 1000;
  m.geometry.width = 640;
  m.geometry.height = 480;
  m.geometry.tile_w = 32;
  m.geometry.tile_h = 16;
  m.node_mask = 0x8000000000000005ull;
  m.flags = RenderRequest::kRenderUseController;
  m.geometry.region.x0 = dec("-2.5");
  m.geometry.region.x1 = dec("1");
  m.geometry.region.y0 = dec("-1.25");
  m.geometry.region.y1 = dec("1.25");
  return m;
}

}  // namespace

TEST_CASE("protocol: HelloRequest round-trips and is two bytes") {
  HelloRequest m;
  m.major = 3;
  m.minor = 9;
  Bytes b = body_of(m);
  CHECK(b == Bytes{3, 9});
  HelloRequest out;
  out.major = out.minor = 0;
  REQUIRE(decode_body(b, &out));
  CHECK(out.major == 3);
  CHECK(out.minor == 9);
  check_exact_length(m);
}

TEST_CASE("protocol: HelloReply round-trips") {
  HelloReply m;
  m.fw_major = 1;
  m.fw_minor = 2;
  m.fw_patch = 3;
  m.unique_id = 0xE660583883123456ull;
  m.role = Role::secondary;
  m.capabilities = kCapSimulated | kCapFixed32 | kCapFixed64 | kCapFixed128;
  m.max_frame_body = 16376;
  m.node_count = 17;
  std::strcpy(m.board, "pico-sim");
  Bytes b = body_of(m);
  CHECK(b.size() == 1 + 1 + 3 + 8 + 1 + 4 + 2 + 1 + 1 + 8);
  HelloReply out;
  REQUIRE(decode_body(b, &out));
  CHECK(out.proto_major == kProtocolMajor);
  CHECK(out.proto_minor == kProtocolMinor);
  CHECK(out.fw_major == 1);
  CHECK(out.fw_minor == 2);
  CHECK(out.fw_patch == 3);
  CHECK(out.unique_id == 0xE660583883123456ull);
  CHECK(out.role == Role::secondary);
  CHECK(out.capabilities == m.capabilities);
  CHECK(out.max_frame_body == 16376);
  CHECK(out.node_count == 17);
  CHECK(std::string(out.board) == "pico-sim");

  Bytes shorter(b.begin(), b.end() - 1);
  CHECK_FALSE(decode_body(shorter, &out));
}

TEST_CASE("protocol: HelloReply from another major stops after the version") {
  const Bytes b = {static_cast<uint8_t>(kProtocolMajor + 1), 0, 0xAA, 0xBB};
  HelloReply out;
  CHECK(decode_body(b, &out));
  CHECK(out.proto_major == kProtocolMajor + 1);
}

TEST_CASE("protocol: InfoReply round-trips") {
  InfoReply m;
  m.cpu_hz = 125000000;
  m.i2c_hz = 1000000;
  m.node_count = 64;
  m.uptime_us = 0x123456789ABCull;
  m.link.frames_in = 1;
  m.link.frames_out = 2;
  m.link.crc_errors = 3;
  m.link.malformed = 4;
  m.link.overlong = 5;
  m.jobs_done = 6;
  Bytes b = body_of(m);
  CHECK(b.size() == 4 + 4 + 1 + 8 + 5 * 4 + 4);
  InfoReply out;
  REQUIRE(decode_body(b, &out));
  CHECK(out.cpu_hz == 125000000);
  CHECK(out.i2c_hz == 1000000);
  CHECK(out.node_count == 64);
  CHECK(out.uptime_us == 0x123456789ABCull);
  CHECK(out.link.frames_in == 1);
  CHECK(out.link.frames_out == 2);
  CHECK(out.link.crc_errors == 3);
  CHECK(out.link.malformed == 4);
  CHECK(out.link.overlong == 5);
  CHECK(out.jobs_done == 6);
  Bytes shorter(b.begin(), b.end() - 1);
  CHECK_FALSE(decode_body(shorter, &out));
}

// protocol.h: "decode_* return false on a short, long or invalid body". HelloReply documents an
// exception (a later minor may append fields) and NodeEntry is read as one record of a list;
// InfoReply has neither excuse.
TEST_CASE("protocol: InfoReply with one extra byte fails decode") {
  InfoReply m;
  m.cpu_hz = 1;
  check_exact_length(m);
}

TEST_CASE("protocol: NodeEntry round-trips and rejects an unknown state") {
  NodeEntry m;
  m.index = 5;
  m.address = 0x15;
  m.unique_id = 0xDEADBEEFCAFEF00Dull;
  m.state = NodeState::lost;
  m.cores = 2;
  m.fw_major = 0;
  m.fw_minor = 1;
  m.fw_patch = 0;
  m.tiles_done = 1234;
  m.integrity_errors = 2;
  m.retries = 3;
  m.last_seen_ms = 4567;
  Bytes b = body_of(m);
  CHECK(b.size() == 1 + 1 + 8 + 1 + 1 + 3 + 4 * 4);
  NodeEntry out;
  REQUIRE(decode_body(b, &out));
  CHECK(out.index == 5);
  CHECK(out.address == 0x15);
  CHECK(out.unique_id == 0xDEADBEEFCAFEF00Dull);
  CHECK(out.state == NodeState::lost);
  CHECK(out.cores == 2);
  CHECK(out.fw_minor == 1);
  CHECK(out.tiles_done == 1234);
  CHECK(out.integrity_errors == 2);
  CHECK(out.retries == 3);
  CHECK(out.last_seen_ms == 4567);

  Bytes bad = b;
  bad[10] = 3;  // state byte
  CHECK_FALSE(decode_body(bad, &out));
  Bytes shorter(b.begin(), b.end() - 1);
  CHECK_FALSE(decode_body(shorter, &out));
}

TEST_CASE("protocol: several NodeEntry records read back to back from one body") {
  Bytes buf(256);
  Writer w(buf.data(), buf.size());
  for (uint8_t i = 0; i < 3; ++i) {
    NodeEntry e;
    e.index = i;
    e.address = static_cast<uint8_t>(0x10 + i);
    e.unique_id = 1000u + i;
    encode(w, e);
  }
  REQUIRE(w.ok());
  Reader r(buf.data(), w.size());
  for (uint8_t i = 0; i < 3; ++i) {
    NodeEntry e;
    REQUIRE(decode(r, &e));
    CHECK(e.index == i);
    CHECK(e.address == 0x10 + i);
    CHECK(e.unique_id == 1000u + i);
  }
  CHECK(r.done());
}

TEST_CASE("protocol: RenderRequest round-trips in exactly 82 bytes") {
  const RenderRequest m = sample_job();
  Bytes b = body_of(m);
  CHECK(b.size() == 82);
  // Spot-check the layout: precision, then max_iter LE, width LE.
  CHECK(b[0] == 64);
  CHECK(b[1] == (1000 & 0xFF));
  CHECK(b[2] == (1000 >> 8));
  CHECK(b[3] == (640 & 0xFF));
  CHECK(b[4] == (640 >> 8));
  CHECK(b[17] == RenderRequest::kRenderUseController);

  RenderRequest out;
  REQUIRE(decode_body(b, &out));
  CHECK(out.geometry.precision == Precision::p64);
  CHECK(out.geometry.max_iter == 1000);
  CHECK(out.geometry.width == 640);
  CHECK(out.geometry.height == 480);
  CHECK(out.geometry.tile_w == 32);
  CHECK(out.geometry.tile_h == 16);
  CHECK(out.node_mask == 0x8000000000000005ull);
  CHECK(out.flags == RenderRequest::kRenderUseController);
  CHECK(same(out.geometry.region.x0, m.geometry.region.x0));
  CHECK(same(out.geometry.region.x1, m.geometry.region.x1));
  CHECK(same(out.geometry.region.y0, m.geometry.region.y0));
  CHECK(same(out.geometry.region.y1, m.geometry.region.y1));
  CHECK(out.subset.count == 0);
  // One byte short fails; one byte more is the 1.2 body with a range count of 0 (every tile); a
  // byte past that is a range cut short.
  Bytes shorter(b.begin(), b.end() - 1);
  CHECK_FALSE(decode_body(shorter, &out));
  Bytes zero_ranges = b;
  zero_ranges.push_back(0);
  CHECK(decode_body(zero_ranges, &out));
  CHECK(out.subset.count == 0);
  Bytes longer = zero_ranges;
  longer.push_back(0);
  CHECK_FALSE(decode_body(longer, &out));
}

TEST_CASE("protocol: RenderSummary round-trips with several per-node entries") {
  RenderSummary m;
  m.tiles = 300;
  m.iterations = 0x1122334455ull;
  m.elapsed_us = 987654321;
  m.i2c_bytes = 0xABCDEF012ull;
  m.i2c_transactions = 4242;
  m.retries = 7;
  m.integrity_errors = 1;
  m.node_count = 4;
  m.per_node[0] = {0, 100};
  m.per_node[1] = {1, 90};
  m.per_node[2] = {2, 80};
  m.per_node[3] = {0xFF, 30};
  m.nodes_lost = 2;
  m.flags = RenderSummary::kFinishedOnController;
  Bytes b = body_of(m);
  // Protocol 1.1 appends nodes_lost and flags.
  CHECK(b.size() == 4 + 8 + 8 + 8 + 4 + 4 + 4 + 1 + 4 * 5 + 1 + 1);
  RenderSummary out;
  REQUIRE(decode_body(b, &out));
  CHECK(out.tiles == 300);
  CHECK(out.iterations == 0x1122334455ull);
  CHECK(out.elapsed_us == 987654321);
  CHECK(out.i2c_bytes == 0xABCDEF012ull);
  CHECK(out.i2c_transactions == 4242);
  CHECK(out.retries == 7);
  CHECK(out.integrity_errors == 1);
  REQUIRE(out.node_count == 4);
  CHECK(out.per_node[0].node == 0);
  CHECK(out.per_node[0].tiles == 100);
  CHECK(out.per_node[2].node == 2);
  CHECK(out.per_node[2].tiles == 80);
  CHECK(out.per_node[3].node == 0xFF);
  CHECK(out.nodes_lost == 2);
  CHECK(out.flags == RenderSummary::kFinishedOnController);
  CHECK(out.per_node[3].tiles == 30);
  check_exact_length(m);
}

TEST_CASE("protocol: RenderSummary with more entries than nodes plus the controller fails") {
  RenderSummary m;
  m.node_count = kMaxNodes + 1;
  for (int i = 0; i < m.node_count; ++i) m.per_node[i] = {static_cast<uint8_t>(i), 1};
  RenderSummary out;
  CHECK(decode_body(body_of(m), &out));
  Bytes b = body_of(m);
  b[4 + 8 + 8 + 8 + 4 + 4 + 4] = kMaxNodes + 2;
  b.push_back(0);
  b.insert(b.end(), 4, 0);
  CHECK_FALSE(decode_body(b, &out));
}

TEST_CASE("protocol: ProgressUpdate, ResetRequest and ErrorReply round-trip") {
  ProgressUpdate p;
  p.tiles_done = 12;
  p.tiles_total = 300;
  ProgressUpdate pout;
  REQUIRE(decode_body(body_of(p), &pout));
  CHECK(pout.tiles_done == 12);
  CHECK(pout.tiles_total == 300);
  CHECK(body_of(p).size() == 8);
  check_exact_length(p);

  ResetRequest r;
  r.kind = ResetKind::bootsel;
  r.node_mask = 0x00FF00FF00FF00FFull;
  ResetRequest rout;
  REQUIRE(decode_body(body_of(r), &rout));
  CHECK(rout.kind == ResetKind::bootsel);
  CHECK(rout.node_mask == 0x00FF00FF00FF00FFull);
  CHECK(body_of(r).size() == 9);
  check_exact_length(r);
  Bytes badkind = body_of(r);
  badkind[0] = 0;
  CHECK_FALSE(decode_body(badkind, &rout));
  badkind[0] = 5;
  CHECK_FALSE(decode_body(badkind, &rout));

  ErrorReply e;
  e.code = ErrorCode::bad_job;
  std::strcpy(e.text, "region needs X0 < X1");
  ErrorReply eout;
  REQUIRE(decode_body(body_of(e), &eout));
  CHECK(eout.code == ErrorCode::bad_job);
  CHECK(std::string(eout.text) == "region needs X0 < X1");
  CHECK(body_of(e).size() == 2 + 1 + std::strlen(e.text));
  check_exact_length(e);
  CHECK(std::string(error_name(ErrorCode::bad_job)) == "bad_job");
  CHECK(std::string(error_name(static_cast<ErrorCode>(99))) == "unknown");
}

TEST_CASE("protocol: validate accepts a normal job") {
  const char* why = nullptr;
  CHECK(validate(sample_job(), &why));

  RenderRequest edge = sample_job();
  edge.geometry.width = 16384;
  edge.geometry.height = 4096;  // exactly 2^26 pixels
  edge.geometry.tile_w = 64;
  edge.geometry.tile_h = 1;
  edge.geometry.max_iter = 65535;
  edge.geometry.region.x0 = dec("-4");
  edge.geometry.region.x1 = dec("4");
  edge.node_mask = 0;  // the controller alone
  CHECK_MESSAGE(validate(edge, &why), (why ? why : ""));
}

TEST_CASE("protocol: validate rejects each documented limit with a reason") {
  struct Case {
    const char* name;
    void (*change)(RenderRequest&);
  };
  const Case cases[] = {
      {"X0 == X1", [](RenderRequest& m) { m.geometry.region.x0 = m.geometry.region.x1; }},
      {"X0 > X1", [](RenderRequest& m) { std::swap(m.geometry.region.x0, m.geometry.region.x1); }},
      {"Y0 == Y1", [](RenderRequest& m) { m.geometry.region.y1 = m.geometry.region.y0; }},
      {"Y0 > Y1", [](RenderRequest& m) { std::swap(m.geometry.region.y0, m.geometry.region.y1); }},
      {"width 0", [](RenderRequest& m) { m.geometry.width = 0; }},
      {"height 0", [](RenderRequest& m) { m.geometry.height = 0; }},
      {"width 16385",
       [](RenderRequest& m) {
         m.geometry.width = 16385;
         m.geometry.height = 1;
       }},
      {"height 16385",
       [](RenderRequest& m) {
         m.geometry.height = 16385;
         m.geometry.width = 1;
       }},
      {"pixels over 2^26",
       [](RenderRequest& m) {
         m.geometry.width = 8192;
         m.geometry.height = 8193;
       }},
      {"iterations 0", [](RenderRequest& m) { m.geometry.max_iter = 0; }},
      {"tile width 0", [](RenderRequest& m) { m.geometry.tile_w = 0; }},
      {"tile height 0", [](RenderRequest& m) { m.geometry.tile_h = 0; }},
      {"tile width 65", [](RenderRequest& m) { m.geometry.tile_w = 65; }},
      {"tile height 65", [](RenderRequest& m) { m.geometry.tile_h = 65; }},
      {"precision 7", [](RenderRequest& m) { m.geometry.precision = static_cast<Precision>(7); }},
      {"precision 0", [](RenderRequest& m) { m.geometry.precision = static_cast<Precision>(0); }},
      {"X0 below -4",
       [](RenderRequest& m) {
         m.geometry.region.x0 = dec("-4.0000000000000000000000000000000001");
       }},
      {"X1 above 4", [](RenderRequest& m) { m.geometry.region.x1 = dec("4.5"); }},
      {"Y0 below -4", [](RenderRequest& m) { m.geometry.region.y0 = dec("-5"); }},
      {"Y1 above 4", [](RenderRequest& m) { m.geometry.region.y1 = dec("15.9"); }},
      {"no node and no controller",
       [](RenderRequest& m) {
         m.node_mask = 0;
         m.flags = 0;
       }},
  };
  for (const Case& c : cases) {
    INFO("case: " << c.name);
    RenderRequest m = sample_job();
    c.change(m);
    const char* why = nullptr;
    CHECK_FALSE(validate(m, &why));
    REQUIRE(why != nullptr);
    CHECK(std::strlen(why) > 0);
  }
}

TEST_CASE("protocol: the tile grid of a 100x70 image in 32x32 tiles") {
  RenderRequest m = sample_job();
  m.geometry.width = 100;
  m.geometry.height = 70;
  m.geometry.tile_w = 32;
  m.geometry.tile_h = 32;
  CHECK(tiles_across(m.geometry) == 4);
  CHECK(tiles_down(m.geometry) == 3);
  REQUIRE(tile_count(m.geometry) == 12);

  struct Want {
    uint32_t index;
    uint16_t x, y;
    uint8_t w, h;
  };
  const Want wants[] = {
      {0, 0, 0, 32, 32}, {1, 32, 0, 32, 32},  {3, 96, 0, 4, 32},  {4, 0, 32, 32, 32},
      {8, 0, 64, 32, 6}, {10, 64, 64, 32, 6}, {11, 96, 64, 4, 6},
  };
  for (const Want& want : wants) {
    CAPTURE(want.index);
    TileTask t = tile_task(m.geometry, want.index);
    CHECK(t.rect.x == want.x);
    CHECK(t.rect.y == want.y);
    CHECK(t.rect.w == want.w);
    CHECK(t.rect.h == want.h);
    CHECK(t.geometry.width == 100);
    CHECK(t.geometry.height == 70);
    CHECK(t.geometry.precision == m.geometry.precision);
    CHECK(t.geometry.max_iter == m.geometry.max_iter);
    CHECK(same(t.geometry.region.x0, m.geometry.region.x0));
    CHECK(same(t.geometry.region.y1, m.geometry.region.y1));
  }

  // The tiles cover every pixel exactly once.
  std::vector<int> cover(100 * 70, 0);
  for (uint32_t i = 0; i < tile_count(m.geometry); ++i) {
    TileTask t = tile_task(m.geometry, i);
    for (int y = t.rect.y; y < t.rect.y + t.rect.h; ++y)
      for (int x = t.rect.x; x < t.rect.x + t.rect.w; ++x)
        ++cover[static_cast<size_t>(y * 100 + x)];
  }
  for (size_t i = 0; i < cover.size(); ++i) REQUIRE_MESSAGE(cover[i] == 1, "pixel " << i);
}

TEST_CASE("protocol: a 1.5 RENDER with kRenderDisplay carries its palette after the subset") {
  RenderRequest m = sample_job();
  m.flags = RenderRequest::kRenderUseController | RenderRequest::kRenderDisplay;
  m.display_palette = 2;
  Bytes b = body_of(m);
  // The 1.1 body (82 bytes), a subset count of 0, then the palette.
  REQUIRE(b.size() == 84);
  CHECK(b[82] == 0);
  CHECK(b[83] == 2);
  RenderRequest out;
  REQUIRE(decode_body(b, &out));
  CHECK(out.display_palette == 2);
  CHECK(out.subset.count == 0);
  check_exact_length(m);
  // With a subset, the palette follows its ranges.
  m.subset.count = 1;
  m.subset.ranges[0] = {3, 2};
  b = body_of(m);
  REQUIRE(b.size() == 82 + 1 + 8 + 1);
  CHECK(b.back() == 2);
  REQUIRE(decode_body(b, &out));
  CHECK(out.subset.count == 1);
  CHECK(out.display_palette == 2);
  // Without the flag the body is the one older controllers take.
  m.flags = RenderRequest::kRenderUseController;
  m.subset.count = 0;
  CHECK(body_of(m).size() == 82);
  // The flag on an 82-byte body, without its count and palette, is refused (the fuzzer found
  // that it decoded and then encoded to 84 bytes).
  Bytes bare = body_of(m);
  bare[17] |= RenderRequest::kRenderDisplay;  // flags, after the geometry and node mask
  CHECK_FALSE(decode_body(bare, &out));
}

TEST_CASE("protocol: validate refuses a display palette that does not exist") {
  RenderRequest m = sample_job();
  m.flags |= RenderRequest::kRenderDisplay;
  m.display_palette = kPaletteCount;
  const char* why = nullptr;
  CHECK_FALSE(validate(m, &why));
  CHECK(std::string(why) == "no such display palette");
  m.display_palette = kPaletteCount - 1;
  CHECK(validate(m, &why));
}
