// The scheduler over fake boards: real secondaries, the fake bus, no simulator.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "picocray/tile_codec.h"
#include "rig.h"

using namespace picocray_test;

namespace {

struct Rendered {
  HostFrame final;
  std::map<uint32_t, std::vector<uint16_t>> tiles;  // by index, decoded
  std::vector<std::string> logs;
  int duplicates = 0;
};

// The LOG texts and decoded tiles of a render's streamed frames.
void take(const std::vector<HostFrame>& streamed, Rendered* out) {
  for (const HostFrame& f : streamed) {
    if (f.is(MsgType::log)) {
      Reader r(f.body.data(), f.body.size());
      r.u8();
      char text[256];
      r.str(text, sizeof text);
      out->logs.push_back(text);
    }
    if (!f.is(MsgType::tile)) continue;
    TileHeader h;
    const uint8_t* payload = nullptr;
    REQUIRE(tile_block_parse(f.body.data(), f.body.size(), &h, &payload));
    std::vector<uint16_t> c(static_cast<size_t>(h.rect.w) * h.rect.h);
    REQUIRE(tile_decode(payload, h.payload_len, h.rect.w, h.rect.h, c.data()));
    if (out->tiles.count(h.tile_index) != 0) ++out->duplicates;
    out->tiles[h.tile_index] = c;
  }
}

// Sends the render and, once the first tile has started on the board `stop_board` (if >= 0),
// takes that board off the bus; runs to the final answer.
Rendered render(Rig& rig, const RenderRequest& q, int stop_board = -1) {
  Rendered out;
  auto seq = rig.send(MsgType::render, encoded_body(q));
  if (stop_board >= 0) {
    REQUIRE(rig.run_until([&] { return rig.board(stop_board).tiles_started >= 1; }, 1000000));
    rig.board(stop_board).stop();
  }
  std::vector<HostFrame> streamed;
  out.final = rig.await(seq, 20000000, &streamed);
  take(streamed, &out);
  return out;
}

void check_exact(const Rendered& r, const RenderRequest& q) {
  REQUIRE_MESSAGE(r.final.is(MsgType::ok), "the render did not end in OK");
  CHECK(r.duplicates == 0);
  REQUIRE(r.tiles.size() == tile_count(q.geometry));
  for (const auto& [index, counts] : r.tiles) {
    std::vector<uint16_t> ref(counts.size());
    compute_tile(tile_task(q.geometry, index), ref.data());
    CHECK_MESSAGE(counts == ref, "tile " << index << " differs from the host reference");
  }
}

RenderSummary summary(const HostFrame& f) {
  RenderSummary s;
  Reader r(f.body.data(), f.body.size());
  REQUIRE(decode(r, &s));
  return s;
}

}  // namespace

TEST_CASE("scheduler: every tile once, exact, from the secondaries and core 1") {
  Rig rig(2);
  rig.start();
  REQUIRE(rig.settle());
  RenderRequest q = small_render(96, 64, 64, 16);
  Rendered r = render(rig, q);
  check_exact(r, q);
  RenderSummary s = summary(r.final);
  CHECK(s.tiles == tile_count(q.geometry));
  uint32_t per_node = 0;
  for (uint8_t k = 0; k < s.node_count; ++k) per_node += s.per_node[k].tiles;
  CHECK(per_node == s.tiles);
  CHECK(s.node_count == 3);  // two secondaries and the controller
  CHECK(s.nodes_lost == 0);
}

TEST_CASE("scheduler: a secondary that vanishes mid-job is lost and its tiles go to others") {
  Rig rig(3, 20000);
  rig.start();
  REQUIRE(rig.settle());
  RenderRequest q = small_render(128, 64, 64, 16);
  Rendered r = render(rig, q, 1);
  check_exact(r, q);
  CHECK(summary(r.final).nodes_lost == 1);
}

TEST_CASE("scheduler: CANCEL ends the render with ERROR cancelled and no more tiles") {
  Rig rig(1, 50000);
  rig.start();
  REQUIRE(rig.settle());
  auto seq = rig.send(MsgType::render, encoded_body(small_render(128, 128, 64, 16)));
  REQUIRE(rig.run_until([&] { return rig.controller().job_active(); }, 100000));
  std::vector<uint8_t> body = {static_cast<uint8_t>(seq & 0xFF), static_cast<uint8_t>(seq >> 8)};
  auto cancel = rig.send(MsgType::cancel, body);
  std::vector<HostFrame> streamed;
  HostFrame ok = rig.await(cancel, 1000000, &streamed);
  CHECK(ok.is(MsgType::ok));
  HostFrame end = rig.await(seq, 5000000);
  REQUIRE(end.is(MsgType::error));
  Reader r(end.body.data(), end.body.size());
  CHECK(r.u16() == static_cast<uint16_t>(ErrorCode::cancelled));
  CHECK_FALSE(rig.controller().job_active());
}

TEST_CASE("scheduler: every secondary lost, the controller finishes alone and its LOG is whole") {
  Rig rig(1, 20000);
  rig.start();
  REQUIRE(rig.settle());
  RenderRequest q = small_render(64, 64, 32, 16);
  Rendered r = render(rig, q, 0);
  check_exact(r, q);
  CHECK((summary(r.final).flags & RenderSummary::kFinishedOnController) != 0);
  bool seen = false;
  for (const std::string& t : r.logs) {
    if (t.find("no secondary left") == std::string::npos) continue;
    seen = true;
    CHECK_MESSAGE(t.substr(t.size() - 5) == "alone", "the LOG text was cut: " << t);
  }
  CHECK(seen);
}
