// Enrolment over fake boards: secondaries claim through the assert line one at a time.
#include <doctest/doctest.h>

#include "rig.h"

using namespace picocray_test;

TEST_CASE("enrolment: three secondaries get distinct addresses, numbered by unique ID") {
  Rig rig(3);
  rig.start();
  REQUIRE(rig.settle());
  CHECK(rig.controller().node_count() == 3);
  for (int i = 0; i < 3; ++i) CHECK_MESSAGE(rig.secondary(i).enrolled(), "secondary " << i);
  CHECK(rig.secondary(0).address() != rig.secondary(1).address());
  CHECK(rig.secondary(1).address() != rig.secondary(2).address());
  CHECK(rig.secondary(0).address() != rig.secondary(2).address());
  auto seq = rig.send(MsgType::nodes);
  HostFrame f = rig.await(seq, 100000);
  REQUIRE(f.is(MsgType::ok));
  Reader r(f.body.data(), f.body.size());
  REQUIRE(r.u8() == 3);
  uint64_t last = 0;
  for (int i = 0; i < 3; ++i) {
    NodeEntry e;
    REQUIRE(decode(r, &e));
    CHECK_MESSAGE(e.unique_id > last, "node " << i << " out of unique-ID order");
    CHECK(e.state == NodeState::idle);
    last = e.unique_id;
  }
}

TEST_CASE("enrolment: a RESET of one node brings it back with its number") {
  Rig rig(2);
  rig.start();
  REQUIRE(rig.settle());
  const uint8_t before = rig.secondary(1).address();
  ResetRequest q;
  q.kind = ResetKind::nodes;
  q.node_mask = 1u << 1;  // node 1
  auto seq = rig.send(MsgType::reset, encoded_body(q));
  HostFrame f = rig.await(seq, 2000000);
  CHECK(f.is(MsgType::ok));
  CHECK(rig.secondary(1).enrolled());
  CHECK(rig.secondary(1).address() == before);
  CHECK(rig.controller().node_count() == 2);
}
