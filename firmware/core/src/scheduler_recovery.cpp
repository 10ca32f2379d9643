// The scheduler's recovery: nodes that fail, nodes that stall, and the tail's duplicate tiles.
#include "picocray/scheduler.h"
#include "picocray/text.h"
#include "picocray/timing.h"

namespace picocray {

using Phase = NodeRecord::Phase;
using Read = NodeBus::Read;

void Scheduler::lose(NodeRecord& n, const char* why) {
  n.phase = Phase::lost;
  n.job_id = 0;
  n.dead = 0;
  for (uint8_t k = 0; k < n.n_out; ++k) job_.requeue[job_.n_requeue++] = n.outstanding[k];
  const uint8_t handed_back = n.n_out;
  n.n_out = 0;
  if (!active()) return;
  ++job_.summary.nodes_lost;
  Text t;
  t.add("node at 0x").hex2(n.address).add(" ").add(why).add(": lost");
  if (handed_back > 0)
    t.add("; its ")
        .num(handed_back)
        .add(handed_back == 1 ? " tile goes" : " tiles go")
        .add(" to others");
  if (table_.usable(job_.req.node_mask) == 0 && !job_.core1_only) {
    job_.core1_only = true;
    job_.summary.flags |= RenderSummary::kFinishedOnController;
    t.add("; no secondary left: the controller finishes the job alone");
  }
  host_.note(LogLevel::warn, t.str());
}

void Scheduler::node_reclaimed(NodeRecord& n) {
  // Back after a reset: whatever it held is gone with it.
  if (n.n_out > 0 || (active() && !n.lost())) lose(n, "was reset");
}

void Scheduler::check_stuck(uint64_t now) {
  probe_silent(now);
  // Once every tile is out, a node sitting on its last tiles far longer than any tile has taken
  // is treated as lost, and others compute them.
  if (job_.next < job_.total || job_.n_requeue > 0 || phase_ == JobPhase::cancelling) return;
  uint64_t limit = 4 * job_.longest_tile_us;
  if (limit < timing::kStuckMinUs) limit = timing::kStuckMinUs;
  for (uint8_t i = 0; i < table_.count(); ++i) {
    NodeRecord& n = table_[i];
    if (!n.lost() && n.n_out > 0 && now - n.last_progress_us > limit) lose(n, "made no progress");
  }
}

// A node that died with tiles in hand pulls no line: ask it, now and then, whether it is there.
void Scheduler::probe_silent(uint64_t now) {
  uint64_t probe_after = 2 * job_.longest_tile_us;
  if (probe_after < timing::kProbeMinUs) probe_after = timing::kProbeMinUs;
  for (uint8_t i = 0; i < table_.count(); ++i) {
    NodeRecord& n = table_[i];
    if (n.lost() || (n.n_out == 0 && n.dead == 0)) continue;
    if (now - n.last_progress_us < probe_after || now - n.last_probe_us < probe_after) continue;
    n.last_probe_us = now;
    i2c::StatusBlock s;
    if (bus_.read_poll(n, &s) == Read::absent) lose(n, "does not answer");
  }
}

bool Scheduler::take_duplicate(uint32_t* index, int exclude) {
  // Only at the tail, and only tiles that have not started: a tile queued behind another on a
  // busy node starts sooner on an idle one. The first copy back is delivered; the other dropped.
  if (phase_ == JobPhase::cancelling || job_.next < job_.total || job_.n_requeue > 0) return false;
  if (job_.n_dup >= sizeof job_.dup / sizeof job_.dup[0]) return false;
  auto duplicated = [this](uint32_t t) {
    for (uint32_t k = 0; k < job_.n_dup; ++k)
      if (job_.dup[k] == t) return true;
    return false;
  };
  for (uint8_t j = 0; j < table_.count(); ++j) {
    const NodeRecord& n = table_[j];
    if (j == exclude || n.lost() || n.n_out < i2c::kSlots) continue;
    const uint8_t queued = n.assigned_at[0] > n.assigned_at[1] ? 0 : 1;
    const uint32_t t = n.outstanding[queued];
    if ((job_.core1 == Core1::computing && job_.core1_tile == t) || duplicated(t)) continue;
    job_.dup[job_.n_dup++] = t;
    *index = t;
    return true;
  }
  // The controller's own tile: a secondary's two cores finish it sooner than core 1 alone.
  if (exclude >= 0 && job_.core1 == Core1::computing && !duplicated(job_.core1_tile)) {
    job_.dup[job_.n_dup++] = job_.core1_tile;
    *index = job_.core1_tile;
    return true;
  }
  return false;
}

void Scheduler::retire(uint32_t index, int deliverer) {
  // Delivered once: every other copy, wherever it is, no longer counts; a node still computing
  // one has a slot taken until its block is read and dropped.
  for (uint8_t j = 0; j < table_.count(); ++j) {
    NodeRecord& n = table_[j];
    for (uint8_t q = 0; q < n.n_out;) {
      if (n.outstanding[q] != index) {
        ++q;
        continue;
      }
      if (j != deliverer) {
        if (n.dead == 0) n.dead_since = n.assigned_at[q];
        ++n.dead;
      }
      --n.n_out;
      n.outstanding[q] = n.outstanding[n.n_out];
      n.assigned_at[q] = n.assigned_at[n.n_out];
    }
  }
  for (uint32_t k = 0; k < job_.n_requeue;) {
    if (job_.requeue[k] == index)
      job_.requeue[k] = job_.requeue[--job_.n_requeue];
    else
      ++k;
  }
  if (job_.core1 == Core1::computing && job_.core1_tile == index) job_.core1 = Core1::superseded;
}

}  // namespace picocray
