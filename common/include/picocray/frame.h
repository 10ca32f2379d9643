// Frames on the host link: 0x00, COBS(header | body | CRC-32 LE), 0x00.
// Header: type u8, flags u8, seq u16 LE. The CRC covers header and body.
#pragma once
#include <cstddef>
#include <cstdint>

#include "picocray/cobs.h"

namespace picocray {

constexpr size_t kFrameHeaderSize = 4;
constexpr size_t kFrameCrcSize = 4;
// Largest body: a full tile (see tile_codec.h) with room to spare.
constexpr size_t kMaxFrameBody = 16376;
constexpr size_t kMaxFrameRaw = kFrameHeaderSize + kMaxFrameBody + kFrameCrcSize;
// Both delimiters included.
constexpr size_t kMaxFrameEncoded = cobs_max_encoded(kMaxFrameRaw) + 2;

struct FrameHeader {
  uint8_t type = 0;
  uint8_t flags = 0;
  uint16_t seq = 0;
};

// Writes a whole frame, delimiters included, to out. Returns its length, or 0 when the body is
// too long or out too small.
size_t frame_encode(const FrameHeader& h, const uint8_t* body, size_t body_len, uint8_t* out,
                    size_t cap);

struct FrameStats {
  uint32_t frames = 0;      // frames accepted
  uint32_t crc_errors = 0;  // well-formed COBS whose CRC did not match
  uint32_t malformed = 0;   // invalid COBS, or shorter than header and CRC
  uint32_t overlong = 0;    // longer than kMaxFrameRaw; dropped up to the next delimiter
};

// Streaming decoder: feed bytes as they arrive; push() returns true when a valid frame is ready,
// which stays readable until the next push(). Anything invalid is counted and skipped, and the
// decoder is in step again at the next 0x00.
class FrameDecoder {
 public:
  bool push(uint8_t byte);
  const FrameHeader& header() const { return header_; }
  const uint8_t* body() const { return buf_ + kFrameHeaderSize; }
  size_t body_len() const { return body_len_; }
  const FrameStats& stats() const { return stats_; }
  void reset_stats() { stats_ = FrameStats{}; }
  // Drops any partial frame and the counters, as after a reboot.
  void clear() {
    restart();
    reset_stats();
  }

 private:
  bool finish();
  void restart() {
    len_ = 0;
    remaining_ = 0;
    code_ = 0xFF;
    overflow_ = false;
  }
  uint8_t buf_[kMaxFrameRaw];
  size_t len_ = 0;
  uint8_t remaining_ = 0;
  uint8_t code_ = 0xFF;
  bool overflow_ = false;
  FrameHeader header_;
  size_t body_len_ = 0;
  FrameStats stats_;
};

}  // namespace picocray
