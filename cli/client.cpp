#include "client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "format.h"
#include "interrupt.h"

namespace picocray::cli {

namespace {

bool is_final(const Frame& f) {
  return f.type == static_cast<uint8_t>(MsgType::ok) ||
         f.type == static_cast<uint8_t>(MsgType::error);
}

ErrorReply error_of(const Frame& f) {
  ErrorReply e;
  Reader r(f.body.data(), f.body.size());
  if (!decode(r, &e)) throw CliError(kExitProtocol, "malformed ERROR frame from the device");
  return e;
}

constexpr size_t kOpenRendersKept = 4;

}  // namespace

Client::Client(Link& link, int timeout_ms) : link_(link), timeout_ms_(timeout_ms) {
  std::random_device rd;
  seq_ = static_cast<uint16_t>(rd());
}

uint16_t Client::send(MsgType type, const std::vector<uint8_t>& body) {
  seq_ = static_cast<uint16_t>(seq_ + 1 == 0 ? 1 : seq_ + 1);
  FrameHeader h;
  h.type = static_cast<uint8_t>(type);
  h.seq = seq_;
  std::vector<uint8_t> out(kMaxFrameEncoded);
  size_t n = frame_encode(h, body.data(), body.size(), out.data(), out.size());
  if (n == 0) throw CliError(kExitFailure, "request too large to frame");
  link_.write(out.data(), n);
  host_.bytes_out += n;
  ++host_.frames_out;
  if (type == MsgType::render) {
    open_renders_.push_back(seq_);
    if (open_renders_.size() > kOpenRendersKept) open_renders_.erase(open_renders_.begin());
  }
  return seq_;
}

void Client::note(const Frame& f) {
  if (is_final(f))
    open_renders_.erase(std::remove(open_renders_.begin(), open_renders_.end(), f.seq),
                        open_renders_.end());
}

uint16_t Client::send_cancel(uint16_t target) {
  std::vector<uint8_t> body(2);
  Writer w(body.data(), body.size());
  w.u16(target);
  return send(MsgType::cancel, body);
}

void Client::check_waiting() const {
  throw_if_interrupted();
  if (abandon_ && abandon_()) throw Overtaken();
}

bool Client::next_frame(Frame* f, int timeout_ms) {
  if (!reader_.read(link_, f, timeout_ms, kSliceMs, [this] { check_waiting(); })) return false;
  note(*f);
  return true;
}

// The next frame within the request's timeout of silence. A render speaks at least every 100 ms
// while it runs; each time it has been quiet for watch->quiet_ms the controller is asked for a
// PING (one may be lost too), and if one is answered before the render says anything, the render
// is not running: its request or its final answer was lost (a timeout, heard). False: a probe
// went out, wait again.
bool Client::next_render_frame(Frame* f, uint16_t seq, RenderWatch* watch) {
  const int wait = watch->render ? std::min(watch->quiet_ms, watch->timeout_ms - watch->silent_ms)
                                 : watch->timeout_ms;
  if (!next_frame(f, wait)) {
    watch->silent_ms += wait;
    if (watch->silent_ms >= watch->timeout_ms)
      throw CliError(kExitTimeout,
                     link_.name() + ": no answer within " + seconds(watch->timeout_ms) + " s");
    const uint16_t probe = send(MsgType::ping, {});
    if (watch->probes == 0) watch->first_probe = probe;
    ++watch->probes;
    return false;
  }
  watch->silent_ms = 0;
  if (f->seq == seq) watch->probes = 0;  // the render spoke: answers to earlier probes say nothing
  if (watch->probes != 0 && static_cast<uint16_t>(f->seq - watch->first_probe) < watch->probes &&
      f->type == static_cast<uint8_t>(MsgType::ok)) {
    timeout_heard_ = true;
    throw CliError(kExitTimeout, link_.name() + ": the render said nothing for " +
                                     seconds(watch->quiet_ms) +
                                     " s while the controller answered (its request or its "
                                     "final answer was lost)");
  }
  return true;
}

Client::CancelWait Client::after_timeout(int timeout_ms) const {
  const int quiet = static_cast<int>(kCancelQuietMs * link_.time_scale());
  return CancelWait{std::min(timeout_ms, quiet), kCancelWaitTimeouts * timeout_ms, true};
}

// Whether f is the final answer of the render a CANCEL for `target` stops: that render's, or for
// target 0 one of this session's renders still open, or any render's ERROR cancelled.
bool Client::ends_render(const Frame& f, uint16_t target, uint16_t cancel_seq) const {
  if (!is_final(f) || f.seq == cancel_seq) return false;
  if (target != 0) return f.seq == target;
  if (std::find(open_renders_.begin(), open_renders_.end(), f.seq) != open_renders_.end())
    return true;
  ErrorReply e;
  Reader r(f.body.data(), f.body.size());
  return f.type == static_cast<uint8_t>(MsgType::error) && decode(r, &e) &&
         e.code == ErrorCode::cancelled;
}

Client::CancelEnd Client::cancel_and_wait(uint16_t target, const CancelWait& w,
                                          const std::function<void(const Frame&)>& on_stream,
                                          Frame* answer) {
  const uint16_t cancel_seq = send_cancel(target);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(w.total_ms);
  auto check = [this, &w] {
    if (w.interruptible) check_waiting();
  };
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) return CancelEnd::unseen;
    const int wait = static_cast<int>(std::min<int64_t>(left, w.quiet_ms));
    if (!reader_.read(link_, answer, wait, kSliceMs, check)) return CancelEnd::unseen;
    const bool ends = ends_render(*answer, target, cancel_seq);
    note(*answer);
    if (ends) return CancelEnd::ended;
    // Since 1.3 the CANCEL's OK says whether the render runs; its end comes after the OK.
    if (answer->seq == cancel_seq && answer->type == static_cast<uint8_t>(MsgType::ok) &&
        answer->body.size() == 1 && answer->body[0] == 0)
      return CancelEnd::not_running;
    if (answer->type == static_cast<uint8_t>(MsgType::log)) show_log(*answer);
    // Tiles that were on their way are good tiles of the same request.
    if (target != 0 && answer->seq == target && on_stream) on_stream(*answer);
  }
}

