// The controller's record of each enrolled secondary, ordered by unique ID: a node's index in the
// table is its number everywhere (NODES, RENDER's node mask, the summary).
#pragma once
#include <cstdint>

#include "picocray/i2c_map.h"
#include "picocray/protocol.h"

namespace picocray {

struct NodeRecord {
  // A node's life on the controller's side.
  enum class Phase : uint8_t {
    claimed,  // given an address; not yet heard at it
    ready,    // heard at its address: takes tiles
    stray,    // holds a tile nobody gave it (a garbled address): collected before it gets more
    lost,     // stopped answering or was reset; it claims again when it comes back
  };

  uint64_t uid = 0;
  uint8_t address = 0;
  uint8_t cores = 0;
  uint8_t fw[3] = {0, 0, 0};
  uint32_t capabilities = 0;  // as its IDENT block gave them
  Phase phase = Phase::claimed;
  uint64_t verify_at = 0;  // claimed: when to look for it at its address
  uint16_t job_id = 0;     // the job it holds (job numbers are never 0)
  uint32_t tiles_done = 0;
  uint32_t integrity_errors = 0;
  uint32_t retries = 0;
  uint64_t last_seen_us = 0;
  uint32_t outstanding[i2c::kSlots] = {};
  uint64_t assigned_at[i2c::kSlots] = {};
  uint8_t n_out = 0;
  uint64_t last_poll_us = 0;   // last POLL or STATUS answer
  uint64_t last_probe_us = 0;  // lost: last time it was asked whether it is back
  uint16_t beat = 0;           // its heartbeat in that answer
  uint64_t beat_at_us = 0;     // last time it was seen advancing (or had nothing to advance)
  uint8_t dead = 0;            // slots busy with a tile nobody waits for (delivered, cancelled)
  uint64_t dead_since = 0;

  bool lost() const { return phase == Phase::lost; }
  // Holds something the controller must read: a tile it was given, a stray, or a dead copy.
  bool holds_tiles() const { return n_out > 0 || dead > 0 || phase == Phase::stray; }
  // A POLL or STATUS answer at now. A moved heartbeat, a finished tile waiting to be read, or no
  // tile in hand all count as advancing. Slots it says are free that held dead copies are free:
  // a node drops tiles of a job it no longer holds without a block.
  void heard(const i2c::StatusBlock& s, uint64_t now) {
    last_poll_us = now;
    if (s.beat != beat || s.ready > 0 || n_out == 0) beat_at_us = now;
    beat = s.beat;
    const uint8_t busy = s.free < i2c::kSlots ? static_cast<uint8_t>(i2c::kSlots - s.free) : 0;
    if (dead > 0 && busy < n_out + dead)
      dead = busy > n_out ? static_cast<uint8_t>(busy - n_out) : 0;
  }
  NodeState reported_state() const {
    return lost() ? NodeState::lost : (n_out > 0 ? NodeState::busy : NodeState::idle);
  }
};

class NodeTable {
 public:
  uint8_t count() const { return count_; }
  NodeRecord& operator[](uint8_t i) { return nodes_[i]; }
  const NodeRecord& operator[](uint8_t i) const { return nodes_[i]; }
  void clear() { count_ = 0; }

  int find_uid(uint64_t uid) const {
    for (uint8_t i = 0; i < count_; ++i)
      if (nodes_[i].uid == uid) return i;
    return -1;
  }
  // The lowest node address nobody holds; 0 when the table is full.
  uint8_t free_address() const {
    for (uint8_t a = i2c::kFirstNodeAddress; a < i2c::kFirstNodeAddress + kMaxNodes; ++a) {
      bool used = false;
      for (uint8_t i = 0; i < count_ && !used; ++i) used = nodes_[i].address == a;
      if (!used) return a;
    }
    return 0;
  }
  // A new record for uid at address, kept in unique-ID order; returns its index.
  uint8_t insert(uint64_t uid, uint8_t address) {
    uint8_t pos = count_;
    while (pos > 0 && nodes_[pos - 1].uid > uid) {
      nodes_[pos] = nodes_[pos - 1];
      --pos;
    }
    nodes_[pos] = NodeRecord{};
    nodes_[pos].uid = uid;
    nodes_[pos].address = address;
    ++count_;
    return pos;
  }
  // Nodes the mask names that are not lost.
  uint32_t usable(uint64_t mask) const {
    uint32_t k = 0;
    for (uint8_t i = 0; i < count_; ++i)
      if (((mask >> i) & 1u) != 0 && !nodes_[i].lost()) ++k;
    return k;
  }

 private:
  NodeRecord nodes_[kMaxNodes];
  uint8_t count_ = 0;
};

}  // namespace picocray
