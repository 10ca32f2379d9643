#include "picocray/frame.h"

#include "picocray/crc32.h"

namespace picocray {

size_t frame_encode(const FrameHeader& h, const uint8_t* body, size_t body_len, uint8_t* out,
                    size_t cap) {
  if (body_len > kMaxFrameBody || cap < 2) return 0;
  uint8_t head[kFrameHeaderSize] = {h.type, h.flags, static_cast<uint8_t>(h.seq),
                                    static_cast<uint8_t>(h.seq >> 8)};
  uint32_t crc = crc32_update(0, head, sizeof head);
  crc = crc32_update(crc, body, body_len);
  uint8_t tail[kFrameCrcSize];
  for (int i = 0; i < 4; ++i) tail[i] = static_cast<uint8_t>(crc >> (8 * i));

  out[0] = 0;
  CobsWriter w(out + 1, cap - 2);
  w.push(head, sizeof head);
  w.push(body, body_len);
  w.push(tail, sizeof tail);
  size_t n = w.finish();
  if (n == 0) return 0;
  out[1 + n] = 0;
  return n + 2;
}

bool FrameDecoder::push(uint8_t byte) {
  if (byte == 0) {
    bool ok = finish();
    restart();
    return ok;
  }
  if (overflow_) return false;
  if (remaining_ == 0) {
    // A new COBS block: the block before it implied a zero unless it was a full one.
    if (len_ > 0 || code_ != 0xFF) {
      if (code_ != 0xFF) {
        if (len_ >= kMaxFrameRaw) {
          overflow_ = true;
          return false;
        }
        buf_[len_++] = 0;
      }
    }
    code_ = byte;
    remaining_ = static_cast<uint8_t>(byte - 1);
    return false;
  }
  if (len_ >= kMaxFrameRaw) {
    overflow_ = true;
    return false;
  }
  buf_[len_++] = byte;
  --remaining_;
  return false;
}

bool FrameDecoder::finish() {
  bool started = len_ > 0 || code_ != 0xFF || remaining_ != 0;
  if (!started) return false;  // back-to-back delimiters: an empty frame, ignored
  if (overflow_) {
    ++stats_.overlong;
    return false;
  }
  if (remaining_ != 0 || len_ < kFrameHeaderSize + kFrameCrcSize) {
    ++stats_.malformed;
    return false;
  }
  size_t n = len_ - kFrameCrcSize;
  uint32_t want = static_cast<uint32_t>(buf_[n]) | static_cast<uint32_t>(buf_[n + 1]) << 8 |
                  static_cast<uint32_t>(buf_[n + 2]) << 16 |
                  static_cast<uint32_t>(buf_[n + 3]) << 24;
  if (crc32(buf_, n) != want) {
    ++stats_.crc_errors;
    return false;
  }
  header_.type = buf_[0];
  header_.flags = buf_[1];
  header_.seq = static_cast<uint16_t>(buf_[2] | buf_[3] << 8);
  body_len_ = n - kFrameHeaderSize;
  ++stats_.frames;
  return true;
}

}  // namespace picocray
