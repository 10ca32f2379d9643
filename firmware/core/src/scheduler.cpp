#include "picocray/scheduler.h"

#include "picocray/timing.h"

namespace picocray {

using hal::I2cStatus;
using hal::Line;
using Phase = NodeRecord::Phase;
using Read = NodeBus::Read;

void Scheduler::clear() {
  // Field by field: a Job{} temporary would not fit a board's small stack.
  phase_ = JobPhase::idle;
  job_.seq = job_.id = 0;
  job_.req = RenderRequest{};
  job_.total = job_.next = job_.done = 0;
  job_.stride = 1;
  job_.started_us = job_.last_progress_us = 0;
  job_.summary.tiles = 0;
  job_.summary.iterations = job_.summary.elapsed_us = job_.summary.i2c_bytes = 0;
  job_.summary.i2c_transactions = job_.summary.retries = job_.summary.integrity_errors = 0;
  job_.summary.node_count = job_.summary.nodes_lost = job_.summary.flags = 0;
  job_.n_requeue = job_.n_dup = 0;
  job_.core1 = Core1::idle;
  job_.core1_tile = 0;
  job_.core1_only = false;
  job_.i2c_bytes0 = job_.handed_out_us = 0;
  job_.core1_helps = false;
  job_.i2c_transactions0 = job_.retries0 = job_.integrity0 = 0;
  job_.sink = nullptr;
  job_.local = false;
}

void Scheduler::start(uint16_t seq, const RenderRequest& req, TileSink* sink, bool local) {
  clear();
  phase_ = JobPhase::running;
  job_.seq = seq;
  job_.sink = sink;
  job_.local = local;
  // Its own number, never the request's seq: a host may reuse a seq, and a node must not take
  // tiles of a new job for the old job's geometry.
  next_job_id_ = static_cast<uint16_t>(next_job_id_ + 1 == 0 ? 1 : next_job_id_ + 1);
  job_.id = next_job_id_;
  job_.req = req;
  // The tiles asked for (a 1.2 subset, or the whole grid): positions 0 .. total - 1 of them.
  job_.total = subset_size(req);
  job_.stride = tile_order_stride(job_.total);
  // The summary in the layout of the minor agreed with the host when the job started.
  job_.summary.layout_minor = host_.minor();
  job_.codec = host_.minor() >= 4 ? kTileCodecRange : kTileCodecRuns;
  job_.started_us = job_.last_progress_us = job_.handed_out_us = board_.clock.now_us();
  rejoin_lost(job_.started_us, true);
  job_.i2c_bytes0 = bus_.bytes();
  job_.i2c_transactions0 = bus_.transactions();
  for (uint8_t i = 0; i < table_.count(); ++i) {
    job_.retries0 += table_[i].retries;
    job_.integrity0 += table_[i].integrity_errors;
    table_[i].n_out = 0;
  }
  job_.core1_only = table_.usable(req.node_mask) == 0;
  board_.system.show_state(hal::NodeLed::busy);
}

bool Scheduler::cancel(uint16_t target) {
  if (!active() || job_.local || (job_.seq != target && target != 0)) return false;
  if (phase_ == JobPhase::running) phase_ = JobPhase::cancelling;
  return true;
}

void Scheduler::cancel_local() {
  if (active() && job_.local && phase_ == JobPhase::running) phase_ = JobPhase::cancelling;
}

bool Scheduler::progress(uint32_t* done, uint32_t* total) const {
  *done = job_.done;
  *total = job_.total;
  return active();
}

uint64_t Scheduler::next_wake(uint64_t now) const {
  uint64_t next = job_.last_progress_us + timing::kProgressIntervalUs;
  return next > now ? next : now + 1;
}

bool Scheduler::all_given() const {
  return phase_ == JobPhase::cancelling || (job_.next >= job_.total && job_.n_requeue == 0);
}

bool Scheduler::take_tile(uint32_t* index) {
  if (phase_ == JobPhase::cancelling) return false;
  if (job_.n_requeue > 0) {
    *index = job_.requeue[--job_.n_requeue];
    return true;
  }
  if (job_.next >= job_.total) return false;
  // A golden-ratio stride through the tiles asked for: cheap, bus-heavy tiles (outer bands) and
  // costly, compute-heavy ones (the set's interior) are mixed all through the job, so the bus and
  // the cores stay busy together instead of taking turns. The position is mapped to a tile index
  // through the job's subset.
  const auto position =
      static_cast<uint32_t>((static_cast<uint64_t>(job_.next++) * job_.stride) % job_.total);
  *index = subset_tile(job_.req, position);
  return true;
}

bool Scheduler::run() {
  if (output_busy()) return false;
  if (!job_.local) host_.flush_note(job_.seq);
  if (output_busy()) return true;
  if (phase_ == JobPhase::cancelling) drop_outstanding();
  watch(board_.clock.now_us());
  bool worked = collect_one();
  if (!output_busy()) worked = run_core1() || worked;
  worked = assign_one() || worked;
  worked = send_progress() || worked;
  // A cancelled job does not wait for core 1: the next tile it starts abandons this one.
  bool outstanding = job_.core1 != Core1::idle && phase_ != JobPhase::cancelling;
  for (uint8_t i = 0; i < table_.count(); ++i) outstanding = outstanding || table_[i].n_out > 0;
  if (all_given() && !outstanding && !output_busy()) {
    finish();
    worked = true;
  }
  return worked;
}

bool Scheduler::send_progress() {
  uint64_t now = board_.clock.now_us();
  if (job_.local || output_busy() || now - job_.last_progress_us < timing::kProgressIntervalUs)
    return false;
  job_.last_progress_us = now;
  ProgressUpdate p;
  p.tiles_done = job_.done;
  p.tiles_total = job_.total;
  Writer w(host_.scratch(), HostSession::kScratch);
  encode(w, p);
  host_.send(MsgType::progress, job_.seq, host_.scratch(), w.size());
  return true;
}

// ---------------------------------------------------------------------------------------------
// Handing tiles out

bool Scheduler::assign_one() {
  if (job_.core1_only) return false;
  const uint8_t count = table_.count();
  for (uint8_t k = 0; k < count; ++k) {
    const uint8_t i = static_cast<uint8_t>((rr_ + k) % count);
    NodeRecord& n = table_[i];
    if (n.phase != Phase::ready || ((job_.req.node_mask >> i) & 1u) == 0) continue;
    if (n.n_out == 0 && n.dead >= i2c::kSlots && n.job_id != job_.id) {
      hand_job(n);  // its slots hold an older job's tiles: the new job makes it drop them
      continue;
    }
    if (n.n_out + n.dead >= i2c::kSlots) continue;
    uint32_t index;
    bool duplicate = false;
    if (!take_tile(&index)) {
      if (!take_duplicate(&index, i)) continue;
      duplicate = true;
    }
    const Assign a = assign_to(n, index);
    rr_ = static_cast<uint8_t>(i + 1);
    if (a != Assign::taken) {
      if (!duplicate) job_.requeue[job_.n_requeue++] = index;  // a copy stays out elsewhere
      if (a == Assign::gone) lose(n, log_text::Loss::no_answer);
      return true;
    }
    const uint64_t now = board_.clock.now_us();
    n.assigned_at[n.n_out] = now;
    if (n.n_out == 0) n.beat_at_us = now;
    n.outstanding[n.n_out++] = index;
    job_.handed_out_us = now;
    return true;
  }
  return false;
}

// The job alone, to a node with no slot free for a tile: a node drops tiles of another job when a
// JOB block comes (it frees their slots without a block; NodeRecord::heard sees the slots free).
void Scheduler::hand_job(NodeRecord& n) {
  if (bus_.write_job(n.address, job_.id, job_.req.geometry, codec_for(n)) != I2cStatus::ok) return;
  i2c::StatusBlock s;
  if (bus_.read_status(n, &s) == Read::ok) n.job_id = s.job_id;
}

Scheduler::Assign Scheduler::assign_to(NodeRecord& n, uint32_t index) {
  uint8_t nacks = 0;
  for (uint8_t attempt = 0; attempt < timing::kMaxGarbled; ++attempt) {
    if (n.phase == Phase::stray) return Assign::refused;
    if (attempt > 0) ++n.retries;
    if (nacks >= timing::kMaxRetries) return Assign::gone;
    switch (send_assignment(n, index)) {
      case Try::taken: return Assign::taken;
      case Try::gone: return Assign::gone;
      case Try::nack: ++nacks; break;
      case Try::unconfirmed: break;
    }
  }
  return Assign::refused;
}

// JOB (when the node does not hold this job), TILE, and the read-back that confirms the tile.
Scheduler::Try Scheduler::send_assignment(NodeRecord& n, uint32_t index) {
  const bool load = n.job_id != job_.id;
  if (load && bus_.write_job(n.address, job_.id, job_.req.geometry, codec_for(n)) != I2cStatus::ok)
    return Try::nack;
  i2c::TileAssign a;
  a.job_id = job_.id;
  a.tile_index = index;
  a.rect = tile_rect(job_.req.geometry, index);
  if (bus_.write_tile(n.address, a) != I2cStatus::ok) return Try::nack;
  // The node names the last tile it took (and, after a JOB write, the job it holds; otherwise
  // the short POLL block carries the tile's low 16 bits and the free slots).
  i2c::StatusBlock s;
  const Read r = load ? bus_.read_status(n, &s) : bus_.read_poll(n, &s);
  if (r == Read::absent) return Try::gone;
  if (r != Read::ok) return Try::unconfirmed;
  bool ok;
  if (load) {
    n.job_id = s.job_id;
    ok = s.last_tile == index && n.job_id == job_.id;
  } else {
    ok = s.last_tile == (index & 0xFFFFu) && s.free < i2c::kSlots - n.n_out;
  }
  // Full slots it was not given: a misdirected write put a tile there. Collect it first.
  if (!ok && n.job_id == job_.id && s.free == 0) n.phase = Phase::stray;
  return ok ? Try::taken : Try::unconfirmed;
}

}  // namespace picocray
