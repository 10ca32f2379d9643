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
  display_.start(board_.display);
  host_spoke_ = false;
  standalone_.end();
  boot_us_ = board_.clock.now_us();
  host_.start();
  bus_.clear_counters();
  scheduler_.clear();
  mode_ = Mode::serving;
  reboot_at_ = 0;
  board_.gpio.pull_low(Line::assert_, false);
  board_.gpio.pull_low(Line::attention, false);
  board_.system.show_state(hal::NodeLed::enumerating);
  enrolment_.start();
}

uint64_t Controller::poll() {
  board_.system.feed_watchdog();
  const uint64_t now = board_.clock.now_us();
  host_.flush();
  bool done = false;
  const uint64_t wake = poll_mode(now, &done);
  if (done) return wake;
  // Requests are read only when their answer can be written at once.
  while (host_.next_request()) handle_request();
  const uint64_t display = poll_display(board_.clock.now_us());
  if (!scheduler_.active()) return display;
  if (scheduler_.run()) return board_.clock.now_us();
  // Waiting on compute, the attention line or the host link: those wake it, or progress time.
  if (!scheduler_.active() || host_.output_busy()) return display;
  const uint64_t next = scheduler_.next_wake(board_.clock.now_us());
  return next < display ? next : display;
}

// Reboots, enrolment and a RESET's pending answer come before requests; *done when poll() should
// return the time given without serving requests this pass.
uint64_t Controller::poll_mode(uint64_t now, bool* done) {
  *done = true;
  if (mode_ == Mode::rebooting) {
    // The OK must reach the host before USB goes away with the reboot.
    if (host_.output_busy()) return kNoDeadline;
    if (reboot_at_ == 0) reboot_at_ = now + timing::kRebootDrainUs;
    if (now < reboot_at_) return reboot_at_;
    mode_ = Mode::serving;
    reboot_at_ = 0;
    board_.system.reboot(reboot_kind_);
    return now;
  }
  const bool was_open = enrolment_.open();
  enrolment_.poll(now);
  uint64_t wake = kNoDeadline;
  if (enrolment_.settling(board_.clock.now_us(), &wake)) return wake;
  if (was_open) board_.system.show_state(hal::NodeLed::idle);
  if (mode_ == Mode::reading_display) {
    if (!host_.output_busy()) send_display_rows();
    return now;
  }
  if (mode_ == Mode::answering_reset) {
    if (!host_.output_busy()) {
      mode_ = Mode::serving;
      host_.send(MsgType::ok, reset_seq_, nullptr, 0);
    }
    return now;
  }
  *done = false;
  return now;
}

void Controller::send_body(uint16_t seq, const Writer& w) {
  host_.send(MsgType::ok, seq, host_.scratch(), w.size());
}

void Controller::handle_request() {
  const FrameHeader& h = host_.header();
  Reader r = host_.body();
  host_spoke_ = true;
  switch (static_cast<MsgType>(h.type)) {
    case MsgType::hello: return handle_hello(h.seq, r);
    case MsgType::info: return handle_info(h.seq);
    case MsgType::nodes: return handle_nodes(h.seq);
    case MsgType::render: return handle_render(h.seq, r);
    case MsgType::reset: return handle_reset(h.seq, r);
    case MsgType::cancel: return handle_cancel(h.seq, r);
    case MsgType::node_echo: return handle_node_echo(h.seq, r);
    case MsgType::ping: return handle_ping(h.seq, r);
    case MsgType::display_read: return handle_display_read(h.seq);
    default: host_.send_error(h.seq, ErrorCode::unknown_type, "unknown message type"); return;
  }
}

void Controller::handle_ping(uint16_t seq, Reader& r) {
  const size_t n = r.remaining() < HostSession::kScratch ? r.remaining() : HostSession::kScratch;
  const uint8_t* body = r.take(n);
  for (size_t i = 0; i < n; ++i) host_.scratch()[i] = body[i];
  host_.send(MsgType::ok, seq, host_.scratch(), n);
}

void Controller::handle_hello(uint16_t seq, Reader& r) {
  HelloRequest q;
  if (!decode(r, &q)) {
    host_.send_error(seq, ErrorCode::bad_request, "HELLO body malformed");
    return;
  }
  if (q.major != kProtocolMajor) {
    host_.send_error(seq, ErrorCode::version_mismatch, "controller speaks protocol major 1");
    return;
  }
  // Every answer from now on carries only the fields of the lower of the two minors.
  host_.set_host_minor(q.minor);
  HelloReply m;
  m.unique_id = board_.system.unique_id();
  m.role = Role::controller;
  m.capabilities = kCapFixed32 | kCapFixed64 | kCapFixed128 | kCapControllerCompute |
                   kCapAttentionLine | kCapTileCodecRange;
  if ((board_.system.capabilities() & hal::kBoardSimulated) != 0) m.capabilities |= kCapSimulated;
  if (display_.present()) m.capabilities |= kCapDisplay;
  m.max_frame_body = static_cast<uint16_t>(kMaxFrameBody);
  m.node_count = table_.count();
  copy_text(m.board, sizeof m.board, board_.system.board_name());
  Writer w(host_.scratch(), HostSession::kScratch);
  encode(w, m);
  send_body(seq, w);
}

void Controller::handle_info(uint16_t seq) {
  InfoReply m;
  m.cpu_hz = board_.system.cpu_hz();
  m.i2c_hz = bus_.clock_hz();
  m.node_count = table_.count();
  m.uptime_us = board_.clock.now_us() - boot_us_;
  const FrameStats& s = host_.stats();
  m.link.frames_in = s.frames;
  m.link.frames_out = host_.frames_out();
  m.link.crc_errors = s.crc_errors;
  m.link.malformed = s.malformed;
  m.link.overlong = s.overlong;
  m.jobs_done = scheduler_.jobs_done();
  Writer w(host_.scratch(), HostSession::kScratch);
  encode(w, m);
  send_body(seq, w);
}

