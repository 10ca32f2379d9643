// Power-up enumeration through the simulator: what NODES reports once the controller answers.
#include <doctest/doctest.h>

#include <set>
#include <vector>

#include "sim_host.h"

using namespace picocray;
using namespace picocray_test;

namespace {

std::vector<NodeEntry> enumerate(uint32_t nodes, uint64_t seed) {
  SimHost host(sim_config(nodes, seed));
  HelloReply hello = host.hello();
  CHECK_MESSAGE(hello.node_count == nodes,
                "HELLO reports " << int(hello.node_count) << " nodes, the cluster has " << nodes);
  return host.nodes();
}

void check_list(const std::vector<NodeEntry>& list, uint32_t nodes) {
  REQUIRE_MESSAGE(list.size() == nodes, "NODES lists " << list.size() << ", expected " << nodes);
  std::set<uint8_t> addresses;
  std::set<uint64_t> uids;
  for (size_t i = 0; i < list.size(); ++i) {
    const NodeEntry& e = list[i];
    INFO("node ", i, " at 0x", std::hex, int(e.address));
    CHECK_MESSAGE(e.index == i, "entry " << i << " has index " << int(e.index));
    CHECK_MESSAGE((e.address >= 0x10 && e.address <= 0x4F), "address outside 0x10..0x4F");
    CHECK_MESSAGE(addresses.insert(e.address).second, "address used twice");
    CHECK_MESSAGE(uids.insert(e.unique_id).second, "unique ID listed twice");
    if (i > 0)
      CHECK_MESSAGE(list[i - 1].unique_id < e.unique_id,
                    "not ordered by unique ID: " << std::hex << list[i - 1].unique_id << " before "
                                                 << e.unique_id);
    CHECK_MESSAGE(e.cores == 2, "cores " << int(e.cores));
    CHECK_MESSAGE(e.state == NodeState::idle, "state " << int(e.state));
    CHECK_MESSAGE(e.fw_major == kFirmwareMajor, "firmware major " << int(e.fw_major));
    CHECK_MESSAGE(e.fw_minor == kFirmwareMinor, "firmware minor " << int(e.fw_minor));
  }
}

}  // namespace

TEST_CASE("enumeration enrols every secondary once, numbered by unique ID") {
  for (uint32_t nodes : {1u, 8u, 64u}) {
    CAPTURE(nodes);
    check_list(enumerate(nodes, 7), nodes);
  }
}

TEST_CASE("enumeration is deterministic for a seed, and the seed sets the unique IDs") {
  std::vector<NodeEntry> a = enumerate(8, 11);
  std::vector<NodeEntry> b = enumerate(8, 11);
  REQUIRE(a.size() == 8);
  REQUIRE(b.size() == 8);
  for (size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    CHECK_MESSAGE(a[i].unique_id == b[i].unique_id, "same seed, different unique ID");
    CHECK_MESSAGE(a[i].address == b[i].address, "same seed, different address");
  }

  std::vector<NodeEntry> c = enumerate(8, 12);
  REQUIRE(c.size() == 8);
  std::set<uint64_t> first;
  for (const NodeEntry& e : a) first.insert(e.unique_id);
  for (const NodeEntry& e : c)
    CHECK_MESSAGE(first.count(e.unique_id) == 0,
                  "seed 12 repeats unique ID " << std::hex << e.unique_id << " of seed 11");
}
