// A RENDER naming a subset of its tile grid (protocol 1.2), over fake boards: only those tiles go
// out, in the golden-ratio order over the subset, and the controller's counts are the subset's.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "picocray/tile_codec.h"
#include "rig.h"

using namespace picocray_test;

namespace {

void set_ranges(RenderRequest& q, std::vector<TileRange> ranges) {
  q.subset.count = static_cast<uint8_t>(ranges.size());
  for (size_t k = 0; k < ranges.size(); ++k) q.subset.ranges[k] = ranges[k];
}

// The tile indexes of the TILE frames, in the order they came; each decoded and checked exact.
std::vector<uint32_t> tiles_of(const std::vector<HostFrame>& streamed, const RenderRequest& q) {
  std::vector<uint32_t> out;
  for (const HostFrame& f : streamed) {
    if (!f.is(MsgType::tile)) continue;
    TileHeader h;
    const uint8_t* payload = nullptr;
    REQUIRE(tile_block_parse(f.body.data(), f.body.size(), &h, &payload));
    std::vector<uint16_t> counts(static_cast<size_t>(h.rect.w) * h.rect.h), ref(counts.size());
    REQUIRE(tile_decode_codec(h.codec, payload, h.payload_len, h.rect.w, h.rect.h, counts.data()));
    compute_tile(tile_task(q.geometry, h.tile_index), ref.data());
    CHECK_MESSAGE(counts == ref, "tile " << h.tile_index << " differs from the host reference");
    out.push_back(h.tile_index);
  }
  return out;
}

std::string error_text(const HostFrame& f, ErrorCode* code) {
  ErrorReply e;
  Reader r(f.body.data(), f.body.size());
  REQUIRE(decode(r, &e));
  *code = e.code;
  return e.text;
}

}  // namespace

TEST_CASE("tile subset: the secondaries and core 1 compute exactly the tiles named, once each") {
  Rig rig(2, 30000);
  rig.start();
  REQUIRE(rig.settle());
  RenderRequest q = small_render(128, 128, 64, 16);  // 8 x 8 = 64 tiles
  set_ranges(q, {{0, 1}, {9, 4}, {30, 6}, {50, 2}, {63, 1}});
  const std::set<uint32_t> named = {0, 9, 10, 11, 12, 30, 31, 32, 33, 34, 35, 50, 51, 63};
  auto seq = rig.send(MsgType::render, encoded_body(q));
  std::vector<HostFrame> streamed;
  HostFrame end = rig.await(seq, 20000000, &streamed);
  REQUIRE(end.is(MsgType::ok));
  const std::vector<uint32_t> got = tiles_of(streamed, q);
  CHECK(got.size() == named.size());
  CHECK(std::set<uint32_t>(got.begin(), got.end()) == named);
  RenderSummary s;
  Reader r(end.body.data(), end.body.size());
  REQUIRE(decode(r, &s));
  CHECK(s.tiles == named.size());
  uint32_t per_node = 0;
  for (uint8_t k = 0; k < s.node_count; ++k) per_node += s.per_node[k].tiles;
  CHECK(per_node == named.size());
  // PROGRESS counts the subset too.
  int progress = 0;
  for (const HostFrame& f : streamed) {
    if (!f.is(MsgType::progress)) continue;
    ProgressUpdate p;
    Reader pr(f.body.data(), f.body.size());
    REQUIRE(decode(pr, &p));
    CHECK(p.tiles_total == named.size());
    CHECK(p.tiles_done <= p.tiles_total);
    ++progress;
  }
  CHECK_MESSAGE(progress > 0, "the job was too short for a PROGRESS frame");
}