std::vector<uint8_t> Client::request(MsgType type, const std::vector<uint8_t>& body,
                                     const std::function<void(const Frame&)>& on_stream,
                                     int timeout_ms) {
  // Requests that change nothing on the device are asked again when the answer (or the request)
  // was lost on the link. HELLO is not: it is also the probe that must fail fast on a silent port.
  const bool repeatable = type == MsgType::info || type == MsgType::nodes ||
                          type == MsgType::ping || type == MsgType::node_echo ||
                          type == MsgType::display_read;
  for (int attempt = 0;; ++attempt) {
    try {
      return request_once(type, body, on_stream, timeout_ms);
    } catch (const DeviceError& e) {
      if (type != MsgType::render || e.code != ErrorCode::busy || open_renders_.empty()) throw;
      const CancelWait w = after_timeout(timeout_ms > 0 ? timeout_ms : timeout_ms_);
      if (attempt > 0)
        throw DeviceError(e.code, std::string(e.what()) +
                                      ": an earlier render of this session did not stop within " +
                                      seconds(w.total_ms) + " s of a cancel");
      // Most likely our own earlier render, whose end was not seen: stop whatever runs.
      spdlog::warn("the controller is still running an earlier render; cancelling it");
      Frame answer;
      if (cancel_and_wait(0, w, {}, &answer) == CancelEnd::unseen)
        spdlog::info("the earlier render's end was not seen within {} s", seconds(w.total_ms));
    } catch (const CliError& e) {
      if (!repeatable || e.exit_code != kExitTimeout || attempt >= 2) throw;
      spdlog::warn("{}; asking again", e.what());
    }
  }
}

std::vector<uint8_t> Client::request_once(MsgType type, const std::vector<uint8_t>& body,
                                          const std::function<void(const Frame&)>& on_stream,
                                          int timeout_ms) {
  if (timeout_ms <= 0) timeout_ms = timeout_ms_;
  throw_if_interrupted();
  uint16_t seq = send(type, body);
  timeout_heard_ = false;
  Frame f;
  RenderWatch watch{type == MsgType::render, timeout_ms,
                    std::min(timeout_ms, static_cast<int>(kRenderQuietMs * link_.time_scale()))};
  try {
    for (;;) {
      if (!next_render_frame(&f, seq, &watch)) continue;
      if (f.type == static_cast<uint8_t>(MsgType::log)) {
        show_log(f);
        if (f.seq == seq && on_stream) on_stream(f);
        continue;
      }
      if (f.seq != seq) {
        spdlog::debug("ignoring frame type 0x{:02x} for seq {}", f.type, f.seq);
        ++host_.foreign_frames;
        continue;
      }
      if (f.type == static_cast<uint8_t>(MsgType::ok)) return f.body;
      if (f.type == static_cast<uint8_t>(MsgType::error)) {
        ErrorReply e = error_of(f);
        throw DeviceError(e.code, e.text);
      }
      if (on_stream) on_stream(f);
    }
  } catch (const Overtaken&) {
    if (type == MsgType::render) {
      // Stop the render on the device without waiting for its end: the link may be the reason
      // it was overtaken. A later RENDER that finds it running cancels it then (request).
      try {
        send_cancel(seq);
      } catch (const std::exception& e) {
        spdlog::debug("cancel of an overtaken render: {}", e.what());
      }
    }
    throw;
  } catch (const CliError& e) {
    if (type != MsgType::render || e.exit_code == kExitPort) throw;
    if (e.exit_code == kExitTimeout) return render_timed_out(seq, timeout_ms, e, on_stream);
    cancel_briefly(seq);  // interrupted, or the render's frames were bad
    throw;
  }
}

