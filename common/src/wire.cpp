#include "picocray/wire.h"

namespace picocray {

void Writer::put(const uint8_t* p, size_t n) {
  if (!ok_ || n > cap_ - len_) {
    ok_ = false;
    return;
  }
  for (size_t i = 0; i < n; ++i) buf_[len_ + i] = p[i];
  len_ += n;
}

void Writer::str(const char* s) {
  size_t n = 0;
  while (s[n] != '\0' && n < 255) ++n;
  u8(static_cast<uint8_t>(n));
  put(reinterpret_cast<const uint8_t*>(s), n);
}

uint64_t Reader::le(int n) {
  if (!ok_ || static_cast<size_t>(n) > len_ - pos_) {
    ok_ = false;
    return 0;
  }
  uint64_t v = 0;
  for (int i = 0; i < n; ++i)
    v |= static_cast<uint64_t>(buf_[pos_ + static_cast<size_t>(i)]) << (8 * i);
  pos_ += static_cast<size_t>(n);
  return v;
}

void Reader::bytes(uint8_t* out, size_t n) {
  const uint8_t* p = take(n);
  if (p == nullptr) {
    for (size_t i = 0; i < n; ++i) out[i] = 0;
    return;
  }
  for (size_t i = 0; i < n; ++i) out[i] = p[i];
}

const uint8_t* Reader::take(size_t n) {
  if (!ok_ || n > len_ - pos_) {
    ok_ = false;
    return nullptr;
  }
  const uint8_t* p = buf_ + pos_;
  pos_ += n;
  return p;
}

void Reader::str(char* out, size_t cap) {
  size_t n = u8();
  const uint8_t* p = take(n);
  size_t m = 0;
  if (p != nullptr && cap > 0) {
    for (; m < n && m + 1 < cap; ++m) out[m] = static_cast<char>(p[m]);
  }
  if (cap > 0) out[m] = '\0';
}

}  // namespace picocray
