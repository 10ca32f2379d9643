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

// A render over several clusters no longer needs this cluster's answer: every tile it was asked
// for has come from another cluster (multi_render.h). Thrown out of a wait on the link once the
// client's abandon check says so; a RENDER is cancelled on the device, without waiting.
struct Overtaken : std::runtime_error {
  Overtaken() : std::runtime_error("overtaken: its tiles came from another cluster") {}
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
  // After a CANCEL, a render still running speaks at least every 100 ms (PROGRESS): this much
  // silence (device time; --timeout when shorter) means it has stopped, or its answer was lost.
  static constexpr int kCancelQuietMs = 2000;
  // ... and a render that keeps speaking is waited for at most this many timeouts in all.
  static constexpr int kCancelWaitTimeouts = 3;
  // A render speaks at least every 100 ms while it runs (PROGRESS), and is refused at once: after
  // this long without a word of it (device time; --timeout when shorter) the controller is asked
  // for a PING, and if that comes first the render is not running (its request or its final
  // answer was lost) and is asked again without waiting out --timeout.
  static constexpr int kRenderQuietMs = 1000;

  // Sequence numbers start at a random point: frames a previous session left in flight (a
  // host that died mid-render) do not match this session's requests.
  Client(Link& link, int timeout_ms);
  // HELLO: checks the protocol major; throws CliError(kExitProtocol) on a mismatch and
  // CliError(kExitTimeout) when nothing answers within timeout_ms (the session's when 0) on any
  // of `tries` tries (a lossy link loses a HELLO or its answer as it loses any frame; a probe of
  // an unknown port asks once).
  const HelloReply& hello(int timeout_ms = 0, int tries = 1);
  // Sends a request and waits for its final answer; streamed frames of that request go to
  // on_stream. The timeout counts silence: from the last frame received (SilenceClock). Returns
  // the OK body. On SIGINT or SIGTERM a RENDER is cancelled on the device (a wait of at most
  // kCancelQuietMs for its end) before CliError(kExitInterrupted) is thrown. A RENDER that times
  // out is cancelled and its end waited for (cancel_and_wait) before CliError(kExitTimeout) is
  // thrown, so that asking again does not find it running; if its OK comes instead, that is the
  // answer. A RENDER answered `busy` while an earlier render of this session may still run is
  // asked once more after a CANCEL (target 0) and a wait for that render's end.
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
  // DISPLAY_READ (protocol 1.5): the controller's LCD as 320 x 240 RGB565 pixels, row 0 first.
  // CliError(kExitCluster) when the controller has no display (or speaks an older protocol).
  std::vector<uint16_t> display_read();
  bool has_display() const { return minor() >= 5 && (hello_.capabilities & kCapDisplay) != 0; }
  const HelloReply& device() const { return hello_; }
  bool simulated() const { return (hello_.capabilities & kCapSimulated) != 0; }
  Link& link() { return link_; }
  int timeout_ms() const { return timeout_ms_; }
  // The protocol minor both sides speak: the lower of the controller's and this picocray's.
  uint8_t minor() const {
    return hello_.proto_minor < kProtocolMinor ? hello_.proto_minor : kProtocolMinor;
  }
  // After a render's timeout (CliError kExitTimeout from request): whether the device was heard
  // from while its end was waited for (a frame arrived: the link lives, and a render that was not
  // running had only lost its request or its answer).
  bool timeout_heard() const { return timeout_heard_; }
  // Looked at between slices of every wait on the link (with the interrupt flag): when it says
  // true, the wait ends with Overtaken. Empty: never.
  void set_abandon(std::function<bool()> abandon) { abandon_ = std::move(abandon); }
  const FrameStats& stats() const { return reader_.stats(); }
  const HostLinkStats& host_stats() const {
    host_.bytes_in = reader_.bytes_in();
    return host_;
  }

 private:
  std::vector<uint8_t> request_once(MsgType type, const std::vector<uint8_t>& body,
                                    const std::function<void(const Frame&)>& on_stream,
                                    int timeout_ms);
  struct CancelWait {
    int quiet_ms;  // silence that ends the wait
    int total_ms;  // the whole wait at most
    bool interruptible;
  };
  std::vector<uint8_t> render_timed_out(uint16_t seq, int timeout_ms, const CliError& e,
                                        const std::function<void(const Frame&)>& on_stream);
  enum class CancelEnd {
    ended,        // the render's final answer came (in *answer)
    not_running,  // the CANCEL's OK said no such render runs (protocol 1.3)
    unseen,       // neither came within the wait
  };
  CancelEnd cancel_and_wait(uint16_t target, const CancelWait& w,
                            const std::function<void(const Frame&)>& on_stream, Frame* answer);
  CancelWait after_timeout(int timeout_ms) const;
  void cancel_briefly(uint16_t render_seq);
  bool ends_render(const Frame& f, uint16_t target, uint16_t cancel_seq) const;
  void show_log(const Frame& f);
  bool next_frame(Frame* f, int timeout_ms);
  struct RenderWatch {
    bool render;     // the request is a RENDER: probe it when it goes quiet
    int timeout_ms;  // silence that is a timeout
    int quiet_ms;    // silence after which a render is probed
    int silent_ms = 0;
    uint16_t first_probe = 0;  // the PINGs sent since the render last spoke: seqs first_probe..
    uint16_t probes = 0;       // .. first_probe + probes - 1
  };
  bool next_render_frame(Frame* f, uint16_t seq, RenderWatch* watch);
  void note(const Frame& f);
  Link& link_;
  int timeout_ms_;
  uint16_t seq_ = 0;
  // RENDERs sent whose final answer has not been seen (the latest few): a render that timed out
  // and whose cancel was not confirmed may still run.
  std::vector<uint16_t> open_renders_;
  bool timeout_heard_ = false;
  std::function<bool()> abandon_;
  void check_waiting() const;
  uint16_t send_cancel(uint16_t target);  // a CANCEL of render `target`; returns its seq
  std::string last_unsolicited_log_;
  FrameReader reader_;
  HelloReply hello_;
  mutable HostLinkStats host_;
};

}  // namespace picocray::cli
