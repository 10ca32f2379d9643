// The controller's side of the host link: frames in (decoded as bytes arrive), frames out (one at
// a time, kept until the link has taken all of it), and a few pending LOG lines. A request is read
// only when its answer can be written at once, so an answer never waits behind a full buffer.
#pragma once
#include <cstddef>
#include <cstdint>

#include "picocray/frame.h"
#include "picocray/hal.h"
#include "picocray/protocol.h"
#include "picocray/text.h"

namespace picocray {

class HostSession {
 public:
  explicit HostSession(hal::HostLink& link) : link_(link) {}
  void start();

  // The next complete request, when the output is free to answer it: true with header() and a
  // reader over its body; false when no whole frame has arrived (or an answer is still going out).
  bool next_request();
  const FrameHeader& header() const { return decoder_.header(); }
  Reader body() const { return Reader(decoder_.body(), decoder_.body_len()); }

  bool output_busy() const { return out_pos_ < out_len_; }
  // Pushes what is left of the frame going out; true when nothing is left.
  bool flush();
  bool send(MsgType type, uint16_t seq, const uint8_t* body, size_t len);
  bool send_error(uint16_t seq, ErrorCode code, const char* text);
  // A LOG line to go out when the output is free. kNotes wait at most; beyond that the newest
  // replaces the last, whose text then says how many were dropped (logs are best effort,
  // answers are not).
  void note(LogLevel level, const char* text);
  // Sends the oldest pending LOG line under seq, if any and if the output is free.
  void flush_note(uint16_t seq);
  static constexpr uint8_t kNotes = 4;

  // Scratch for an answer's body (one answer is built at a time).
  uint8_t* scratch() { return body_; }
  static constexpr size_t kScratch = 2400;

  const FrameStats& stats() const { return decoder_.stats(); }
  uint32_t frames_out() const { return frames_out_; }

  // The protocol minor answers are written in: the lower of the host's, as its HELLO named it,
  // and ours. Ours until a HELLO names one (after start-up); a HELLO's holds until the next.
  uint8_t minor() const { return minor_; }
  void set_host_minor(uint8_t host_minor) {
    minor_ = host_minor < kProtocolMinor ? host_minor : kProtocolMinor;
  }

 private:
  hal::HostLink& link_;
  FrameDecoder decoder_;
  uint8_t rx_[64];
  size_t rx_len_ = 0;
  size_t rx_pos_ = 0;
  uint8_t out_[kMaxFrameEncoded];
  size_t out_len_ = 0;
  size_t out_pos_ = 0;
  uint32_t frames_out_ = 0;
  uint8_t minor_ = kProtocolMinor;
  uint8_t body_[kScratch];
  struct Note {
    LogLevel level = LogLevel::info;
    char text[kLogTextMax] = {};
  };
  Note notes_[kNotes];
  uint8_t notes_head_ = 0;
  uint8_t notes_count_ = 0;
  uint32_t notes_dropped_ = 0;
};

}  // namespace picocray