void Client::cancel_briefly(uint16_t render_seq) {
  spdlog::info("cancelling the render on the device");
  try {
    Frame answer;
    const CancelEnd end =
        cancel_and_wait(render_seq, CancelWait{kCancelQuietMs, kCancelQuietMs, false}, {}, &answer);
    if (end == CancelEnd::ended)
      spdlog::info("the controller stopped the render");
    else if (end == CancelEnd::not_running)
      spdlog::info("the render was not running on the controller");
    else
      spdlog::warn("the controller did not confirm the cancel within {} s",
                   seconds(kCancelQuietMs));
  } catch (const std::exception& e) {
    spdlog::debug("cancel: {}", e.what());  // the error that got us here is the one to report
  }
}

// The render went silent for timeout_ms: cancel it and wait for its end, so that asking again
// does not find it running. Its OK, if that is what comes, is the answer after all.
std::vector<uint8_t> Client::render_timed_out(uint16_t seq, int timeout_ms, const CliError& e,
                                              const std::function<void(const Frame&)>& on_stream) {
  spdlog::info("{}: cancelling the render and waiting for its end", e.what());
  const CancelWait w = after_timeout(timeout_ms);
  Frame answer;
  const uint32_t frames_before = reader_.stats().frames;
  const CancelEnd end = cancel_and_wait(seq, w, on_stream, &answer);
  timeout_heard_ = timeout_heard_ || reader_.stats().frames != frames_before;
  if (end == CancelEnd::not_running) {
    spdlog::info(
        "the render was not running on the controller: its request or its answer was "
        "lost on the link");
    throw e;
  }
  if (end == CancelEnd::unseen) {
    spdlog::info("the cancelled render's end was not seen within {} s", seconds(w.total_ms));
    throw e;
  }
  if (answer.type == static_cast<uint8_t>(MsgType::ok)) {
    spdlog::info("the render's final answer came after all");
    return answer.body;
  }
  ErrorReply err = error_of(answer);
  if (err.code != ErrorCode::cancelled) throw DeviceError(err.code, err.text);
  spdlog::info("the controller stopped the render");
  throw e;
}

void Client::show_log(const Frame& f) {
  // LOG body (protocol 1.1): level u8, then a u8-length text.
  Reader r(f.body.data(), f.body.size());
  uint8_t level = r.u8();
  char text[256];
  r.str(text, sizeof text);
  if (!r.done()) {
    spdlog::debug("malformed LOG frame ({} bytes)", f.body.size());
    return;
  }
  // Unsolicited notes that repeat (`picocray sim` saying it is computing) are shown once.
  if (f.seq == 0 && level < static_cast<uint8_t>(LogLevel::warn)) {
    const bool again = last_unsolicited_log_ == text;
    last_unsolicited_log_ = text;
    if (again) {
      spdlog::debug("controller: {}", text);
      return;
    }
  }
  if (level >= static_cast<uint8_t>(LogLevel::error))
    spdlog::error("controller: {}", text);
  else if (level == static_cast<uint8_t>(LogLevel::warn))
    spdlog::warn("controller: {}", text);
  else
    spdlog::info("controller: {}", text);
}

