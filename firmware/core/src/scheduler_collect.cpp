// The scheduler's collecting side: finished tiles read from the nodes (and core 1), counted,
// forwarded, and the job's final answer.
#include "picocray/scheduler.h"
#include "picocray/timing.h"

namespace picocray {

using hal::Line;
using Phase = NodeRecord::Phase;
using Read = NodeBus::Read;

bool Scheduler::collect_one() {
  // A finished tile anywhere pulls the attention line low; without that, there is nothing to read.
  if (board_.gpio.read(Line::attention)) return false;
  uint8_t order[kMaxNodes];
  const uint8_t count = by_age(order);
  for (uint8_t k = 0; k < count; ++k)
    if (collect_from(order[k])) return true;
  return false;
}

// The nodes holding tiles, the one that has worked longest on its oldest tile first: it is the
// likeliest to be pulling the line, so fewer reads go to nodes with nothing to give.
uint8_t Scheduler::by_age(uint8_t* order) const {
  uint8_t count = 0;
  for (uint8_t i = 0; i < table_.count(); ++i) {
    const NodeRecord& n = table_[i];
    if (n.lost() || !n.holds_tiles()) continue;
    uint8_t pos = count++;
    while (pos > 0 && oldest_assignment(table_[order[pos - 1]]) > oldest_assignment(n)) {
      order[pos] = order[pos - 1];
      --pos;
    }
    order[pos] = i;
  }
  return count;
}

uint64_t Scheduler::oldest_assignment(const NodeRecord& n) {
  if (n.phase == Phase::stray) return 0;
  uint64_t t = UINT64_MAX;
  for (uint8_t q = 0; q < n.n_out; ++q)
    if (n.assigned_at[q] < t) t = n.assigned_at[q];
  if (n.dead > 0 && n.dead_since < t) t = n.dead_since;
  return t;
}

// Reads node i's oldest finished tile, if it has one; true when a tile of this job was delivered.
bool Scheduler::collect_from(uint8_t i) {
  NodeRecord& n = table_[i];
  if (n.lost() || !n.holds_tiles()) return false;  // lost while others were read
  i2c::StatusBlock s;
  Read r = bus_.read_poll(n, &s);
  if (r == Read::absent) lose(n, log_text::Loss::no_answer);
  if (r != Read::ok) return false;
  if (n.phase == Phase::stray && s.free == i2c::kSlots) n.phase = Phase::ready;
  if (s.ready == 0 || s.ready_len < kTileHeaderSize || s.ready_len > sizeof block_) return false;
  TileHeader h;
  r = bus_.read_tile(n, block_, s.ready_len, &h);
  if (r == Read::absent) lose(n, log_text::Loss::no_answer);
  if (r != Read::ok) return false;  // the bus is noisy; the block is still there next time
  int slot = -1;
  for (uint8_t q = 0; q < n.n_out; ++q)
    if (n.outstanding[q] == h.tile_index) slot = q;
  const bool ours = slot >= 0 && h.job_id == job_.id;
  if (!ours && n.dead > 0) --n.dead;
  // Acknowledged in any case: the slot is freed, whether the tile is used or was stray.
  bus_.write_ack(n.address, h.tile_index);
  if (!ours) return false;
  job_.handed_out_us = board_.clock.now_us();
  ++n.tiles_done;
  deliver(i, h, s.ready_len);
  rr_ = static_cast<uint8_t>(i + 1);
  return true;
}

// A tile of this job, first copy back (from a node, or kControllerNode for core 1, which is no
// table index): every other copy is void; counted, and sent to the host.
void Scheduler::deliver(uint8_t node, const TileHeader& h, size_t len) {
  retire(h.tile_index, node);
  count_tile(node);
  job_.summary.iterations += h.iterations;
  if (phase_ == JobPhase::cancelling) return;
  if (!job_.local) host_.send(MsgType::tile, job_.seq, block_, len);
  if (job_.sink != nullptr) job_.sink->tile(block_, len);
}

bool Scheduler::run_core1() {
  if (job_.core1 != Core1::idle) return finish_core1();
  const bool use = (job_.req.flags & RenderRequest::kRenderUseController) != 0 || job_.core1_only ||
                   job_.core1_helps;
  if (!use || !core1_may_start()) return false;
  uint32_t index;
  if (!take_tile(&index)) return false;
  job_.core1 = Core1::computing;
  job_.core1_tile = index;
  board_.compute.start(tile_task(job_.req.geometry, index), core1_counts_);
  return true;
}

// Core 1 alone is half a secondary: near the end it leaves the last tiles to the nodes, or it
// would finish last.
bool Scheduler::core1_may_start() const {
  if (job_.core1_only || job_.core1_helps) return true;
  const uint32_t active = table_.usable(job_.req.node_mask);
  return job_.total - job_.next + job_.n_requeue > 2 * active;
}

bool Scheduler::finish_core1() {
  if (!board_.compute.done()) return false;
  const bool superseded = job_.core1 == Core1::superseded;
  job_.core1 = Core1::idle;
  if (superseded) return true;
  TileHeader h;
  h.job_id = job_.id;
  h.tile_index = job_.core1_tile;
  h.rect = tile_rect(job_.req.geometry, job_.core1_tile);
  h.node = kControllerNode;
  h.iterations = board_.compute.iterations();
  // Codec 1: core 0 encodes this block between its transfers, and codec 2's encoding would cost
  // it far more cycles (171 a pixel against 29) than codec 2's fewer bytes save it in USB frames.
  h.codec = kTileCodecRuns;
  deliver(kControllerNode, h, tile_block_build(h, core1_counts_, block_, sizeof block_));
  return true;
}

void Scheduler::count_tile(uint8_t node) {
  ++job_.done;
  RenderSummary& s = job_.summary;
  ++s.tiles;
  for (uint8_t k = 0; k < s.node_count; ++k)
    if (s.per_node[k].node == node) {
      ++s.per_node[k].tiles;
      return;
    }
  if (s.node_count < kMaxNodes + 1) s.per_node[s.node_count++] = NodeTiles{node, 1};
}

void Scheduler::finish() {
  const bool cancelled = phase_ == JobPhase::cancelling;
  phase_ = JobPhase::idle;
  ++jobs_done_;
  board_.system.show_state(hal::NodeLed::idle);
  last_completed_ = !cancelled;
  RenderSummary& s = job_.summary;
  s.elapsed_us = board_.clock.now_us() - job_.started_us;
  if (job_.local) return;
  if (cancelled) {
    host_.send_error(job_.seq, ErrorCode::cancelled, "render cancelled");
    return;
  }
  s.i2c_bytes = bus_.bytes() - job_.i2c_bytes0;
  s.i2c_transactions = bus_.transactions() - job_.i2c_transactions0;
  for (uint8_t i = 0; i < table_.count(); ++i) {
    s.retries += table_[i].retries;
    s.integrity_errors += table_[i].integrity_errors;
  }
  s.retries -= job_.retries0;
  s.integrity_errors -= job_.integrity0;
  Writer w(host_.scratch(), HostSession::kScratch);
  encode(w, s);
  host_.send(MsgType::ok, job_.seq, host_.scratch(), w.size());
}

}  // namespace picocray
