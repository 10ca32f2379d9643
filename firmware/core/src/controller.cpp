#include "picocray/controller.h"

#include "picocray/timing.h"

namespace picocray {

using hal::I2cStatus;
using hal::Line;

namespace {

void copy_text(char* out, size_t cap, const char* s) {
  size_t i = 0;
  for (; s[i] != '\0' && i + 1 < cap; ++i) out[i] = s[i];
  out[i] = '\0';
}

}  // namespace

void Controller::start() {
  boot_us_ = board_.clock.now_us();
  out_len_ = out_pos_ = 0;
  rx_len_ = rx_pos_ = 0;
  decoder_.clear();
  frames_out_ = 0;
  reboot_pending_ = false;
  reboot_at_ = 0;
  reset_reply_pending_ = false;
  i2c_bytes_ = 0;
  i2c_transactions_ = 0;
  jobs_done_ = 0;
  node_count_ = 0;
  enumerating_ = true;
  enum_quiet_since_ = boot_us_;
  reset_job();
  board_.gpio.pull_low(Line::assert_, false);
  board_.gpio.pull_low(Line::attention, false);
  board_.system.show_state(static_cast<uint8_t>(hal::NodeLed::enumerating));
  // After a controller reboot the secondaries still hold addresses nobody knows: send every
  // possible node back to the default address, so that they all enrol afresh.
  for (uint8_t a = i2c::kFirstNodeAddress; a < i2c::kFirstNodeAddress + kMaxNodes; ++a)
    write_magic(a, i2c::Reg::reset, i2c::kResetMagic);
}

uint64_t Controller::poll() {
  board_.system.feed_watchdog();
  uint64_t now = board_.clock.now_us();
  flush_output();
  if (reboot_pending_) {
    // The OK must reach the host before USB goes away with the reboot.
    if (output_busy()) return kNoDeadline;
    if (reboot_at_ == 0) reboot_at_ = now + timing::kRebootDrainUs;
    if (now < reboot_at_) return reboot_at_;
    reboot_pending_ = false;
    reboot_at_ = 0;
    board_.system.reboot(reboot_kind_);
    return now;
  }

  // Late or re-enrolling secondaries are taken whenever they ask, job or not.
  service_claims(now);
  verify_pending(now);
  if (enumerating_) {
    uint64_t next_verify = kNoDeadline;
    for (uint8_t i = 0; i < node_count_; ++i)
      if (!nodes_[i].verified && nodes_[i].state != NodeState::lost &&
          nodes_[i].verify_at < next_verify)
        next_verify = nodes_[i].verify_at;
    now = board_.clock.now_us();
    uint64_t quiet_end = enum_quiet_since_ + timing::kEnumerationQuietUs;
    if (next_verify != kNoDeadline || now < quiet_end)
      return next_verify < quiet_end ? next_verify : quiet_end;
    enumerating_ = false;
    board_.system.show_state(static_cast<uint8_t>(hal::NodeLed::idle));
    if (reset_reply_pending_ && !output_busy()) {
      reset_reply_pending_ = false;
      send(MsgType::ok, reset_seq_, nullptr, 0);
    }
  }
  if (reset_reply_pending_) {
    if (!output_busy()) {
      reset_reply_pending_ = false;
      send(MsgType::ok, reset_seq_, nullptr, 0);
    }
    return now;
  }

  // Requests are read only when their answer can be written at once.
  while (!output_busy()) {
    if (rx_pos_ == rx_len_) {
      rx_len_ = board_.host.read(rx_, sizeof rx_);
      rx_pos_ = 0;
      if (rx_len_ == 0) break;
    }
    // Bytes after a request whose answer is still going out wait for the next pass.
    while (rx_pos_ < rx_len_ && !output_busy())
      if (decoder_.push(rx_[rx_pos_++])) handle_frame();
  }

  if (job_.active) {
    if (run_job()) return board_.clock.now_us();
    // Waiting on compute, the attention line or the host link: those wake it, or progress time.
    if (!job_.active || output_busy()) return kNoDeadline;
    uint64_t next = job_.last_progress_us + timing::kProgressIntervalUs;
    uint64_t now_us = board_.clock.now_us();
    return next > now_us ? next : now_us + 1;
  }
  return kNoDeadline;
}

// ---------------------------------------------------------------------------------------------
// Host link

void Controller::flush_output() {
  while (out_pos_ < out_len_) {
    size_t n = board_.host.write(out_ + out_pos_, out_len_ - out_pos_);
    if (n == 0) return;
    out_pos_ += n;
  }
  out_pos_ = out_len_ = 0;
}

bool Controller::send(MsgType type, uint16_t seq, const uint8_t* body, size_t len) {
  if (output_busy()) return false;
  FrameHeader h;
  h.type = static_cast<uint8_t>(type);
  h.seq = seq;
  out_len_ = frame_encode(h, body, len, out_, sizeof out_);
  out_pos_ = 0;
  if (out_len_ == 0) return false;
  ++frames_out_;
  flush_output();
  return true;
}

void Controller::send_error(uint16_t seq, ErrorCode code, const char* text) {
  ErrorReply e;
  e.code = code;
  copy_text(e.text, sizeof e.text, text);
  Writer w(body_, sizeof body_);
  encode(w, e);
  send(MsgType::error, seq, body_, w.size());
}

void Controller::handle_frame() {
  const FrameHeader& h = decoder_.header();
  Reader r(decoder_.body(), decoder_.body_len());
  switch (static_cast<MsgType>(h.type)) {
    case MsgType::hello: return handle_hello(h.seq, r);
    case MsgType::info: return handle_info(h.seq);
    case MsgType::nodes: return handle_nodes(h.seq);
    case MsgType::render: return handle_render(h.seq, r);
    case MsgType::reset: return handle_reset(h.seq, r);
    case MsgType::cancel: return handle_cancel(h.seq, r);
    case MsgType::node_echo: return handle_node_echo(h.seq, r);
    case MsgType::ping: {
      size_t n = decoder_.body_len() < sizeof body_ ? decoder_.body_len() : sizeof body_;
      for (size_t i = 0; i < n; ++i) body_[i] = decoder_.body()[i];
      send(MsgType::ok, h.seq, body_, n);
      return;
    }
    default: send_error(h.seq, ErrorCode::unknown_type, "unknown message type"); return;
  }
}

void Controller::handle_hello(uint16_t seq, Reader& r) {
  HelloRequest q;
  if (!decode(r, &q)) return send_error(seq, ErrorCode::bad_request, "HELLO body malformed");
  if (q.major != kProtocolMajor)
    return send_error(seq, ErrorCode::version_mismatch, "controller speaks protocol major 1");
  HelloReply m;
  m.unique_id = board_.system.unique_id();
  m.role = Role::controller;
  m.capabilities =
      kCapFixed32 | kCapFixed64 | kCapFixed128 | kCapControllerCompute | kCapAttentionLine;
  const char* name = board_.system.board_name();
  if (name[0] == 's' && name[1] == 'i' && name[2] == 'm') m.capabilities |= kCapSimulated;
  m.max_frame_body = static_cast<uint16_t>(kMaxFrameBody);
  m.node_count = node_count_;
  copy_text(m.board, sizeof m.board, name);
  Writer w(body_, sizeof body_);
  encode(w, m);
  send(MsgType::ok, seq, body_, w.size());
}

void Controller::handle_info(uint16_t seq) {
  InfoReply m;
  m.cpu_hz = board_.system.cpu_hz();
  m.i2c_hz = board_.initiator.clock_hz();
  m.node_count = node_count_;
  m.uptime_us = board_.clock.now_us() - boot_us_;
  const FrameStats& s = decoder_.stats();
  m.link.frames_in = s.frames;
  m.link.frames_out = frames_out_;
  m.link.crc_errors = s.crc_errors;
  m.link.malformed = s.malformed;
  m.link.overlong = s.overlong;
  m.jobs_done = jobs_done_;
  Writer w(body_, sizeof body_);
  encode(w, m);
  send(MsgType::ok, seq, body_, w.size());
}

void Controller::handle_nodes(uint16_t seq) {
  Writer w(body_, sizeof body_);
  w.u8(node_count_);
  uint64_t now = board_.clock.now_us();
  for (uint8_t i = 0; i < node_count_; ++i) {
    const NodeRecord& n = nodes_[i];
    NodeEntry e;
    e.index = i;
    e.address = n.address;
    e.unique_id = n.uid;
    e.state = n.state == NodeState::lost ? NodeState::lost
                                         : (n.n_out > 0 ? NodeState::busy : NodeState::idle);
    e.cores = n.cores;
    e.fw_major = n.fw[0];
    e.fw_minor = n.fw[1];
    e.fw_patch = n.fw[2];
    e.tiles_done = n.tiles_done;
    e.integrity_errors = n.integrity_errors;
    e.retries = n.retries;
    uint64_t age = (now - n.last_seen_us) / 1000;
    e.last_seen_ms = age > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<uint32_t>(age);
    encode(w, e);
  }
  send(MsgType::ok, seq, body_, w.size());
}

void Controller::handle_render(uint16_t seq, Reader& r) {
  RenderRequest q;
  if (!decode(r, &q)) return send_error(seq, ErrorCode::bad_request, "RENDER body malformed");
  if (job_.active) return send_error(seq, ErrorCode::busy, "a render is already running");
  const char* why = nullptr;
  if (!validate(q, &why)) return send_error(seq, ErrorCode::bad_job, why);
  if (q.node_mask != ~0ull) {
    if (node_count_ < 64 && (q.node_mask >> node_count_) != 0)
      return send_error(seq, ErrorCode::no_nodes, "the job names a node that is not enrolled");
  }
  reset_job();
  job_.active = true;
  job_.seq = seq;
  // Its own number, never the request's seq: a host may reuse a seq, and a node must not take
  // tiles of a new job for the old job's geometry.
  next_job_id_ = static_cast<uint16_t>(next_job_id_ + 1 == 0 ? 1 : next_job_id_ + 1);
  job_.id = next_job_id_;
  job_.req = q;
  job_.total = tile_count(q.geometry);
  job_.stride = tile_order_stride(job_.total);
  job_.started_us = board_.clock.now_us();
  job_.last_progress_us = job_.started_us;
  job_.i2c_bytes0 = i2c_bytes_;
  job_.i2c_transactions0 = i2c_transactions_;
  for (uint8_t i = 0; i < node_count_; ++i) {
    job_.retries0 += nodes_[i].retries;
    job_.integrity0 += nodes_[i].integrity_errors;
  }
  bool any_node = false;
  for (uint8_t i = 0; i < node_count_; ++i) {
    nodes_[i].n_out = 0;
    if (((q.node_mask >> i) & 1u) && nodes_[i].state != NodeState::lost) any_node = true;
  }
  job_.local_only = !any_node;
  board_.system.show_state(static_cast<uint8_t>(hal::NodeLed::busy));
}

void Controller::handle_reset(uint16_t seq, Reader& r) {
  ResetRequest q;
  if (!decode(r, &q)) return send_error(seq, ErrorCode::bad_request, "RESET body malformed");
  if (job_.active) return send_error(seq, ErrorCode::busy, "a render is running");
  switch (q.kind) {
    case ResetKind::enumerate:
    case ResetKind::nodes: {
      for (uint8_t i = 0; i < node_count_; ++i) {
        if (q.kind == ResetKind::nodes && ((q.node_mask >> i) & 1u) == 0) continue;
        write_magic(nodes_[i].address, i2c::Reg::reset, i2c::kResetMagic);
        // Unique ID and address stay on record, so the node gets its number back.
        nodes_[i].verified = false;
        nodes_[i].state = NodeState::lost;
        nodes_[i].job_loaded = false;
      }
      enumerating_ = true;
      enum_quiet_since_ = board_.clock.now_us();
      reset_reply_pending_ = true;
      reset_seq_ = seq;
      return;
    }
    case ResetKind::controller:
    case ResetKind::bootsel:
      send(MsgType::ok, seq, nullptr, 0);
      reboot_pending_ = true;
      reboot_kind_ =
          q.kind == ResetKind::bootsel ? hal::RebootKind::bootsel : hal::RebootKind::normal;
      return;
  }
}

void Controller::handle_node_echo(uint16_t seq, Reader& r) {
  // An integrity round trip over I2C: the bytes go to the node's ECHO register with a CRC, and
  // come back read from it, the node sealing them again.
  uint8_t index = r.u8();
  size_t n = r.remaining();
  if (!r.ok() || n < 1 || n > i2c::kEchoMax)
    return send_error(seq, ErrorCode::bad_request, "NODE_ECHO needs a node and 1 to 32 bytes");
  if (index >= node_count_ || nodes_[index].state == NodeState::lost)
    return send_error(seq, ErrorCode::no_nodes, "no such node, or it is lost");
  if (job_.active) return send_error(seq, ErrorCode::busy, "a render is running");
  NodeRecord& node = nodes_[index];
  uint8_t msg[1 + i2c::kEchoMax + 4];
  msg[0] = static_cast<uint8_t>(i2c::Reg::echo);
  i2c::build_echo(r.take(n), n, msg + 1, sizeof msg - 1);
  if (bus_write(node.address, msg, 1 + n + 4) != I2cStatus::ok)
    return send_error(seq, ErrorCode::cluster_fault, "the node did not take the echo");
  uint8_t back[i2c::kEchoMax + 4];
  if (bus_read_reg(node.address, i2c::Reg::echo, back, n + 4) != I2cStatus::ok)
    return send_error(seq, ErrorCode::cluster_fault, "the node did not answer the echo read");
  if (!i2c::sealed(back, n + 4)) {
    ++node.integrity_errors;
    return send_error(seq, ErrorCode::cluster_fault, "the echo came back with a bad CRC");
  }
  node.last_seen_us = board_.clock.now_us();
  send(MsgType::ok, seq, back, n);
}

void Controller::handle_cancel(uint16_t seq, Reader& r) {
  uint16_t target = r.u16();
  if (!r.done()) return send_error(seq, ErrorCode::bad_request, "CANCEL body malformed");
  // Target 0: whatever render runs (a host that lost its session does not know the seq).
  if (job_.active && (job_.seq == target || target == 0)) job_.cancelling = true;
  send(MsgType::ok, seq, nullptr, 0);
}

// ---------------------------------------------------------------------------------------------
// Bus and enrolment

I2cStatus Controller::bus_write(uint8_t addr, const uint8_t* data, size_t len) {
  ++i2c_transactions_;
  i2c_bytes_ += 1 + len;
  return board_.initiator.write(addr, data, len, timing::kI2cTimeoutUs);
}

// RESET and BACKOFF: a register, one magic byte and its CRC.
I2cStatus Controller::write_magic(uint8_t addr, i2c::Reg reg, uint8_t magic) {
  uint8_t msg[1 + i2c::kResetLen];  // BACKOFF has the same length
  msg[0] = static_cast<uint8_t>(reg);
  i2c::build_magic(magic, msg + 1, sizeof msg - 1);
  return bus_write(addr, msg, sizeof msg);
}

I2cStatus Controller::bus_read_reg(uint8_t addr, i2c::Reg reg, uint8_t* rx, size_t len) {
  ++i2c_transactions_;
  i2c_bytes_ += 1 + 1 + 1 + len;
  uint8_t r = static_cast<uint8_t>(reg);
  return board_.initiator.write_read(addr, &r, 1, rx, len, timing::kI2cTimeoutUs);
}

Controller::Read Controller::read_checked(NodeRecord& n, i2c::Reg reg, uint8_t* buf, size_t len,
                                          bool (*check)(const uint8_t*, size_t, void*), void* out) {
  uint8_t nacks = 0;
  for (uint8_t attempt = 0; attempt < timing::kMaxGarbled; ++attempt) {
    if (attempt > 0) ++n.retries;
    I2cStatus st = bus_read_reg(n.address, reg, buf, len);
    if (st != I2cStatus::ok) {
      if (++nacks >= timing::kMaxRetries) return Read::absent;
      continue;
    }
    nacks = 0;
    n.last_seen_us = board_.clock.now_us();
    if (check(buf, len, out)) return Read::ok;
    ++n.integrity_errors;
  }
  return Read::garbled;
}

Controller::Read Controller::read_poll(NodeRecord& n, i2c::StatusBlock* s) {
  uint8_t buf[i2c::kPollLen];
  return read_checked(
      n, i2c::Reg::poll, buf, sizeof buf,
      [](const uint8_t* b, size_t len, void* out) {
        return i2c::parse_poll(b, len, static_cast<i2c::StatusBlock*>(out));
      },
      s);
}

Controller::Read Controller::read_status(NodeRecord& n, i2c::StatusBlock* s) {
  uint8_t buf[i2c::kStatusLen];
  return read_checked(
      n, i2c::Reg::status, buf, sizeof buf,
      [](const uint8_t* b, size_t len, void* out) {
        return i2c::parse(b, len, static_cast<i2c::StatusBlock*>(out));
      },
      s);
}

int Controller::find_uid(uint64_t uid) const {
  for (uint8_t i = 0; i < node_count_; ++i)
    if (nodes_[i].uid == uid) return i;
  return -1;
}

uint8_t Controller::free_address() const {
  for (uint8_t a = i2c::kFirstNodeAddress; a < i2c::kFirstNodeAddress + kMaxNodes; ++a) {
    bool used = false;
    for (uint8_t i = 0; i < node_count_ && !used; ++i) used = nodes_[i].address == a;
    if (!used) return a;
  }
  return 0;
}

void Controller::service_claims(uint64_t now) {
  if (board_.gpio.read(Line::assert_)) return;
  uint8_t buf[i2c::kIdentLen];
  I2cStatus st = bus_read_reg(i2c::kDefaultAddress, i2c::Reg::ident, buf, sizeof buf);
  if (st != I2cStatus::ok) return;  // it let go before we asked
  i2c::IdentBlock id;
  if (!i2c::parse(buf, sizeof buf, &id)) {
    // Two boards answered at once (their bytes ANDed on the wire): both must back off.
    ++collisions_;
    enum_quiet_since_ = now;
    write_magic(i2c::kDefaultAddress, i2c::Reg::backoff, i2c::kBackoffMagic);
    return;
  }
  int idx = find_uid(id.unique_id);
  const bool known = idx >= 0;
  if (idx < 0) {
    uint8_t addr = free_address();
    if (addr == 0) {
      // 64 nodes already: tell it to let go, and do not hold enumeration open for it.
      write_magic(i2c::kDefaultAddress, i2c::Reg::backoff, i2c::kBackoffMagic);
      return;
    }
    // Keep the table ordered by unique ID, so numbering does not depend on who claimed first.
    int pos = node_count_;
    while (pos > 0 && nodes_[pos - 1].uid > id.unique_id) {
      nodes_[pos] = nodes_[pos - 1];
      --pos;
    }
    nodes_[pos] = NodeRecord{};
    nodes_[pos].uid = id.unique_id;
    nodes_[pos].address = addr;
    ++node_count_;
    idx = pos;
  }
  enum_quiet_since_ = now;
  NodeRecord& n = nodes_[idx];
  // Back after a reset: whatever it held is gone with it.
  if (known && (n.n_out > 0 || (job_.active && n.state != NodeState::lost)))
    node_failed(n, "was reset");
  n.cores = id.cores;
  n.fw[0] = id.fw_major;
  n.fw[1] = id.fw_minor;
  n.fw[2] = id.fw_patch;
  n.verified = false;
  n.state = NodeState::idle;
  n.job_loaded = false;
  n.n_out = 0;
  uint8_t msg[i2c::kClaimLen + 1];
  msg[0] = static_cast<uint8_t>(i2c::Reg::claim);
  i2c::ClaimBlock c;
  c.unique_id = id.unique_id;
  c.address = n.address;
  i2c::build(c, msg + 1, sizeof msg - 1);
  bus_write(i2c::kDefaultAddress, msg, sizeof msg);
  n.verify_at = board_.clock.now_us() + timing::kAddressSettleUs;
}

void Controller::verify_pending(uint64_t now) {
  for (uint8_t i = 0; i < node_count_; ++i) {
    NodeRecord& n = nodes_[i];
    if (n.verified || n.state == NodeState::lost || now < n.verify_at) continue;
    uint8_t buf[i2c::kIdentLen];
    i2c::IdentBlock id;
    if (bus_read_reg(n.address, i2c::Reg::ident, buf, sizeof buf) == I2cStatus::ok &&
        i2c::parse(buf, sizeof buf, &id) && id.unique_id == n.uid) {
      n.verified = true;
      n.last_seen_us = board_.clock.now_us();
    } else if (now - n.verify_at > 10 * timing::kAddressSettleUs) {
      n.state = NodeState::lost;  // it never arrived; it will claim again
    } else {
      n.verify_at = now + timing::kAddressSettleUs;
    }
  }
}

void Controller::node_failed(NodeRecord& n, const char* why) {
  n.state = NodeState::lost;
  n.job_loaded = false;
  n.stray = false;
  n.dead = 0;
  for (uint8_t k = 0; k < n.n_out; ++k) job_.requeue[job_.n_requeue++] = n.outstanding[k];
  uint8_t handed_back = n.n_out;
  n.n_out = 0;
  if (!job_.active) return;
  ++job_.summary.nodes_lost;
  Text t;
  t.add("node at 0x").hex2(n.address).add(" ").add(why).add(": lost");
  if (handed_back > 0)
    t.add("; its ")
        .num(handed_back)
        .add(handed_back == 1 ? " tile goes" : " tiles go")
        .add(" to others");
  bool any = false;
  for (uint8_t i = 0; i < node_count_; ++i)
    any = any || (nodes_[i].state != NodeState::lost && ((job_.req.node_mask >> i) & 1u));
  if (!any && !job_.local_only) {
    job_.local_only = true;
    job_.summary.flags |= RenderSummary::kFinishedOnController;
    t.add("; no secondary left: the controller finishes the job alone");
  }
  note(LogLevel::warn, t.str());
}

void Controller::note(LogLevel level, const char* text) {
  // One message waits; a newer one replaces it (logs are best effort, answers are not).
  log_level_ = level;
  size_t i = 0;
  for (; text[i] != '\0' && i + 1 < sizeof log_text_; ++i) log_text_[i] = text[i];
  log_text_[i] = '\0';
  log_pending_ = true;
}

void Controller::flush_note() {
  if (!log_pending_ || output_busy()) return;
  Writer w(body_, sizeof body_);
  w.u8(static_cast<uint8_t>(log_level_));
  w.str(log_text_);
  log_pending_ = false;
  send(MsgType::log, job_.active ? job_.seq : 0, body_, w.size());
}

// ---------------------------------------------------------------------------------------------
// Jobs

void Controller::reset_job() {
  // Field by field: a Job{} temporary would not fit a board's small stack.
  job_.active = job_.cancelling = job_.local_busy = job_.local_only = false;
  job_.seq = 0;
  job_.req = RenderRequest{};
  job_.total = job_.next = job_.done = 0;
  job_.started_us = job_.last_progress_us = 0;
  job_.summary.tiles = 0;
  job_.summary.iterations = job_.summary.elapsed_us = job_.summary.i2c_bytes = 0;
  job_.summary.i2c_transactions = job_.summary.retries = job_.summary.integrity_errors = 0;
  job_.summary.node_count = 0;
  job_.summary.nodes_lost = 0;
  job_.summary.flags = 0;
  job_.longest_tile_us = 0;
  job_.n_requeue = 0;
  job_.local_tile = 0;
  job_.n_dup = 0;
  job_.local_discard = false;
  job_.i2c_bytes0 = 0;
  job_.i2c_transactions0 = job_.retries0 = job_.integrity0 = 0;
}

bool Controller::take_tile(uint32_t* index) {
  if (job_.cancelling) return false;
  if (job_.n_requeue > 0) {
    *index = job_.requeue[--job_.n_requeue];
    return true;
  }
  if (job_.next >= job_.total) return false;
  // A golden-ratio stride through the grid: cheap, bus-heavy tiles (outer bands) and costly,
  // compute-heavy ones (the set's interior) are mixed all through the job, so the bus and the
  // cores stay busy together instead of taking turns.
  *index = static_cast<uint32_t>((static_cast<uint64_t>(job_.next++) * job_.stride) % job_.total);
  return true;
}

bool Controller::run_job() {
  if (output_busy()) return false;
  flush_note();
  if (output_busy()) return true;
  check_stuck(board_.clock.now_us());
  bool worked = collect_one();
  if (!output_busy()) worked = run_local() || worked;
  worked = assign_one() || worked;
  uint64_t now = board_.clock.now_us();
  if (!output_busy() && now - job_.last_progress_us >= timing::kProgressIntervalUs) {
    worked = true;
    job_.last_progress_us = now;
    ProgressUpdate p;
    p.tiles_done = job_.done;
    p.tiles_total = job_.total;
    Writer w(body_, sizeof body_);
    encode(w, p);
    send(MsgType::progress, job_.seq, body_, w.size());
  }
  bool outstanding = job_.local_busy;
  for (uint8_t i = 0; i < node_count_; ++i) outstanding = outstanding || nodes_[i].n_out > 0;
  bool all_given = job_.cancelling || (job_.next >= job_.total && job_.n_requeue == 0);
  if (all_given && !outstanding && !output_busy()) {
    finish_job();
    worked = true;
  }
  return worked;
}

bool Controller::assign_one() {
  if (job_.local_only) return false;
  for (uint8_t k = 0; k < node_count_; ++k) {
    uint8_t i = static_cast<uint8_t>((rr_ + k) % node_count_);
    NodeRecord& n = nodes_[i];
    if (n.state == NodeState::lost || !n.verified || n.stray || n.n_out + n.dead >= i2c::kSlots)
      continue;
    if (((job_.req.node_mask >> i) & 1u) == 0) continue;
    uint32_t index;
    bool duplicate = false;
    if (!take_tile(&index)) {
      if (!take_duplicate(&index, i)) continue;
      duplicate = true;
    }
    bool ok = false, gone = false;
    uint8_t nacks = 0;
    for (uint8_t attempt = 0; attempt < timing::kMaxGarbled && !ok && !gone && !n.stray;
         ++attempt) {
      if (attempt > 0) ++n.retries;
      if (nacks >= timing::kMaxRetries) {
        gone = true;
        break;
      }
      const bool load = !n.job_loaded || n.job_id != job_.id;
      if (load) {
        uint8_t msg[i2c::kJobLen + 1];
        msg[0] = static_cast<uint8_t>(i2c::Reg::job);
        i2c::JobBlock j;
        j.job_id = job_.id;
        j.geometry = job_.req.geometry;
        i2c::build(j, msg + 1, sizeof msg - 1);
        if (bus_write(n.address, msg, sizeof msg) != I2cStatus::ok) {
          ++nacks;
          continue;
        }
      }
      uint8_t msg[i2c::kTileAssignLen + 1];
      msg[0] = static_cast<uint8_t>(i2c::Reg::tile);
      i2c::TileAssign a;
      a.job_id = job_.id;
      a.tile_index = index;
      a.rect = tile_rect(job_.req.geometry, index);
      i2c::build(a, msg + 1, sizeof msg - 1);
      if (bus_write(n.address, msg, sizeof msg) != I2cStatus::ok) {
        ++nacks;
        continue;
      }
      // Read back: the node names the last tile it took (and, after a JOB write, the job it holds;
      // otherwise the short POLL block carries the tile's low 16 bits and the free slots).
      i2c::StatusBlock s;
      Read r = load ? read_status(n, &s) : read_poll(n, &s);
      if (r == Read::absent) gone = true;
      if (r != Read::ok) continue;
      if (load) {
        n.job_loaded = s.job_id == job_.id;
        n.job_id = s.job_id;
        ok = s.last_tile == index && n.job_loaded;
      } else {
        ok = s.last_tile == (index & 0xFFFFu) && s.free < i2c::kSlots - n.n_out;
      }
      // Full slots it was not given: a misdirected write put a tile there. Collect it first.
      if (!ok && n.job_loaded && s.free == 0) n.stray = true;
    }
    rr_ = static_cast<uint8_t>(i + 1);
    if (!ok) {
      if (!duplicate) job_.requeue[job_.n_requeue++] = index;  // a copy stays out elsewhere
      if (gone) node_failed(n, "does not answer");
      return true;
    }
    n.assigned_at[n.n_out] = board_.clock.now_us();
    n.outstanding[n.n_out++] = index;
    n.last_progress_us = board_.clock.now_us();
    return true;
  }
  return false;
}

bool Controller::collect_one() {
  // A finished tile anywhere pulls the attention line low; without that, there is nothing to read.
  if (board_.gpio.read(Line::attention)) return false;
  // Ask first the node that has worked longest on its oldest tile: it is the likeliest to be the
  // one pulling the line, so fewer status reads go to nodes with nothing to give.
  uint8_t order[kMaxNodes];
  uint8_t count = 0;
  for (uint8_t i = 0; i < node_count_; ++i) {
    const NodeRecord& n = nodes_[i];
    if (n.state == NodeState::lost || (n.n_out == 0 && !n.stray && n.dead == 0)) continue;
    uint8_t pos = count++;
    while (pos > 0 && oldest_assignment(nodes_[order[pos - 1]]) > oldest_assignment(n)) {
      order[pos] = order[pos - 1];
      --pos;
    }
    order[pos] = i;
  }
  for (uint8_t k = 0; k < count; ++k) {
    uint8_t i = order[k];
    NodeRecord& n = nodes_[i];
    if (n.state == NodeState::lost || (n.n_out == 0 && !n.stray && n.dead == 0)) continue;
    i2c::StatusBlock s;
    Read r = read_poll(n, &s);
    if (r == Read::absent) {
      node_failed(n, "does not answer");
      continue;
    }
    if (r != Read::ok) continue;
    if (n.stray && s.free == i2c::kSlots) n.stray = false;
    if (s.ready == 0 || s.ready_len < kTileHeaderSize || s.ready_len > sizeof block_) continue;
    struct Parsed {
      TileHeader h;
      const uint8_t* payload;
      uint8_t address;
    } p{};
    p.address = n.address;
    r = read_checked(
        n, i2c::Reg::result, block_, s.ready_len,
        [](const uint8_t* b, size_t len, void* out) {
          auto* q = static_cast<Parsed*>(out);
          // A block from another node (a garbled address) is as bad as a bad CRC.
          return tile_block_parse(b, len, &q->h, &q->payload) && q->h.node == q->address;
        },
        &p);
    if (r == Read::absent) {
      node_failed(n, "does not answer");
      continue;
    }
    if (r != Read::ok) continue;  // the bus is noisy; the block is still there next time
    const TileHeader& h = p.h;
    int slot = -1;
    for (uint8_t q = 0; q < n.n_out; ++q)
      if (n.outstanding[q] == h.tile_index) slot = q;
    bool ours = slot >= 0 && h.job_id == job_.id;
    if (!ours && n.dead > 0) --n.dead;
    // Acknowledge in any case: the slot is freed, whether the tile is used or was stray.
    uint8_t msg[i2c::kAckLen + 1];
    msg[0] = static_cast<uint8_t>(i2c::Reg::ack);
    i2c::AckBlock a;
    a.tile_index = h.tile_index;
    i2c::build(a, msg + 1, sizeof msg - 1);
    bus_write(n.address, msg, sizeof msg);
    if (!ours) continue;
    uint64_t now = board_.clock.now_us();
    uint64_t took = now - n.assigned_at[slot];
    if (took > job_.longest_tile_us) job_.longest_tile_us = took;
    retire(h.tile_index, i);
    n.last_progress_us = now;
    ++n.tiles_done;
    count_tile(i);
    job_.summary.iterations += h.iterations;
    if (!job_.cancelling) forward_tile(block_, s.ready_len);
    rr_ = static_cast<uint8_t>(i + 1);
    return true;
  }
  return false;
}

uint64_t Controller::oldest_assignment(const NodeRecord& n) {
  uint64_t t = UINT64_MAX;
  for (uint8_t q = 0; q < n.n_out; ++q)
    if (n.assigned_at[q] < t) t = n.assigned_at[q];
  if (n.dead > 0 && n.dead_since < t) t = n.dead_since;
  return n.stray ? 0 : t;
}

void Controller::check_stuck(uint64_t now) {
  // A node that died with tiles in hand pulls no line: ask it, now and then, whether it is there.
  uint64_t probe_after = 2 * job_.longest_tile_us;
  if (probe_after < timing::kProbeMinUs) probe_after = timing::kProbeMinUs;
  for (uint8_t i = 0; i < node_count_; ++i) {
    NodeRecord& n = nodes_[i];
    if (n.state == NodeState::lost || (n.n_out == 0 && n.dead == 0)) continue;
    if (now - n.last_progress_us < probe_after || now - n.last_probe_us < probe_after) continue;
    n.last_probe_us = now;
    i2c::StatusBlock s;
    if (read_poll(n, &s) == Read::absent) node_failed(n, "does not answer");
  }
  // Once every tile is out, a node sitting on its last tiles far longer than any tile has taken
  // is treated as lost, and others compute them.
  if (job_.next < job_.total || job_.n_requeue > 0 || job_.cancelling) return;
  uint64_t limit = 4 * job_.longest_tile_us;
  if (limit < timing::kStuckMinUs) limit = timing::kStuckMinUs;
  for (uint8_t i = 0; i < node_count_; ++i) {
    NodeRecord& n = nodes_[i];
    if (n.state != NodeState::lost && n.n_out > 0 && now - n.last_progress_us > limit)
      node_failed(n, "made no progress");
  }
}

bool Controller::take_duplicate(uint32_t* index, int exclude) {
  // Only at the tail, and only tiles that have not started: a tile queued behind another on a
  // busy node starts sooner on an idle one. The first copy back is delivered; the other dropped.
  if (job_.cancelling || job_.next < job_.total || job_.n_requeue > 0) return false;
  if (job_.n_dup >= sizeof job_.dup / sizeof job_.dup[0]) return false;
  for (uint8_t j = 0; j < node_count_; ++j) {
    const NodeRecord& n = nodes_[j];
    if (j == exclude || n.state == NodeState::lost || n.n_out < i2c::kSlots) continue;
    uint8_t queued = n.assigned_at[0] > n.assigned_at[1] ? 0 : 1;
    uint32_t t = n.outstanding[queued];
    bool taken = job_.local_busy && job_.local_tile == t;
    for (uint32_t k = 0; k < job_.n_dup && !taken; ++k) taken = job_.dup[k] == t;
    if (taken) continue;
    job_.dup[job_.n_dup++] = t;
    *index = t;
    return true;
  }
  // The controller's own tile: a secondary's two cores finish it sooner than core 1 alone.
  if (exclude >= 0 && job_.local_busy) {
    bool taken = false;
    for (uint32_t k = 0; k < job_.n_dup && !taken; ++k) taken = job_.dup[k] == job_.local_tile;
    if (!taken) {
      job_.dup[job_.n_dup++] = job_.local_tile;
      *index = job_.local_tile;
      return true;
    }
  }
  return false;
}

void Controller::retire(uint32_t index, int deliverer) {
  // Delivered once: every other copy, wherever it is, no longer counts; a node still computing
  // one has a slot taken until its block is read and dropped.
  for (uint8_t j = 0; j < node_count_; ++j) {
    NodeRecord& n = nodes_[j];
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
  if (job_.local_busy && job_.local_tile == index) job_.local_discard = true;
}

bool Controller::run_local() {
  bool use = (job_.req.flags & RenderRequest::kRenderUseController) != 0 || job_.local_only;
  if (job_.local_busy) {
    if (!board_.compute.done()) return false;
    job_.local_busy = false;
    if (job_.local_discard) {
      job_.local_discard = false;
      return true;
    }
    retire(job_.local_tile, -1);
    TileHeader h;
    h.job_id = job_.id;
    h.tile_index = job_.local_tile;
    h.rect = tile_rect(job_.req.geometry, job_.local_tile);
    h.node = kControllerNode;
    h.iterations = board_.compute.iterations();
    size_t len = tile_block_build(h, local_counts_, block_, sizeof block_);
    count_tile(kControllerNode);
    job_.summary.iterations += h.iterations;
    if (!job_.cancelling) forward_tile(block_, len);
    return true;
  }
  if (!use) return false;
  // Core 1 alone is half a secondary: near the end it leaves the last tiles to the nodes, or it
  // would finish last.
  if (!job_.local_only) {
    uint32_t active = 0;
    for (uint8_t i = 0; i < node_count_; ++i)
      if (nodes_[i].state != NodeState::lost && ((job_.req.node_mask >> i) & 1u)) ++active;
    if (job_.total - job_.next + job_.n_requeue <= 2 * active) return false;
  }
  uint32_t index;
  if (!take_tile(&index)) return false;
  job_.local_busy = true;
  job_.local_discard = false;
  job_.local_tile = index;
  board_.compute.start(tile_task(job_.req.geometry, index), local_counts_);
  return true;
}

void Controller::count_tile(uint8_t node) {
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

bool Controller::forward_tile(const uint8_t* block, size_t len) {
  return send(MsgType::tile, job_.seq, block, len);
}

void Controller::finish_job() {
  job_.active = false;
  ++jobs_done_;
  board_.system.show_state(static_cast<uint8_t>(hal::NodeLed::idle));
  if (job_.cancelling) return send_error(job_.seq, ErrorCode::cancelled, "render cancelled");
  RenderSummary& s = job_.summary;
  s.elapsed_us = board_.clock.now_us() - job_.started_us;
  s.i2c_bytes = i2c_bytes_ - job_.i2c_bytes0;
  s.i2c_transactions = i2c_transactions_ - job_.i2c_transactions0;
  for (uint8_t i = 0; i < node_count_; ++i) {
    s.retries += nodes_[i].retries;
    s.integrity_errors += nodes_[i].integrity_errors;
  }
  s.retries -= job_.retries0;
  s.integrity_errors -= job_.integrity0;
  Writer w(body_, sizeof body_);
  encode(w, s);
  send(MsgType::ok, job_.seq, body_, w.size());
}

}  // namespace picocray