const HelloReply& Client::hello(int timeout_ms, int tries) {
  // A delimiter first: whatever half-frame the device holds is closed off.
  uint8_t zero = 0;
  link_.write(&zero, 1);
  HelloRequest q;
  std::vector<uint8_t> body(8);
  Writer w(body.data(), body.size());
  encode(w, q);
  body.resize(w.size());
  std::vector<uint8_t> reply;
  try {
    for (int attempt = 1;; ++attempt) {
      try {
        reply = request(MsgType::hello, body, {}, timeout_ms);
        break;
      } catch (const CliError& e) {
        if (e.exit_code != kExitTimeout || attempt >= tries) throw;
        spdlog::debug("{}: no handshake answer within {} s; asking again ({} of {})", link_.name(),
                      seconds(timeout_ms > 0 ? timeout_ms : timeout_ms_), attempt + 1, tries);
      }
    }
  } catch (const DeviceError& e) {
    if (e.code == ErrorCode::busy)  // `picocray sim` with a client already connected
      throw CliError(kExitPort, link_.name() + ": " + e.what());
    if (e.code == ErrorCode::version_mismatch)
      throw CliError(kExitProtocol, std::string("incompatible protocol: ") + e.what() +
                                        "; this picocray speaks 1." +
                                        std::to_string(kProtocolMinor));
    throw CliError(kExitProtocol, std::string("handshake refused: ") + e.what());
  } catch (const CliError& e) {
    if (e.exit_code == kExitTimeout)
      throw CliError(kExitTimeout,
                     link_.name() + ": no PicoCray handshake answer within " +
                         seconds(timeout_ms > 0 ? timeout_ms : timeout_ms_) + " s" +
                         (tries > 1 ? ", " + std::to_string(tries) + " tries" : std::string()) +
                         " (is this a PicoCray controller?)");
    throw;
  }
  Reader r(reply.data(), reply.size());
  if (!decode(r, &hello_)) throw CliError(kExitProtocol, "malformed handshake answer");
  if (hello_.proto_major != kProtocolMajor)
    throw CliError(kExitProtocol, "controller speaks protocol " +
                                      std::to_string(hello_.proto_major) + "." +
                                      std::to_string(hello_.proto_minor) + ", this picocray 1." +
                                      std::to_string(kProtocolMinor) + ": update one of them");
  return hello_;
}

std::vector<NodeEntry> Client::nodes() {
  auto body = request(MsgType::nodes, {});
  Reader r(body.data(), body.size());
  uint8_t n = r.u8();
  std::vector<NodeEntry> out(n);
  for (auto& e : out)
    if (!decode(r, &e)) throw CliError(kExitProtocol, "malformed NODES answer");
  if (!r.done()) throw CliError(kExitProtocol, "malformed NODES answer");
  return out;
}

InfoReply Client::info() {
  auto body = request(MsgType::info, {});
  Reader r(body.data(), body.size());
  InfoReply m;
  if (!decode(r, &m)) throw CliError(kExitProtocol, "malformed INFO answer");
  return m;
}

std::vector<uint8_t> Client::node_echo(uint8_t index, const std::vector<uint8_t>& pattern) {
  std::vector<uint8_t> body;
  body.push_back(index);
  body.insert(body.end(), pattern.begin(), pattern.end());
  return request(MsgType::node_echo, body);
}

std::vector<uint8_t> Client::ping(const std::vector<uint8_t>& pattern) {
  return request(MsgType::ping, pattern);
}

void Client::reset(const ResetRequest& q) {
  std::vector<uint8_t> body(16);
  Writer w(body.data(), body.size());
  encode(w, q);
  body.resize(w.size());
  request(MsgType::reset, body);
}

std::vector<uint16_t> Client::display_read() {
  if (!has_display())
    throw CliError(kExitCluster,
                   "the controller has no display (it needs an LCD that answered "
                   "at start-up, and protocol 1.5)");
  constexpr uint32_t kW = 320, kH = 240;
  std::vector<uint16_t> px(kW * kH, 0);
  std::vector<bool> got(kH, false);
  auto on_rows = [&](const Frame& f) {
    if (f.type != static_cast<uint8_t>(MsgType::display_rows)) return;
    Reader r(f.body.data(), f.body.size());
    const uint16_t y = r.u16();
    const uint8_t rows = r.u8();
    if (!r.ok() || y + rows > kH || r.remaining() != size_t{rows} * kW * 2)
      throw CliError(kExitProtocol, "a DISPLAY_ROWS frame is malformed");
    for (uint32_t k = 0; k < rows * kW; ++k) px[y * kW + k] = r.u16();
    for (uint32_t k = 0; k < rows; ++k) got[y + k] = true;
  };
  const std::vector<uint8_t> ok = request(MsgType::display_read, {}, on_rows);
  Reader r(ok.data(), ok.size());
  const uint16_t w = r.u16(), h = r.u16();
  if (!r.done() || w != kW || h != kH)
    throw CliError(kExitProtocol, "DISPLAY_READ's answer names another panel size");
  for (uint32_t y = 0; y < kH; ++y)
    if (!got[y])
      throw CliError(kExitTimeout, "row " + std::to_string(y) + " of the display was lost");
  return px;
}

}  // namespace picocray::cli
