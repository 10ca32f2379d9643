#include "picocray/secondary.h"

#include <atomic>

#include "picocray/protocol.h"
#include "picocray/timing.h"

namespace picocray {

using hal::Line;

void Secondary::start() {
  board_.target.stop();
  board_.gpio.pull_low(Line::assert_, false);
  board_.gpio.pull_low(Line::attention, false);
  address_ = 0;
  pending_address_ = 0;
  backoff_ = false;
  reset_ = false;
  holding_ = false;
  job_loaded_ = false;
  for (Slot& s : slots_) s.state = SlotState::free;
  computing_ = -1;
  last_tile_ = 0xFFFFFFFFu;
  last_job_ = 0;
  have_reg_ = false;
  reading_ = false;
  // Boards power up together: a random wait spreads their first claims apart.
  uint64_t now = board_.clock.now_us();
  next_try_ = now + board_.system.random() % 2000u;
  board_.system.show_state(hal::NodeLed::enumerating);
}

uint64_t Secondary::poll() {
  board_.system.feed_watchdog();
  uint64_t now = board_.clock.now_us();
  if (reset_) {
    start();
    return now;
  }
  if (!enrolled()) return enrol(now);

  if (computing_ >= 0 && board_.compute.done() && !current(slots_[computing_])) {
    slots_[computing_].state = SlotState::free;  // abandoned for a newer job: no block
    computing_ = -1;
  }
  if (computing_ >= 0 && board_.compute.done()) {
    Slot& s = slots_[computing_];
    TileHeader h;
    h.job_id = s.tile.job_id;
    h.tile_index = s.tile.tile_index;
    h.rect = s.tile.rect;
    h.node = address_;
    h.iterations = board_.compute.iterations();
    h.codec = s.codec;
    s.len = static_cast<uint16_t>(tile_block_build(h, counts_, s.block, sizeof s.block));
    s.order = order_++;
    // The block and its length are stored before the state that lets the interrupt read them.
    std::atomic_signal_fence(std::memory_order_release);
    s.state = SlotState::ready;
    computing_ = -1;
    // Announced now: starting the next tile below keeps core 0 busy for half a tile on a board.
    board_.gpio.pull_low(Line::attention, true);
  }
  if (computing_ < 0) {
    int i = oldest(SlotState::assigned);
    i2c::JobBlock job;
    const bool loaded = copy_job(&job);
    if (i >= 0 && loaded && slots_[i].tile.job_id == job.job_id) {
      TileTask t{job.geometry, slots_[i].tile.rect};
      slots_[i].state = SlotState::computing;
      slots_[i].codec = job.codec;
      computing_ = i;
      board_.compute.start(t, counts_);
    } else if (i >= 0) {
      slots_[i].state = SlotState::free;  // a tile of a job it never got: refuse it
      ++rx_errors_;
    }
  }
  bool ready = oldest(SlotState::ready) >= 0;
  board_.gpio.pull_low(Line::attention, ready);
  board_.system.show_state(computing_ >= 0 ? hal::NodeLed::busy : hal::NodeLed::idle);
  // Compute finishing and bus traffic are what wake it next.
  return computing_ >= 0 && board_.compute.done() ? now : kNoDeadline;
}

uint64_t Secondary::enrol(uint64_t now) {
  if (pending_address_ != 0) {
    address_ = pending_address_;
    pending_address_ = 0;
    board_.target.listen(address_, this);
    board_.gpio.pull_low(Line::assert_, false);
    holding_ = false;
    board_.system.show_state(hal::NodeLed::idle);
    return now;
  }
  if (holding_) {
    bool timed_out = now - hold_since_ >= timing::kClaimHoldUs;
    if (backoff_ || timed_out) {
      // Another board claimed at the same moment, or no controller answered: let go, retry.
      backoff_ = false;
      holding_ = false;
      board_.target.stop();
      board_.gpio.pull_low(Line::assert_, false);
      next_try_ = now + 200 + board_.system.random() % timing::kBackoffMaxUs;
      return next_try_;
    }
    return hold_since_ + timing::kClaimHoldUs;
  }
  if (now < next_try_) return next_try_;
  if (!board_.gpio.read(Line::assert_)) {
    // Another board holds the line: look again shortly.
    next_try_ = now + 100 + board_.system.random() % 1000u;
    return next_try_;
  }
  board_.gpio.pull_low(Line::assert_, true);
  holding_ = true;
  hold_since_ = now;
  board_.target.listen(i2c::kDefaultAddress, this);
  return hold_since_ + timing::kClaimHoldUs;
}

int Secondary::oldest(SlotState st) const {
  int best = -1;
  for (int i = 0; i < static_cast<int>(i2c::kSlots); ++i) {
    if (slots_[i].state != st) continue;
    if (st == SlotState::ready) {
      if (best < 0 || slots_[i].order < slots_[best].order) best = i;
    } else if (best < 0 || slots_[i].tile.tile_index < slots_[best].tile.tile_index) {
      best = i;
    }
  }
  return best;
}

void Secondary::on_receive(uint8_t byte) {
  if (!have_reg_) {
    reg_ = byte;
    have_reg_ = true;
    rx_len_ = 0;
    rx_overflow_ = false;
  } else if (rx_len_ < sizeof rx_) {
    rx_[rx_len_++] = byte;
  } else {
    rx_overflow_ = true;
  }
}

uint8_t Secondary::on_request() {
  if (!reading_) {
    reading_ = true;
    prepare_read();
    tx_pos_ = 0;
  }
  return tx_pos_ < tx_len_ ? tx_[tx_pos_++] : 0xFF;
}

void Secondary::on_finish() {
  if (reading_) {
    reading_ = false;
    have_reg_ = false;
  } else if (have_reg_ && (rx_len_ > 0 || rx_overflow_)) {
    handle_write();
    have_reg_ = false;
  }
  // A register byte alone selects what the read after the repeated start returns.
}

void Secondary::prepare_read() {
  tx_ = tx_small_;
  tx_len_ = 0;
  switch (static_cast<i2c::Reg>(reg_)) {
    case i2c::Reg::poll:
    case i2c::Reg::status: {
      i2c::StatusBlock s;
      s.phase = !enrolled() ? i2c::NodePhase::unaddressed
                            : (computing_ >= 0 ? i2c::NodePhase::busy : i2c::NodePhase::idle);
      uint8_t free = 0, ready = 0;
      for (const Slot& sl : slots_) {
        if (sl.state == SlotState::free) ++free;
        if (sl.state == SlotState::ready) ++ready;
      }
      s.free = free;
      s.ready = ready;
      s.rx_errors = rx_errors_;
      s.job_id = job_loaded_ ? job_.job_id : 0;
      int r = oldest(SlotState::ready);
      s.ready_len = r >= 0 ? slots_[r].len : 0;
      s.last_tile = last_tile_;
      s.beat = static_cast<uint16_t>(board_.compute.heartbeat());
      tx_len_ = static_cast<uint16_t>(static_cast<i2c::Reg>(reg_) == i2c::Reg::poll
                                          ? i2c::build_poll(s, tx_small_, sizeof tx_small_)
                                          : i2c::build(s, tx_small_, sizeof tx_small_));
      break;
    }
    case i2c::Reg::ident: {
      i2c::IdentBlock id;
      id.unique_id = board_.system.unique_id();
      id.fw_major = kFirmwareMajor;
      id.fw_minor = kFirmwareMinor;
      id.fw_patch = kFirmwarePatch;
      id.cores = board_.compute.cores();
      id.capabilities =
          kCapFixed32 | kCapFixed64 | kCapFixed128 | kCapAttentionLine | kCapTileCodecRange;
      tx_len_ = static_cast<uint16_t>(i2c::build(id, tx_small_, sizeof tx_small_));
      break;
    }
    case i2c::Reg::echo:
      tx_len_ =
          static_cast<uint16_t>(i2c::build_echo(echo_, echo_len_, tx_small_, sizeof tx_small_));
      break;
    case i2c::Reg::result: {
      int r = oldest(SlotState::ready);
      if (r >= 0) {
        tx_ = slots_[r].block;
        tx_len_ = slots_[r].len;
      }
      break;
    }
    default: break;
  }
}

void Secondary::handle_write() {
  bool ok = !rx_overflow_;
  switch (static_cast<i2c::Reg>(reg_)) {
    case i2c::Reg::job: ok = ok && take_job(); break;
    case i2c::Reg::tile: ok = ok && take_tile(); break;
    case i2c::Reg::ack: ok = ok && take_ack(); break;
    case i2c::Reg::claim: {
      i2c::ClaimBlock c;
      ok = ok && i2c::parse(rx_, rx_len_, &c);
      if (ok && holding_ && c.unique_id == board_.system.unique_id()) pending_address_ = c.address;
      break;
    }
    case i2c::Reg::backoff:
      ok = ok && i2c::parse_magic(rx_, rx_len_, i2c::kBackoffMagic);
      if (ok && holding_) backoff_ = true;
      break;
    case i2c::Reg::reset:
      ok = ok && i2c::parse_magic(rx_, rx_len_, i2c::kResetMagic);
      if (ok) reset_ = true;
      break;
    case i2c::Reg::echo:
      ok = ok && rx_len_ >= 4 && rx_len_ <= i2c::kEchoMax + 4 && i2c::sealed(rx_, rx_len_);
      if (ok) {
        echo_len_ = static_cast<uint8_t>(rx_len_ - 4);
        for (uint8_t i = 0; i < echo_len_; ++i) echo_[i] = rx_[i];
      }
      break;
    default: ok = false; break;
  }
  if (!ok) ++rx_errors_;
}

bool Secondary::take_job() {
  i2c::JobBlock j;
  if (!i2c::parse(rx_, rx_len_, &j)) return false;
  // The interrupt may not be interrupted by the main loop, so its writes are whole; the count
  // tells the main loop's copy (copy_job) that a write came in while it copied.
  ++job_writes_;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  job_ = j;
  job_loaded_ = true;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  ++job_writes_;
  // A tile of an older job still computing is nobody's now (the job was cancelled or ended):
  // its cores stop, and the main loop frees its slot without a block.
  const int c = computing_;
  if (c >= 0 && slots_[c].tile.job_id != j.job_id) board_.compute.abandon();
  return true;
}

bool Secondary::current(const Slot& s) const {
  i2c::JobBlock job;
  return copy_job(&job) && s.tile.job_id == job.job_id;
}

bool Secondary::copy_job(i2c::JobBlock* out) const {
  for (;;) {
    const uint32_t before = job_writes_;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    const bool loaded = job_loaded_;
    *out = job_;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    if (job_writes_ == before && (before & 1u) == 0) return loaded;
  }
}

bool Secondary::take_tile() {
  i2c::TileAssign t;
  if (!i2c::parse(rx_, rx_len_, &t)) return false;
  // A repeated write of a tile it already took (the controller retrying after a lost read-back).
  if (t.tile_index == last_tile_ && t.job_id == last_job_) return true;
  int f = oldest(SlotState::free);
  if (f < 0) return false;
  slots_[f].tile = t;
  slots_[f].state = SlotState::assigned;
  last_tile_ = t.tile_index;
  last_job_ = t.job_id;
  return true;
}

bool Secondary::take_ack() {
  i2c::AckBlock a;
  if (!i2c::parse(rx_, rx_len_, &a)) return false;
  for (Slot& s : slots_)
    if (s.state == SlotState::ready && s.tile.tile_index == a.tile_index) s.state = SlotState::free;
  if (oldest(SlotState::ready) < 0) board_.gpio.pull_low(Line::attention, false);
  return true;
}

}  // namespace picocray
