// The scheduler: one render at a time as a dynamic tile queue over the secondaries and the
// controller's own core 1. Tiles go out in a golden-ratio order, two per node (its job slots);
// a finished tile is found through the attention line and a POLL sweep, read, acknowledged and
// forwarded to the host as the node encoded it. Recovery: a node that stops answering is lost and
// its tiles go to others; at the tail, a tile waiting behind another on a busy node is also given
// to an idle one (the first copy back counts); with no secondary left, core 1 finishes alone.
#pragma once
#include <cstdint>

#include "picocray/display.h"
#include "picocray/enrolment.h"
#include "picocray/hal.h"
#include "picocray/host_session.h"
#include "picocray/log_text.h"
#include "picocray/node_bus.h"
#include "picocray/node_table.h"
#include "picocray/protocol.h"
#include "picocray/tile_block.h"

namespace picocray {

class Scheduler final : public NodeReclaimed {
 public:
  Scheduler(hal::Board& board, NodeTable& table, NodeBus& bus, HostSession& host)
      : board_(board), table_(table), bus_(bus), host_(host) {}

  void clear();
  // Starts a render the caller has checked (validate, and its node mask against the table). Every
  // tile delivered also goes to sink (when given). A local job (the standalone display's) sends
  // the host nothing: no tiles, progress or answer.
  void start(uint16_t seq, const RenderRequest& req, TileSink* sink = nullptr, bool local = false);
  bool local() const { return active() && job_.local; }
  // Ends a local job as CANCEL ends a host's (a host's CANCEL does not reach it).
  void cancel_local();
  // The running or last job's summary (its elapsed time set when it finished).
  const RenderSummary& summary() const { return job_.summary; }
  // Whether the last job finished without being cancelled.
  bool last_completed() const { return last_completed_; }
  bool active() const { return phase_ != JobPhase::idle; }
  uint16_t seq() const { return job_.seq; }
  // CANCEL: target is a RENDER's seq, or 0 for whatever render runs. True when that render is
  // running (it ends, ERROR cancelled, once its tiles out are back or dropped).
  bool cancel(uint16_t target);
  // One pass over the running job; true when it did something and wants to run again at once.
  bool run();
  // When the job next needs a pass with nothing else happening (a PROGRESS frame is due).
  uint64_t next_wake(uint64_t now) const;
  bool progress(uint32_t* done, uint32_t* total) const;
  uint32_t jobs_done() const { return jobs_done_; }

  // A node failed: it is lost and the tiles it held go to others.
  void lose(NodeRecord& n, log_text::Loss why);
  // Asks lost nodes (at most every kRejoinProbeUs each, or now when forced) whether they are
  // back; one that answers advancing, or idle, takes tiles again.
  void rejoin_lost(uint64_t now, bool force);
  void node_reclaimed(NodeRecord& n) override;

 private:
  enum class JobPhase : uint8_t { idle, running, cancelling };
  // The controller's core 1: idle, computing a tile, or computing one somebody else delivered.
  enum class Core1 : uint8_t { idle, computing, superseded };

  struct Job {
    uint16_t seq = 0;  // the RENDER request's, for the answers
    uint16_t id = 0;   // the job number nodes and tile blocks carry
    RenderRequest req;
    // Of the secondaries' tile blocks: codec 2 when the host reads it (1.4).
    uint8_t codec = kTileCodecRuns;
    uint32_t total = 0;
    uint32_t next = 0;
    uint32_t stride = 1;  // tiles go out in the order next * stride mod total
    uint32_t done = 0;
    uint64_t started_us = 0;
    uint64_t last_progress_us = 0;
    RenderSummary summary;
    // Tiles handed back by a node that was lost, to be given out again first.
    uint32_t requeue[kMaxNodes * i2c::kSlots];
    uint32_t n_requeue = 0;
    Core1 core1 = Core1::idle;
    uint32_t core1_tile = 0;
    bool core1_only = false;  // every secondary lost: the controller finishes alone
    // Counters at the start, so the summary reports this job alone.
    uint64_t i2c_bytes0 = 0;
    uint32_t i2c_transactions0 = 0;
    uint32_t retries0 = 0;
    uint32_t integrity0 = 0;
    uint64_t handed_out_us = 0;  // last tile given to a secondary, or delivered by one
    bool core1_helps = false;    // no secondary took tiles for kStallUs: core 1 computes too
    // The tail: tiles waiting in a busy node's second slot, also given to an idle node.
    uint32_t dup[kMaxNodes * i2c::kSlots];
    uint32_t n_dup = 0;
    TileSink* sink = nullptr;
    bool local = false;
  };

  enum class Assign : uint8_t { taken, refused, gone };
  enum class Try : uint8_t { taken, nack, unconfirmed, gone };  // one attempt at an assignment

  bool all_given() const;
  bool take_tile(uint32_t* index);
  bool take_duplicate(uint32_t* index, int exclude);
  bool assign_one();
  Assign assign_to(NodeRecord& n, uint32_t index);
  Try send_assignment(NodeRecord& n, uint32_t index);
  void hand_job(NodeRecord& n);
  bool collect_one();
  uint8_t by_age(uint8_t* order) const;
  bool collect_from(uint8_t i);
  void deliver(uint8_t node, const TileHeader& h, size_t len);
  bool run_core1();
  bool finish_core1();
  // The codec a node writes this job's tiles in: the job's, if the node has it.
  uint8_t codec_for(const NodeRecord& n) const {
    return (n.capabilities & kCapTileCodecRange) != 0 ? job_.codec : kTileCodecRuns;
  }
  bool core1_may_start() const;
  void watch(uint64_t now);
  void watch_node(NodeRecord& n, uint64_t now);
  void nobody_takes(uint64_t now);
  void drop_outstanding();
  void retire(uint32_t index, int deliverer);
  void count_tile(uint8_t node);
  bool send_progress();
  void finish();
  static uint64_t oldest_assignment(const NodeRecord& n);
  // The host's output is in the way: never for a local job, which sends the host nothing.
  bool output_busy() const { return !job_.local && host_.output_busy(); }

  hal::Board& board_;
  NodeTable& table_;
  NodeBus& bus_;
  HostSession& host_;
  JobPhase phase_ = JobPhase::idle;
  Job job_;
  uint16_t next_job_id_ = 0;
  uint32_t jobs_done_ = 0;
  bool last_completed_ = false;
  uint8_t rr_ = 0;  // round-robin start for assignments
  uint8_t block_[kTileBlockMax];
  uint16_t core1_counts_[kMaxTilePixels];
};

}  // namespace picocray
