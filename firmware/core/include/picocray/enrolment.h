// Enrolment: unaddressed secondaries claim an address one at a time through the shared assert
// line (GPIO13). The controller reads the claimant's IDENT at the default address, gives it the
// address its unique ID holds in the table (or the lowest free one), and then looks for it there.
// Two boards answering at once garble the block (their bytes AND on the wire): both back off.
// Enrolment is open at start and after a RESET of nodes, until the line has been quiet a while.
#pragma once
#include <cstdint>

#include "picocray/hal.h"
#include "picocray/node_bus.h"
#include "picocray/node_table.h"

namespace picocray {

// Told when a known node claims again: it was reset, and whatever it held is gone with it.
class NodeReclaimed {
 public:
  virtual void node_reclaimed(NodeRecord& n) = 0;

 protected:
  ~NodeReclaimed() = default;
};

class Enrolment {
 public:
  Enrolment(hal::Gpio& gpio, hal::Clock& clock, NodeTable& table, NodeBus& bus,
            NodeReclaimed& reclaimed)
      : gpio_(gpio), clock_(clock), table_(table), bus_(bus), reclaimed_(reclaimed) {}

  // Power-up: every possible node address is sent back to the default address (after a
  // controller reboot the secondaries still hold addresses nobody knows), and enrolment opens.
  void start();
  // RESET of the nodes the mask names: they forget their address and claim again; their records
  // stay, so each gets its number back.
  void reset_nodes(uint64_t mask);

  // Serves a claim waiting on the assert line and looks for claimed nodes at their addresses.
  // Late or re-enrolling secondaries are taken whenever they ask, open or not.
  void poll(uint64_t now);
  // While open: closes once no node waits to be verified and the line has been quiet for
  // kEnumerationQuietUs; returns false then, or true with *wake set to when to look again.
  bool settling(uint64_t now, uint64_t* wake);
  bool open() const { return phase_ == Phase::open; }
  uint32_t collisions() const { return collisions_; }

 private:
  enum class Phase : uint8_t { open, closed };
  void serve_claim(uint64_t now);
  void give_address(const i2c::IdentBlock& id, uint64_t now);
  void verify_claimed(uint64_t now);

  hal::Gpio& gpio_;
  hal::Clock& clock_;
  NodeTable& table_;
  NodeBus& bus_;
  NodeReclaimed& reclaimed_;
  Phase phase_ = Phase::open;
  uint64_t quiet_since_ = 0;
  uint32_t collisions_ = 0;
};

}  // namespace picocray
