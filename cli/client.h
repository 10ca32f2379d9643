// A session with a controller: framing, sequence numbers, the handshake, and requests that end in
// exactly one final answer, with streamed frames (tiles, progress) handed to a callback.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "link.h"
#include "picocray/frame.h"
#include "picocray/protocol.h"

namespace picocray::cli {

struct Frame {
  uint8_t type = 0;
  uint16_t seq = 0;
  std::vector<uint8_t> body;
};

// The device answered ERROR: the code and its text.
struct DeviceError : std::runtime_error {
  DeviceError(ErrorCode c, const std::string& text)
      : std::runtime_error(text), code(c) {}
  ErrorCode code;
};

class Client {
 public:
  Client(Link& link, int timeout_ms) : link_(link), timeout_ms_(timeout_ms) {}
  // HELLO: checks the protocol major; throws CliError(kExitProtocol) on a mismatch.
  const HelloReply& hello();
  // Sends a request and waits for its final answer; streamed frames of that request go to
  // on_stream. The timeout counts from the last frame received. Returns the OK body.
  std::vector<uint8_t> request(MsgType type, const std::vector<uint8_t>& body,
                               const std::function<void(const Frame&)>& on_stream = {});
  // Sends a request without waiting; returns its seq.
  uint16_t send(MsgType type, const std::vector<uint8_t>& body);
  std::vector<NodeEntry> nodes();
  InfoReply info();
  const HelloReply& device() const { return hello_; }
  Link& link() { return link_; }
  const FrameStats& stats() const { return decoder_.stats(); }

 private:
  bool next_frame(Frame* f, int timeout_ms);
  Link& link_;
  int timeout_ms_;
  uint16_t seq_ = 0;
  FrameDecoder decoder_;
  std::vector<uint8_t> pending_;
  size_t pending_pos_ = 0;
  HelloReply hello_;
};

}  // namespace picocray::cli
