// Consistent Overhead Byte Stuffing: removes every 0x00 from a block so that 0x00 can delimit
// frames on a byte stream. Overhead is one byte per 254 bytes (plus one).
#pragma once
#include <cstddef>
#include <cstdint>

namespace picocray {

constexpr size_t cobs_max_encoded(size_t n) {
  return n + n / 254 + 1;
}

// Encodes byte by byte into a caller's buffer, so a frame can be stuffed as it is built.
class CobsWriter {
 public:
  CobsWriter(uint8_t* out, size_t cap) : out_(out), cap_(cap), ok_(cap > 0) {}
  void push(uint8_t b);
  void push(const uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; ++i) push(p[i]);
  }
  // Closes the last block; returns the encoded length, or 0 when the buffer was too small.
  size_t finish();

 private:
  void emit(uint8_t b) {
    if (pos_ < cap_)
      out_[pos_] = b;
    else
      ok_ = false;
    ++pos_;
  }
  void close_block() {
    after_full_ = code_ == 0xFF;
    if (code_pos_ < cap_) out_[code_pos_] = code_;
    code_pos_ = pos_++;  // the new block's code byte, written when the block closes
    code_ = 1;
  }
  uint8_t* out_;
  size_t cap_;
  size_t pos_ = 1;
  size_t code_pos_ = 0;
  uint8_t code_ = 1;
  bool after_full_ = false;
  bool ok_;
};

// Encodes in[0..n) to out (no delimiter). Returns the encoded length, or 0 when out is too small.
size_t cobs_encode(const uint8_t* in, size_t n, uint8_t* out, size_t cap);

// Decodes in[0..n) (no delimiter) to out. Returns the decoded length, or -1 when the input is not
// valid COBS (a zero byte inside, a code that runs past the end) or out is too small.
long cobs_decode(const uint8_t* in, size_t n, uint8_t* out, size_t cap);

}  // namespace picocray
