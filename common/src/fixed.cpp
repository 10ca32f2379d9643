#include "picocray/fixed.h"

namespace picocray::fx {

Fixed<4> mul_div(const Fixed<4>& a, uint32_t num, uint32_t den, bool* overflow) {
  uint32_t p[5] = {};
  uint64_t carry = 0;
  for (int i = 0; i < 4; ++i) {
    uint64_t t = static_cast<uint64_t>(a.w[i]) * num + carry;
    p[i] = static_cast<uint32_t>(t);
    carry = t >> 32;
  }
  p[4] = static_cast<uint32_t>(carry);
  uint64_t rem = 0;
  for (int i = 4; i >= 0; --i) {
    uint64_t cur = (rem << 32) | p[i];
    p[i] = static_cast<uint32_t>(cur / den);
    rem = cur % den;
  }
  *overflow = p[4] != 0 || (p[3] & 0x80000000u) != 0;
  Fixed<4> r;
  for (int i = 0; i < 4; ++i) r.w[i] = p[i];
  return r;
}

}  // namespace picocray::fx
