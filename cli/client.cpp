#include "client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "interrupt.h"

namespace picocray::cli {

namespace {

std::string seconds(int ms) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", ms / 1000.0);
  return b;
}

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
  return seq_;
}

bool Client::next_frame(Frame* f, int timeout_ms) {
  return reader_.read(link_, f, timeout_ms, kSliceMs, [] { throw_if_interrupted(); });
}

void Client::cancel(uint16_t render_seq) {
  // Best effort, bounded: ask the controller to stop and give it a moment to say it has.
  try {
    std::vector<uint8_t> body(2);
    Writer w(body.data(), body.size());
    w.u16(render_seq);
    send(MsgType::cancel, body);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    Frame f;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0 || !reader_.read(link_, &f, static_cast<int>(left), kSliceMs)) break;
      if (f.seq == render_seq && (f.type == static_cast<uint8_t>(MsgType::ok) ||
                                  f.type == static_cast<uint8_t>(MsgType::error))) {
        spdlog::info("the controller stopped the render");
        return;
      }
    }
    spdlog::warn("the controller did not confirm the cancel within 2 s");
  } catch (const std::exception& e) {
    spdlog::debug("cancel: {}", e.what());
  }
}

std::vector<uint8_t> Client::request(MsgType type, const std::vector<uint8_t>& body,
                                     const std::function<void(const Frame&)>& on_stream,
                                     int timeout_ms) {
  // Requests that change nothing on the device are asked again when the answer (or the request)
  // was lost on the link. HELLO is not: it is also the probe that must fail fast on a silent port.
  const bool repeatable = type == MsgType::info || type == MsgType::nodes ||
                          type == MsgType::ping || type == MsgType::node_echo;
  for (int attempt = 0;; ++attempt) {
    try {
      return request_once(type, body, on_stream, timeout_ms);
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
  Frame f;
  try {
    for (;;) {
      if (!next_frame(&f, timeout_ms))
        throw CliError(kExitTimeout,
                       link_.name() + ": no answer within " + seconds(timeout_ms) + " s");
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
        ErrorReply e;
        Reader r(f.body.data(), f.body.size());
        if (!decode(r, &e)) throw CliError(kExitProtocol, "malformed ERROR frame from the device");
        throw DeviceError(e.code, e.text);
      }
      if (on_stream) on_stream(f);
    }
  } catch (const CliError& e) {
    if (type == MsgType::render && e.exit_code != kExitPort) {
      spdlog::info("cancelling the render on the device");
      cancel(seq);
    }
    throw;
  }
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
  if (level >= static_cast<uint8_t>(LogLevel::error))
    spdlog::error("controller: {}", text);
  else if (level == static_cast<uint8_t>(LogLevel::warn))
    spdlog::warn("controller: {}", text);
  else
    spdlog::info("controller: {}", text);
}

const HelloReply& Client::hello(int timeout_ms) {
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
    reply = request(MsgType::hello, body, {}, timeout_ms);
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
      throw CliError(kExitTimeout, link_.name() + ": no PicoCray handshake answer within " +
                                       seconds(timeout_ms > 0 ? timeout_ms : timeout_ms_) +
                                       " s (is this a PicoCray controller?)");
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

}  // namespace picocray::cli
