// The controller: speaks the framed protocol to the host over USB, enrols the secondaries, and
// runs render jobs as a dynamic tile queue over them and its own core 1. Tiles are forwarded to
// the host as the nodes encoded them; the controller never holds the image.
#pragma once
#include <cstdint>

#include "picocray/frame.h"
#include "picocray/hal.h"
#include "picocray/i2c_map.h"
#include "picocray/protocol.h"
#include "picocray/tile_block.h"

namespace picocray {

// Builds a short log line without printf: text, decimal numbers, two-digit hex.
class Text {
 public:
  Text& add(const char* s) {
    while (*s != '\0' && n_ + 1 < sizeof buf_) buf_[n_++] = *s++;
    buf_[n_] = '\0';
    return *this;
  }
  Text& num(uint32_t v) {
    char d[11];
    int k = 0;
    do d[k++] = static_cast<char>('0' + v % 10);
    while ((v /= 10) != 0);
    while (k > 0 && n_ + 1 < sizeof buf_) buf_[n_++] = d[--k];
    buf_[n_] = '\0';
    return *this;
  }
  Text& hex2(uint8_t v) {
    const char* x = "0123456789abcdef";
    char s[3] = {x[v >> 4], x[v & 15], '\0'};
    return add(s);
  }
  const char* str() const { return buf_; }

 private:
  char buf_[120] = {};
  size_t n_ = 0;
};

class Controller {
 public:
  explicit Controller(hal::Board& board) : board_(board) {}
  void start();
  // One pass of the main loop; returns when it next needs to run (timing.h).
  uint64_t poll();

  uint8_t node_count() const { return node_count_; }
  bool enumerating() const { return enumerating_; }
  bool job_active() const { return job_.active; }
  // Tiles delivered and in all, of the running job (false when none runs).
  bool job_progress(uint32_t* done, uint32_t* total) const {
    *done = job_.done;
    *total = job_.total;
    return job_.active;
  }

 private:
  struct NodeRecord {
    uint64_t uid = 0;
    uint8_t address = 0;
    uint8_t cores = 0;
    uint8_t fw[3] = {0, 0, 0};
    NodeState state = NodeState::idle;
    bool verified = false;
    uint64_t verify_at = 0;
    uint32_t tiles_done = 0;
    uint32_t integrity_errors = 0;
    uint32_t retries = 0;
    uint64_t last_seen_us = 0;
    bool job_loaded = false;
    uint16_t job_id = 0;
    uint32_t outstanding[i2c::kSlots] = {};
    uint64_t assigned_at[i2c::kSlots] = {};
    uint8_t n_out = 0;
    uint64_t last_progress_us = 0;  // last tile given or taken back
    uint64_t last_probe_us = 0;     // last time it was asked whether it is still there
    bool stray = false;  // holds a tile nobody gave it (a garbled address): collect before giving
    uint8_t dead = 0;    // slots busy with a tile another node delivered first
    uint64_t dead_since = 0;
  };

  struct Job {
    bool active = false;
    bool cancelling = false;
    uint16_t seq = 0;  // the RENDER request's, for the answers
    uint16_t id = 0;   // the job number nodes and tile blocks carry
    RenderRequest req;
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
    bool local_busy = false;
    uint32_t local_tile = 0;
    bool local_only = false;  // every secondary lost: the controller finishes alone
    // Counters at the start, so the summary reports this job alone.
    uint64_t i2c_bytes0 = 0;
    uint32_t i2c_transactions0 = 0;
    uint32_t retries0 = 0;
    uint32_t integrity0 = 0;
    uint64_t longest_tile_us = 0;
    // The tail: tiles waiting in a busy node's second slot, also given to an idle node.
    uint32_t dup[kMaxNodes * i2c::kSlots];
    uint32_t n_dup = 0;
    bool local_discard = false;  // the tile on core 1 was delivered by someone else meanwhile
  };

  enum class Read { ok, absent, garbled };

  // Host link
  bool output_busy() const { return out_pos_ < out_len_; }
  void flush_output();
  bool send(MsgType type, uint16_t seq, const uint8_t* body, size_t len);
  void send_error(uint16_t seq, ErrorCode code, const char* text);
  void handle_frame();
  void handle_hello(uint16_t seq, Reader& r);
  void handle_info(uint16_t seq);
  void handle_nodes(uint16_t seq);
  void handle_render(uint16_t seq, Reader& r);
  void handle_reset(uint16_t seq, Reader& r);
  void handle_cancel(uint16_t seq, Reader& r);
  void handle_node_echo(uint16_t seq, Reader& r);

  // Bus
  hal::I2cStatus bus_write(uint8_t addr, const uint8_t* data, size_t len);
  hal::I2cStatus write_magic(uint8_t addr, i2c::Reg reg, uint8_t magic);
  hal::I2cStatus bus_read_reg(uint8_t addr, i2c::Reg reg, uint8_t* rx, size_t len);
  // Reads a register block, retrying: kMaxRetries failed transfers in a row mean the node is gone
  // (absent); kMaxGarbled blocks that fail `check` mean a noisy bus (garbled).
  Read read_checked(NodeRecord& n, i2c::Reg reg, uint8_t* buf, size_t len,
                    bool (*check)(const uint8_t*, size_t, void*), void* out);
  Read read_status(NodeRecord& n, i2c::StatusBlock* s);
  Read read_poll(NodeRecord& n, i2c::StatusBlock* s);
  void service_claims(uint64_t now);
  void verify_pending(uint64_t now);
  int find_uid(uint64_t uid) const;
  uint8_t free_address() const;
  void node_failed(NodeRecord& n, const char* why);
  void check_stuck(uint64_t now);
  static uint64_t oldest_assignment(const NodeRecord& n);
  void note(LogLevel level, const char* text);
  void flush_note();

  // Jobs
  void reset_job();
  bool run_job();
  bool assign_one();
  bool collect_one();
  bool run_local();
  bool take_tile(uint32_t* index);
  bool take_duplicate(uint32_t* index, int exclude);
  void retire(uint32_t index, int deliverer);
  void finish_job();
  bool forward_tile(const uint8_t* block, size_t len);
  void count_tile(uint8_t node);

  hal::Board& board_;
  FrameDecoder decoder_;
  uint8_t rx_[64];
  size_t rx_len_ = 0;
  size_t rx_pos_ = 0;
  uint8_t out_[kMaxFrameEncoded];
  size_t out_len_ = 0;
  size_t out_pos_ = 0;
  uint32_t frames_out_ = 0;
  uint8_t body_[2400];
  uint8_t block_[kTileBlockMax];
  uint16_t local_counts_[kMaxTilePixels];

  NodeRecord nodes_[kMaxNodes];  // ordered by unique ID: the index is the node's number
  uint8_t node_count_ = 0;
  bool enumerating_ = true;
  uint64_t enum_quiet_since_ = 0;
  bool reset_reply_pending_ = false;
  uint16_t reset_seq_ = 0;
  bool reboot_pending_ = false;
  uint64_t reboot_at_ = 0;
  hal::RebootKind reboot_kind_ = hal::RebootKind::normal;
  uint32_t collisions_ = 0;
  uint32_t jobs_done_ = 0;
  uint16_t next_job_id_ = 0;
  bool log_pending_ = false;
  LogLevel log_level_ = LogLevel::info;
  char log_text_[120] = {};
  uint8_t rr_ = 0;  // round-robin start for assignments and sweeps
  uint64_t boot_us_ = 0;
  uint64_t i2c_bytes_ = 0;
  uint32_t i2c_transactions_ = 0;
  Job job_;
};

}  // namespace picocray
