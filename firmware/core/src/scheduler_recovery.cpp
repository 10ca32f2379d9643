// The scheduler's recovery: nodes that fail, nodes that stall, and the tail's duplicate tiles.
#include "picocray/log_text.h"
#include "picocray/scheduler.h"
#include "picocray/timing.h"

namespace picocray {

static_assert(timing::kStallUs == 3000000, "log_text.h says 3 s");

using Phase = NodeRecord::Phase;
using Read = NodeBus::Read;

void Scheduler::lose(NodeRecord& n, log_text::Loss why) {
  n.phase = Phase::lost;
  n.job_id = 0;
  n.dead = 0;
  n.last_probe_us = board_.clock.now_us();
  for (uint8_t k = 0; k < n.n_out; ++k) job_.requeue[job_.n_requeue++] = n.outstanding[k];
  const uint8_t handed_back = n.n_out;
  n.n_out = 0;
  if (!active()) return;
  ++job_.summary.nodes_lost;
  const bool alone = table_.usable(job_.req.node_mask) == 0 && !job_.core1_only;
  if (alone) {
    job_.core1_only = true;
    job_.summary.flags |= RenderSummary::kFinishedOnController;
  }
  Text t;
  log_text::node_lost(t, n.address, why, handed_back, alone);
  host_.note(LogLevel::warn, t.str());
}

void Scheduler::node_reclaimed(NodeRecord& n) {
  // Back after a reset: whatever it held is gone with it.
  if (n.n_out > 0 || (active() && !n.lost())) lose(n, log_text::Loss::reset);
}

// Every pass: nodes holding tiles are asked how they advance, lost ones whether they are back,
// and a job no secondary takes tiles of is given to core 1.
void Scheduler::watch(uint64_t now) {
  for (uint8_t i = 0; i < table_.count(); ++i) {
    NodeRecord& n = table_[i];
    if (!n.lost() && (n.n_out > 0 || n.dead > 0)) watch_node(n, now);
  }
  rejoin_lost(now, false);
  nobody_takes(now);
}

// A node holding tiles: heard within kWatchUs, and lost once its heartbeat has stood still for
// kStallUs, however long its tile is.
void Scheduler::watch_node(NodeRecord& n, uint64_t now) {
  if (now - n.last_poll_us < timing::kWatchUs) return;
  i2c::StatusBlock s;
  const Read r = bus_.read_poll(n, &s);
  if (r == Read::absent) return lose(n, log_text::Loss::no_answer);
  // The read took time: the clock now is past the `now` this pass began with.
  if (r == Read::ok && n.n_out > 0 && n.last_poll_us - n.beat_at_us > timing::kStallUs)
    lose(n, log_text::Loss::stalled);
}

void Scheduler::rejoin_lost(uint64_t now, bool force) {
  for (uint8_t i = 0; i < table_.count(); ++i) {
    NodeRecord& n = table_[i];
    if (!n.lost() || (!force && now - n.last_probe_us < timing::kRejoinProbeUs)) continue;
    n.last_probe_us = now;
    i2c::StatusBlock s;
    if (!bus_.probe_status(n, &s) || s.phase == i2c::NodePhase::unaddressed) continue;
    const bool idle = s.free == i2c::kSlots && s.ready == 0;
    if (!idle && s.beat == n.beat) continue;  // still standing where it stopped
    // Whatever it still holds was given to others: it is read and dropped before new tiles.
    n.phase = idle ? Phase::ready : Phase::stray;
    n.job_id = s.job_id;
    n.heard(s, now);
    n.last_seen_us = now;
    Text t;
    log_text::node_back(t, n.address);
    host_.note(LogLevel::info, t.str());
  }
}

// Tiles left to hand out, none out on a secondary, and none given for kStallUs: the nodes the
// mask names cannot take any (claimed but unheard, or busy with dead copies). Core 1 computes
// too, so that the render ends whatever the mask.
void Scheduler::nobody_takes(uint64_t now) {
  if (job_.core1_helps || job_.core1_only || all_given()) return;
  for (uint8_t i = 0; i < table_.count(); ++i)
    if (table_[i].n_out > 0) {
      job_.handed_out_us = now;
      return;
    }
  if (now <= job_.handed_out_us || now - job_.handed_out_us <= timing::kStallUs) return;
  job_.core1_helps = true;
  host_.note(LogLevel::warn, log_text::kNobodyTakes);
}

// A cancelled job: the tiles out on nodes are nobody's now; their slots stay busy until the
// nodes' blocks are read (or the nodes drop them for a new job).
void Scheduler::drop_outstanding() {
  for (uint8_t i = 0; i < table_.count(); ++i) {
    NodeRecord& n = table_[i];
    for (uint8_t q = 0; q < n.n_out; ++q) {
      if (n.dead == 0 || n.assigned_at[q] < n.dead_since) n.dead_since = n.assigned_at[q];
      ++n.dead;
    }
    n.n_out = 0;
  }
  job_.n_requeue = 0;
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
