// Frames out of a byte stream: the one reader behind every link (the client's session) and the
// `picocray sim` server's look at both directions of its traffic.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "link.h"
#include "picocray/frame.h"

namespace picocray::cli {

struct Frame {
  uint8_t type = 0;
  uint16_t seq = 0;
  std::vector<uint8_t> body;
};

// Time without a word from the device, from the moment it is made: wall time less the time the
// device's clock stood still meanwhile (Link::paused_ns, a simulator computing on the host).
class SilenceClock {
 public:
  explicit SilenceClock(Link& link);
  int64_t elapsed_ms() const;

 private:
  Link& link_;
  std::chrono::steady_clock::time_point start_;
  uint64_t paused0_;
};

class FrameReader {
 public:
  // Bytes as they arrived, split anywhere; the frames they complete come out of next().
  void feed(const uint8_t* data, size_t len);
  // The next whole, valid frame in the bytes fed so far; false when they hold none (yet).
  bool next(Frame* f);
  // Reads from the link, in waits of at most slice_ms, until a frame is whole (true) or timeout_ms
  // of silence (SilenceClock) have passed (false). before_read runs before every wait (the
  // interrupt check). Whatever the link throws goes through.
  bool read(Link& link, Frame* f, int timeout_ms, int slice_ms,
            const std::function<void()>& before_read = {});
  // Forgets bytes not yet decoded, any frame in progress and the counters.
  void discard();
  const FrameStats& stats() const { return decoder_.stats(); }
  uint64_t bytes_in() const { return bytes_in_; }

 private:
  FrameDecoder decoder_;
  std::vector<uint8_t> pending_;
  size_t pos_ = 0;
  uint64_t bytes_in_ = 0;
};

}  // namespace picocray::cli
