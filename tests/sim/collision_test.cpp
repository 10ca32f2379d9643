// Secondaries that claim the assert line at the same instant (sim::Config::collide): the
// controller must see the garbled IDENT, send them all to back off, and still enrol everyone.
#include <doctest/doctest.h>

#include <set>
#include <vector>

#include "picocray/i2c_map.h"
#include "sim_host.h"

using namespace picocray;
using namespace picocray_test;

namespace {

// Seed 1 enrols 8 nodes without a collision of its own when nobody is forced to collide.
constexpr uint64_t kSeed = 1;
constexpr uint32_t kNodes = 8;

// Bus cost of the enumeration, as the simulator counted it when NODES answered.
struct Enumeration {
  std::vector<NodeEntry> nodes;
  sim::Stats stats;
};

Enumeration enumerate(uint32_t collide) {
  SimHost host(sim_config(kNodes, kSeed, collide));
  host.hello();
  Enumeration e;
  e.nodes = host.nodes();
  e.stats = host.sim().stats();
  return e;
}

// Bytes on the bus (address bytes included) of each step of an enrolment.
constexpr uint64_t kIdentReadBytes = 1 + 1 + 1 + i2c::kIdentLen;  // addr+W, reg, addr+R, block
constexpr uint64_t kClaimBytes = 1 + 1 + i2c::kClaimLen;
constexpr uint64_t kBackoffBytes = 1 + 1 + i2c::kBackoffLen;
// Controller::start() sends RESET to all 64 node addresses; nobody acknowledges.
constexpr uint64_t kStartResets = kMaxNodes;

void check_all_enrolled(const std::vector<NodeEntry>& nodes) {
  REQUIRE_MESSAGE(nodes.size() == kNodes, "NODES lists " << nodes.size() << " of " << kNodes);
  std::set<uint8_t> addresses;
  std::set<uint64_t> uids;
  for (const NodeEntry& n : nodes) {
    CHECK_MESSAGE(addresses.insert(n.address).second,
                  "address 0x" << std::hex << int(n.address) << " given twice");
    CHECK_MESSAGE(uids.insert(n.unique_id).second, "unique ID listed twice");
    CHECK_MESSAGE(n.state == NodeState::idle, "node " << int(n.index) << " is not idle");
  }
}

}  // namespace

TEST_CASE("without forced collisions the seed enrols each node with IDENT, CLAIM, verify") {
  Enumeration e = enumerate(0);
  check_all_enrolled(e.nodes);
  // The baseline the collision cases are measured against: no back-off happened.
  CHECK_MESSAGE(e.stats.i2c_transactions == kStartResets + 3 * kNodes,
                "transactions " << e.stats.i2c_transactions);
  CHECK_MESSAGE(e.stats.i2c_bytes == kStartResets + kNodes * (2 * kIdentReadBytes + kClaimBytes),
                "bytes " << e.stats.i2c_bytes);
}

TEST_CASE("simultaneous claims back off and every node is still enrolled") {
  const Enumeration clean = enumerate(0);
  for (uint32_t collide : {2u, 5u}) {
    CAPTURE(collide);
    Enumeration e = enumerate(collide);
    check_all_enrolled(e.nodes);
    // Every transaction beyond the clean run must be a garbled IDENT read followed by a BACKOFF
    // write: the only bus trace a collision leaves, and at least one must be there.
    uint64_t extra_tx = e.stats.i2c_transactions - clean.stats.i2c_transactions;
    uint64_t extra_bytes = e.stats.i2c_bytes - clean.stats.i2c_bytes;
    CHECK_MESSAGE(extra_tx >= 2,
                  "no collision on the bus: " << e.stats.i2c_transactions
                                              << " transactions, as many as without");
    CHECK_MESSAGE(extra_tx % 2 == 0, extra_tx << " extra transactions: not IDENT+BACKOFF pairs");
    CHECK_MESSAGE(extra_bytes == (extra_tx / 2) * (kIdentReadBytes + kBackoffBytes),
                  extra_bytes << " extra bytes for " << extra_tx << " extra transactions");
    MESSAGE("collide=" << collide << ": " << extra_tx / 2 << " collision(s), enumeration done at "
                       << e.stats.now_ns / 1000 << " us (" << clean.stats.now_ns / 1000
                       << " us without)");
  }
}

TEST_CASE("sim::Stats::collisions_seen counts the collisions the controller resolved") {
  Enumeration e = enumerate(2);
  // Two boards claimed at the same instant, so at least one collision was resolved.
  CHECK_MESSAGE(e.stats.collisions_seen >= 1,
                "collisions_seen is " << e.stats.collisions_seen
                                      << " after a forced collision of two secondaries");
}
