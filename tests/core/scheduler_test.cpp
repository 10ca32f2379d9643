// The scheduler over fake boards: real secondaries, the fake bus, no simulator.
#include <doctest/doctest.h>

#include "rendered.h"

using namespace picocray_test;

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