void Controller::handle_nodes(uint16_t seq) {
  // A lost node that answers again is listed as it is now (during a job the scheduler asks).
  if (!scheduler_.active()) scheduler_.rejoin_lost(board_.clock.now_us(), true);
  Writer w(host_.scratch(), HostSession::kScratch);
  w.u8(table_.count());
  const uint64_t now = board_.clock.now_us();
  for (uint8_t i = 0; i < table_.count(); ++i) {
    const NodeRecord& n = table_[i];
    NodeEntry e;
    e.index = i;
    e.address = n.address;
    e.unique_id = n.uid;
    e.state = n.reported_state();
    e.cores = n.cores;
    e.fw_major = n.fw[0];
    e.fw_minor = n.fw[1];
    e.fw_patch = n.fw[2];
    e.tiles_done = n.tiles_done;
    e.integrity_errors = n.integrity_errors;
    e.retries = n.retries;
    const uint64_t age = (now - n.last_seen_us) / 1000;
    e.last_seen_ms = age > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<uint32_t>(age);
    encode(w, e);
  }
  send_body(seq, w);
}

void Controller::handle_render(uint16_t seq, Reader& r) {
  RenderRequest q;
  if (!decode(r, &q)) {
    host_.send_error(seq, ErrorCode::bad_request, "RENDER body malformed");
    return;
  }
  // A host that asks for a render takes the cluster back from the standalone display.
  standalone_.end();
  if (scheduler_.active()) {
    host_.send_error(seq, ErrorCode::busy,
                     scheduler_.local() ? "the controller is drawing on its own display; ask again"
                                        : "a render is already running");
    return;
  }
  const char* why = nullptr;
  if (!validate(q, &why)) {
    host_.send_error(seq, ErrorCode::bad_job, why);
    return;
  }
  const uint8_t count = table_.count();
  if (q.node_mask != ~0ull && count < 64 && (q.node_mask >> count) != 0) {
    host_.send_error(seq, ErrorCode::no_nodes, "the job names a node that is not enrolled");
    return;
  }
  if ((q.flags & RenderRequest::kRenderDisplay) != 0) {
    start_mirror(seq, q);
    return;
  }
  scheduler_.start(seq, q);
}

void Controller::handle_reset(uint16_t seq, Reader& r) {
  ResetRequest q;
  if (!decode(r, &q)) {
    host_.send_error(seq, ErrorCode::bad_request, "RESET body malformed");
    return;
  }
  if (scheduler_.active()) {
    host_.send_error(seq, ErrorCode::busy, "a render is running");
    return;
  }
  switch (q.kind) {
    case ResetKind::enumerate:
    case ResetKind::nodes:
      enrolment_.reset_nodes(q.kind == ResetKind::nodes ? q.node_mask : ~0ull);
      mode_ = Mode::answering_reset;
      reset_seq_ = seq;
      return;
    case ResetKind::controller:
    case ResetKind::bootsel:
      host_.send(MsgType::ok, seq, nullptr, 0);
      mode_ = Mode::rebooting;
      reboot_kind_ =
          q.kind == ResetKind::bootsel ? hal::RebootKind::bootsel : hal::RebootKind::normal;
      return;
  }
}

void Controller::handle_node_echo(uint16_t seq, Reader& r) {
  // An integrity round trip over I2C: the bytes go to the node's ECHO register with a CRC, and
  // come back read from it, the node sealing them again.
  const uint8_t index = r.u8();
  const size_t n = r.remaining();
  if (!r.ok() || n < 1 || n > i2c::kEchoMax) {
    host_.send_error(seq, ErrorCode::bad_request, "NODE_ECHO needs a node and 1 to 32 bytes");
    return;
  }
  if (index >= table_.count() || table_[index].lost()) {
    host_.send_error(seq, ErrorCode::no_nodes, "no such node, or it is lost");
    return;
  }
  if (scheduler_.active()) {
    host_.send_error(seq, ErrorCode::busy, "a render is running");
    return;
  }
  NodeRecord& node = table_[index];
  uint8_t msg[1 + i2c::kEchoMax + 4];
  msg[0] = static_cast<uint8_t>(i2c::Reg::echo);
  i2c::build_echo(r.take(n), n, msg + 1, sizeof msg - 1);
  auto fail = [&](const char* why) { host_.send_error(seq, ErrorCode::cluster_fault, why); };
  if (bus_.write(node.address, msg, 1 + n + 4) != I2cStatus::ok)
    return fail("the node did not take the echo");
  uint8_t back[i2c::kEchoMax + 4];
  if (bus_.read_reg(node.address, i2c::Reg::echo, back, n + 4) != I2cStatus::ok)
    return fail("the node did not answer the echo read");
  if (!i2c::sealed(back, n + 4)) {
    ++node.integrity_errors;
    return fail("the echo came back with a bad CRC");
  }
  node.last_seen_us = board_.clock.now_us();
  host_.send(MsgType::ok, seq, back, n);
}

void Controller::handle_cancel(uint16_t seq, Reader& r) {
  const uint16_t target = r.u16();
  if (!r.done()) {
    host_.send_error(seq, ErrorCode::bad_request, "CANCEL body malformed");
    return;
  }
  // Since 1.3 the OK says whether that render was running (its end then follows).
  const uint8_t found = scheduler_.cancel(target) ? 1 : 0;
  host_.send(MsgType::ok, seq, &found, host_.minor() >= 3 ? 1 : 0);
}

}  // namespace picocray