TEST_CASE("tile subset: tiles go out in the golden-ratio order over the subset's positions") {
  // The controller alone computes one tile at a time, so the TILE frames come in hand-out order.
  Rig rig(0, 1000);
  rig.start();
  REQUIRE(rig.settle());
  RenderRequest q = small_render(160, 64, 32, 16);  // 10 x 4 = 40 tiles
  q.node_mask = 0;
  q.flags = RenderRequest::kRenderUseController;
  set_ranges(q, {{2, 3}, {11, 4}, {27, 3}});  // 10 tiles
  const uint32_t by_position[] = {2, 3, 4, 11, 12, 13, 14, 27, 28, 29};
  auto seq = rig.send(MsgType::render, encoded_body(q));
  std::vector<HostFrame> streamed;
  REQUIRE(rig.await(seq, 5000000, &streamed).is(MsgType::ok));
  const std::vector<uint32_t> got = tiles_of(streamed, q);
  const uint32_t stride = tile_order_stride(10);
  CHECK(stride == 3);
  REQUIRE(got.size() == 10);
  for (uint32_t k = 0; k < 10; ++k)
    CHECK_MESSAGE(got[k] == by_position[(k * stride) % 10], "tile " << k << " out of order");
}

TEST_CASE("tile subset: the controller refuses a bad subset with bad_job and its reason") {
  Rig rig(1);
  rig.start();
  REQUIRE(rig.settle());
  RenderRequest q = small_render(64, 64, 32, 16);  // 16 tiles
  const struct {
    std::vector<TileRange> ranges;
    const char* why;
  } cases[] = {
      {{{3, 2}, {4, 1}}, "tile ranges must be in order and must not overlap"},
      {{{3, 0}}, "a tile range must not be empty"},
      {{{15, 2}}, "tile ranges must lie within the tile grid"},
  };
  for (const auto& c : cases) {
    set_ranges(q, c.ranges);
    HostFrame end = rig.await(rig.send(MsgType::render, encoded_body(q)), 1000000);
    REQUIRE(end.is(MsgType::error));
    ErrorCode code{};
    CHECK(error_text(end, &code) == c.why);
    CHECK(code == ErrorCode::bad_job);
  }
  // 65 ranges: more than the controller holds.
  set_ranges(q, {});
  std::vector<uint8_t> body = encoded_body(q);
  body.push_back(kMaxTileRanges + 1);
  for (int k = 0; k <= kMaxTileRanges; ++k)
    for (uint8_t b : {0, 0, 0, 0, 1, 0, 0, 0}) body.push_back(b);
  HostFrame end = rig.await(rig.send(MsgType::render, body), 1000000);
  REQUIRE(end.is(MsgType::error));
  ErrorCode code{};
  CHECK(error_text(end, &code) == "at most 64 tile ranges");
  CHECK(code == ErrorCode::bad_job);
  // A range cut short is a malformed body.
  set_ranges(q, {{1, 1}});
  body = encoded_body(q);
  body.pop_back();
  end = rig.await(rig.send(MsgType::render, body), 1000000);
  REQUIRE(end.is(MsgType::error));
  CHECK(error_text(end, &code) == "RENDER body malformed");
  CHECK(code == ErrorCode::bad_request);
  CHECK_FALSE(rig.controller().job_active());
}

TEST_CASE("tile subset: 28 single-tile ranges of the 640x480 overview (a host's recovery)") {
  Rig rig(8, 30000);
  rig.start();
  REQUIRE(rig.settle());
  RenderRequest q = small_render(640, 480, 256, 32);
  set_ranges(q, {{7, 1},   {33, 1},  {50, 1},  {72, 1},  {75, 1},  {91, 1},  {100, 1},
                 {102, 1}, {106, 1}, {116, 1}, {119, 2}, {127, 1}, {129, 1}, {146, 1},
                 {157, 1}, {164, 1}, {167, 1}, {169, 1}, {182, 1}, {188, 1}, {219, 1},
                 {235, 1}, {241, 1}, {252, 1}, {254, 1}, {256, 1}, {260, 1}, {268, 1}});
  auto seq = rig.send(MsgType::render, encoded_body(q));
  std::vector<HostFrame> streamed;
  HostFrame end = rig.await(seq, 200000000, &streamed);
  REQUIRE(end.is(MsgType::ok));
  CHECK(tiles_of(streamed, q).size() == 29);
}
