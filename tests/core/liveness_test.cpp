// Liveness: a node is judged by whether its heartbeat moves, not by how long its tile takes; a
// lost node that answers again comes back; every render ends, whatever its mask.
#include <doctest/doctest.h>

#include "rendered.h"

using namespace picocray_test;

namespace {

std::vector<NodeEntry> nodes(Rig& rig) {
  HostFrame f = rig.await(rig.send(MsgType::nodes), 1000000);
  REQUIRE(f.is(MsgType::ok));
  Reader r(f.body.data(), f.body.size());
  std::vector<NodeEntry> out(r.u8());
  for (NodeEntry& e : out) REQUIRE(decode(r, &e));
  return out;
}

bool has_log(const std::vector<HostFrame>& frames, const char* part) {
  for (const HostFrame& f : frames) {
    if (!f.is(MsgType::log)) continue;
    std::string text(f.body.begin() + 2, f.body.end());
    if (text.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("liveness: tiles far longer than the stall time cost no node") {
  Rig rig(2, 8000000);  // 8 s a tile, its heartbeat moving every 100 ms
  rig.start();
  REQUIRE(rig.settle());
  RenderRequest q = small_render(32, 32, 64, 16);
  q.flags = 0;
  Rendered r = render(rig, q);
  check_exact(r, q);
  CHECK(summary(r.final).nodes_lost == 0);
  for (const NodeEntry& e : nodes(rig)) CHECK(e.state == NodeState::idle);
}

TEST_CASE("liveness: a node whose compute freezes mid-tile is lost within the stall time") {
  Rig rig(3, 2000000);
  rig.start();
  REQUIRE(rig.settle());
  RenderRequest q = small_render(64, 64, 64, 16);
  auto seq = rig.send(MsgType::render, encoded_body(q));
  REQUIRE(rig.run_until([&] { return rig.board(1).tiles_started >= 1; }, 1000000));
  REQUIRE(rig.run_until([] { return false; }, 500000) == false);  // half a second into it
  rig.board(1).frozen = true;
  const uint64_t froze_at = rig.now;
  std::vector<HostFrame> seen;
  REQUIRE(rig.run_until(
      [&] {
        for (HostFrame& f : rig.frames()) seen.push_back(f);
        return has_log(seen, "stopped computing");
      },
      10000000));
  // Its last beat came at most a beat before the freeze; then kStallUs, then the next look.
  CHECK(rig.now - froze_at <= timing::kStallUs + timing::kWatchUs + 200000);
  CHECK(rig.now - froze_at >= timing::kStallUs - 100000);
  std::vector<HostFrame> streamed;
  Rendered r;
  r.final = rig.await(seq, 30000000, &streamed);
  seen.insert(seen.end(), streamed.begin(), streamed.end());
  take(seen, &r);
  check_exact(r, q);
  CHECK(summary(r.final).nodes_lost == 1);
  CHECK(nodes(rig)[1].state == NodeState::lost);

  SUBCASE("and takes tiles again once it moves") {
    rig.board(1).frozen = false;
    CHECK(nodes(rig)[1].state != NodeState::lost);
    Rendered again = render(rig, q);
    check_exact(again, q);
    bool used = false;
    const RenderSummary s = summary(again.final);
    for (uint8_t k = 0; k < s.node_count; ++k) used = used || s.per_node[k].node == 1;
    CHECK(used);
    CHECK(s.nodes_lost == 0);
  }
}

TEST_CASE("liveness: a render whose mask names only a lost node ends, on core 1") {
  Rig rig(2, 20000);
  rig.start();
  REQUIRE(rig.settle());
  RenderRequest q = small_render(64, 32, 64, 16);
  q.node_mask = 1;
  q.flags = 0;
  Rendered r = render(rig, q, 0);
  check_exact(r, q);
  CHECK((summary(r.final).flags & RenderSummary::kFinishedOnController) != 0);
  Rendered again = render(rig, q);  // node 0 still gone: core 1 from the start
  check_exact(again, q);
  CHECK(summary(again.final).per_node[0].node == kControllerNode);
}

namespace {

// A render on the rig's one node (a minute a tile, core 1 quick but not used), cancelled once the
// node has its first tile (and, with both_slots, its second); returns how long the answer took.
uint64_t start_and_cancel(Rig& rig, const RenderRequest& q, bool both_slots) {
  rig.controller_board().compute_us = 2000;
  rig.start();
  REQUIRE(rig.settle());
  auto seq = rig.send(MsgType::render, encoded_body(q));
  REQUIRE(rig.run_until([&] { return rig.board(0).tiles_started >= 1; }, 1000000));
  if (both_slots) rig.run_until([] { return false; }, 100000);
  std::vector<uint8_t> body = {static_cast<uint8_t>(seq & 0xFF), static_cast<uint8_t>(seq >> 8)};
  const uint64_t asked = rig.now;
  rig.send(MsgType::cancel, body);
  REQUIRE(rig.await(seq, 1000000).is(MsgType::error));
  return rig.now - asked;
}

RenderRequest quick_job() {
  RenderRequest q = small_render(64, 32, 64, 16);
  q.flags = 0;
  return q;
}

}  // namespace

TEST_CASE("liveness: CANCEL answers at once, and the next render does not wait for the old tile") {
  // The node is still on the cancelled tile (a minute's work); its next tiles are quick. The new
  // job makes it drop the old tile (with one slot free, or both holding dead tiles).
  for (bool both_slots : {false, true}) {
    CAPTURE(both_slots);
    Rig rig(1, 60000000);
    const RenderRequest q = quick_job();
    CHECK(start_and_cancel(rig, q, both_slots) < 100000);
    rig.board(0).compute_us = 2000;
    const uint64_t started = rig.now;
    Rendered r = render(rig, q);
    check_exact(r, q);
    if (!both_slots) CHECK(rig.board(0).abandoned == 1);
    CHECK(rig.now - started < 1000000);
  }
}
