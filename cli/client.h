// A session with a controller: framing, sequence numbers, the handshake, and requests that end in
// exactly one final answer, with streamed frames (tiles, progress) handed to a callback.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "errors.h"
#include "frame_reader.h"
#include "link.h"
#include "picocray/protocol.h"

namespace picocray::cli {

// The device answered ERROR: the code and its text.
struct DeviceError : std::runtime_error {
  DeviceError(ErrorCode c, const std::string& text) : std::runtime_error(text), code(c) {}
  ErrorCode code;
};

// Host-side counters of the link, for `info`.
struct HostLinkStats {
  uint64_t bytes_in = 0, bytes_out = 0;
  uint32_t frames_out = 0;
  uint32_t foreign_frames = 0;  // frames for no request of ours (stale, or another client's)
};

class Client {
 public:
  // Waits on the link in slices of at most this long, looking at the interrupt flag in between.
  static constexpr int kSliceMs = 200;

  // Sequence numbers start at a random point: frames a previous session left in flight (a
  // host that died mid-render) do not match this session's requests.
  Client(Link& link, int timeout_ms);
  // HELLO: checks the protocol major; throws CliError(kExitProtocol) on a mismatch and
  // CliError(kExitTimeout) when nothing answers within timeout_ms (the session's when 0).
  const HelloReply& hello(int timeout_ms = 0);
  // Sends a request and waits for its final answer; streamed frames of that request go to
  // on_stream. The timeout counts from the last frame received. Returns the OK body. On SIGINT or
  // SIGTERM a RENDER is cancelled on the device before CliError(kExitInterrupted) is thrown.
  std::vector<uint8_t> request(MsgType type, const std::vector<uint8_t>& body,
                               const std::function<void(const Frame&)>& on_stream = {},
                               int timeout_ms = 0);
  // Sends a request without waiting; returns its seq.
  uint16_t send(MsgType type, const std::vector<uint8_t>& body);
  std::vector<NodeEntry> nodes();
  InfoReply info();
  // PING: the device sends the body back.
  std::vector<uint8_t> ping(const std::vector<uint8_t>& pattern);
  // NODE_ECHO (protocol 1.1): the bytes through node `index`'s I2C echo register and back.
  std::vector<uint8_t> node_echo(uint8_t index, const std::vector<uint8_t>& pattern);
  void reset(const ResetRequest& q);
  const HelloReply& device() const { return hello_; }
  bool simulated() const { return (hello_.capabilities & kCapSimulated) != 0; }
  Link& link() { return link_; }
  int timeout_ms() const { return timeout_ms_; }
  const FrameStats& stats() const { return reader_.stats(); }
  const HostLinkStats& host_stats() const {
    host_.bytes_in = reader_.bytes_in();
    return host_;
  }

 private:
  std::vector<uint8_t> request_once(MsgType type, const std::vector<uint8_t>& body,
                                    const std::function<void(const Frame&)>& on_stream,
                                    int timeout_ms);
  void show_log(const Frame& f);
  bool next_frame(Frame* f, int timeout_ms);
  void cancel(uint16_t render_seq);
  Link& link_;
  int timeout_ms_;
  uint16_t seq_ = 0;
  FrameReader reader_;
  HelloReply hello_;
  mutable HostLinkStats host_;
};

}  // namespace picocray::cli
