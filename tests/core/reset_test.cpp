// RESET: re-enrolment keeps the numbering; a controller reboot comes back to a fresh handshake.
#include <doctest/doctest.h>

#include <vector>

#include "sim_host.h"

using namespace picocray;
using namespace picocray_test;

namespace {

std::vector<uint8_t> reset_body(ResetKind kind) {
  ResetRequest q;
  q.kind = kind;
  return body_of(q);
}

void check_same_nodes(const std::vector<NodeEntry>& before, const std::vector<NodeEntry>& after) {
  REQUIRE_MESSAGE(after.size() == before.size(),
                  "NODES lists " << after.size() << " nodes, " << before.size() << " before");
  for (size_t i = 0; i < before.size(); ++i) {
    CAPTURE(i);
    CHECK_MESSAGE(after[i].unique_id == before[i].unique_id,
                  "index " << i << " is now unique ID " << std::hex << after[i].unique_id
                           << ", was " << before[i].unique_id);
    CHECK_MESSAGE(after[i].address == before[i].address,
                  "index " << i << " is now at 0x" << std::hex << int(after[i].address)
                           << ", was 0x" << int(before[i].address));
    CHECK_MESSAGE(after[i].state == NodeState::idle,
                  "index " << i << " state " << int(after[i].state));
  }
}

RenderRequest small_job() {
  RenderRequest q = make_job(160, 120, 64, "-2", "1", "-1", "1");
  q.geometry.tile_w = 16;
  q.geometry.tile_h = 16;
  q.flags = 0;
  return q;
}

}  // namespace

TEST_CASE("RESET enumerate re-enrols every node with its number and address") {
  SimHost host(sim_config(8, 9));
  host.hello();
  const std::vector<NodeEntry> before = host.nodes();
  REQUIRE(before.size() == 8);

  Reply r = host.request(MsgType::reset, reset_body(ResetKind::enumerate));
  REQUIRE_MESSAGE(r.ok(), "RESET enumerate answered " << r.describe());
  check_same_nodes(before, host.nodes());

  // The nodes really came back: each takes tiles again at its old address.
  const RenderRequest job = small_job();
  Reply rr = host.request(MsgType::render, body_of(job));
  RenderSummary s = summary_of(rr);
  CHECK(s.tiles == tile_count(job.geometry));
  for (const NodeEntry& n : before) {
    uint32_t tiles = 0;
    for (uint8_t k = 0; k < s.node_count; ++k)
      if (s.per_node[k].node == n.index) tiles = s.per_node[k].tiles;
    CHECK_MESSAGE(tiles > 0, "node " << int(n.index) << " took no tile after the reset");
  }
}

TEST_CASE("RESET controller answers OK, reboots, and a fresh HELLO finds every node") {
  SimHost host(sim_config(8, 9));
  host.hello();
  const std::vector<NodeEntry> before = host.nodes();
  REQUIRE(before.size() == 8);

  // A failure here is a hang, not a slow answer: the simulator answers within milliseconds.
  host.set_timeout_ms(2000);
  uint16_t seq = host.send(MsgType::reset, reset_body(ResetKind::controller));
  Frame f;
  bool answered = host.next_frame(&f);
  CHECK_MESSAGE(answered, "no answer to RESET controller: the OK was lost in the reboot");
  if (answered)
    CHECK_MESSAGE((f.seq == seq && f.is(MsgType::ok)), "RESET controller answered type 0x"
                                                           << std::hex << int(f.type) << " seq "
                                                           << std::dec << f.seq);

  // The controller came back with an empty table and enrols the secondaries again.
  HelloReply hello = host.hello_after_reboot();
  CHECK_MESSAGE(hello.node_count == before.size(),
                "HELLO after the reboot reports " << int(hello.node_count) << " nodes");
  host.set_timeout_ms(5000);
  std::vector<NodeEntry> after = host.nodes();
  REQUIRE_MESSAGE(after.size() == before.size(), "NODES after the reboot lists " << after.size());
  for (size_t i = 0; i < after.size(); ++i)
    CHECK_MESSAGE(after[i].unique_id == before[i].unique_id,
                  "index " << i << " is unique ID " << std::hex << after[i].unique_id
                           << " after the reboot, was " << before[i].unique_id);
  const RenderRequest job = small_job();
  CHECK(summary_of(host.request(MsgType::render, body_of(job))).tiles == tile_count(job.geometry));
}
