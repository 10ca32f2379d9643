#include "picocray/cobs.h"

namespace picocray {

void CobsWriter::push(uint8_t b) {
  if (b == 0) {
    close_block();
    return;
  }
  emit(b);
  after_full_ = false;
  if (++code_ == 0xFF) close_block();
}

size_t CobsWriter::finish() {
  // The block opened last has no data yet when 254 bytes just closed one: its code byte is
  // dropped then, as a 0xFF block carries no implied zero.
  if (after_full_ && code_ == 1) {
    --pos_;
  } else if (code_pos_ < cap_) {
    out_[code_pos_] = code_;
  }
  return ok_ && pos_ <= cap_ ? pos_ : 0;
}

size_t cobs_encode(const uint8_t* in, size_t n, uint8_t* out, size_t cap) {
  CobsWriter w(out, cap);
  w.push(in, n);
  return w.finish();
}

long cobs_decode(const uint8_t* in, size_t n, uint8_t* out, size_t cap) {
  size_t i = 0;
  size_t o = 0;
  while (i < n) {
    uint8_t code = in[i++];
    if (code == 0) return -1;
    for (uint8_t k = 1; k < code; ++k) {
      if (i >= n || in[i] == 0 || o >= cap) return -1;
      out[o++] = in[i++];
    }
    if (code != 0xFF && i < n) {
      if (o >= cap) return -1;
      out[o++] = 0;
    }
  }
  return static_cast<long>(o);
}

}  // namespace picocray
