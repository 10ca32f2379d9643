#include "picocray/kernel.h"

namespace picocray {
namespace {

// floor(((2k+1) * span) / (2n)) for a non-negative span.
Coord scaled_step(const Coord& span, uint32_t k, uint32_t n) {
  bool overflow = false;
  return fx::mul_div(span, 2 * k + 1, 2 * n, &overflow);
}

template <int N>
inline bool above_two(const Fixed<N>& a) {
  // |a| > 2, where 2 is 0x10000000 in the top limb and zeros below.
  Fixed<N> m = fx::abs(a);
  if (m.w[N - 1] != 0x10000000u) return m.w[N - 1] > 0x10000000u;
  for (int i = 0; i < N - 1; ++i)
    if (m.w[i] != 0) return true;
  return false;
}

template <int N>
uint16_t escape_generic(const Fixed<N>& cx, const Fixed<N>& cy, uint16_t max_iter) {
  Fixed<N> x = cx, y = cy;
  constexpr uint32_t kFourTop = 0x20000000u;
  for (uint16_t k = 1;; ++k) {
    if (above_two(x) || above_two(y)) return k;
    Fixed<N> ax = fx::abs(x), ay = fx::abs(y);
    Fixed<N> x2 = fx::mul_mag(ax, ax);
    Fixed<N> y2 = fx::mul_mag(ay, ay);
    Fixed<N> r2 = fx::add(x2, y2);
    if (r2.w[N - 1] > kFourTop) return k;
    if (r2.w[N - 1] == kFourTop) {
      for (int i = 0; i < N - 1; ++i)
        if (r2.w[i] != 0) return k;
    }
    if (k == max_iter) return max_iter;
    Fixed<N> xy = fx::mul_mag(ax, ay);
    if (fx::is_neg(x) != fx::is_neg(y)) xy = fx::neg(xy);
    y = fx::add(fx::add(xy, xy), cy);
    x = fx::add(fx::sub(x2, y2), cx);
  }
}

// Products toward zero: the magnitude's product shifted, then the sign put back.
inline int32_t mul32(int32_t a, int32_t b) {
  int64_t p = static_cast<int64_t>(a) * b;
  return p >= 0 ? static_cast<int32_t>(p >> 27) : -static_cast<int32_t>((-p) >> 27);
}

}  // namespace

Coord pixel_x(const JobGeometry& g, uint32_t i) {
  return fx::add(g.region.x0, scaled_step(fx::sub(g.region.x1, g.region.x0), i, g.width));
}

Coord pixel_y(const JobGeometry& g, uint32_t j) {
  return fx::sub(g.region.y1, scaled_step(fx::sub(g.region.y1, g.region.y0), j, g.height));
}

uint16_t escape32_portable(const Fixed32& cx, const Fixed32& cy, uint16_t max_iter) {
  const int32_t cr = static_cast<int32_t>(cx.w[0]), ci = static_cast<int32_t>(cy.w[0]);
  constexpr int32_t kTwo = 2 << 27;
  constexpr int32_t kFour = 4 << 27;
  int32_t x = cr, y = ci;
  for (uint16_t k = 1;; ++k) {
    if (x > kTwo || x < -kTwo || y > kTwo || y < -kTwo) return k;
    int32_t x2 = mul32(x, x), y2 = mul32(y, y);
    if (x2 + y2 > kFour) return k;
    if (k == max_iter) return max_iter;
    int32_t xy = mul32(x, y);
    y = 2 * xy + ci;
    x = x2 - y2 + cr;
  }
}

uint16_t escape64_limbs(const Fixed64& cx, const Fixed64& cy, uint16_t max_iter) {
  return escape_generic<2>(cx, cy, max_iter);
}

uint16_t escape128_limbs(const Fixed128& cx, const Fixed128& cy, uint16_t max_iter) {
  return escape_generic<4>(cx, cy, max_iter);
}

// The Cortex-M0+ (no 32x32->64 multiply) has its own escape32/64/128 in kernel_m0plus.cpp.
#if !defined(__ARM_ARCH_6M__)
// The host's: the portable arithmetic in 64-bit words, with the sign handling made branch-free
// (squares need none; a negative product is biased before the shift, which truncates it toward
// zero). Tests hold it to escape32_portable.
uint16_t escape32(const Fixed32& cx, const Fixed32& cy, uint16_t max_iter) {
  const int64_t cr = static_cast<int32_t>(cx.w[0]), ci = static_cast<int32_t>(cy.w[0]);
  constexpr int64_t kTwo = int64_t{2} << 27;
  constexpr int64_t kFour = int64_t{4} << 27;
  constexpr int64_t kBias = (int64_t{1} << 27) - 1;
  int64_t x = cr, y = ci;
  for (uint16_t k = 1;; ++k) {
    if (static_cast<uint64_t>(x + kTwo) > static_cast<uint64_t>(2 * kTwo) ||
        static_cast<uint64_t>(y + kTwo) > static_cast<uint64_t>(2 * kTwo))
      return k;
    const int64_t x2 = (x * x) >> 27, y2 = (y * y) >> 27;
    if (x2 + y2 > kFour) return k;
    if (k == max_iter) return max_iter;
    const int64_t p = x * y;
    const int64_t xy = (p + ((p >> 63) & kBias)) >> 27;
    y = 2 * xy + ci;
    x = x2 - y2 + cr;
  }
}

#if defined(__SIZEOF_INT128__)
// Hosts with a 64x64->128 multiply: the same arithmetic as the limb version, magnitude products
// shifted and the sign put back, in native words. Tests hold the two to equality.
uint16_t escape64(const Fixed64& cx, const Fixed64& cy, uint16_t max_iter) {
  __extension__ typedef unsigned __int128 u128;
  const int64_t cr = static_cast<int64_t>(static_cast<uint64_t>(cx.w[1]) << 32 | cx.w[0]);
  const int64_t ci = static_cast<int64_t>(static_cast<uint64_t>(cy.w[1]) << 32 | cy.w[0]);
  constexpr int64_t kTwo = int64_t{2} << 59;
  constexpr uint64_t kFour = uint64_t{4} << 59;
  int64_t x = cr, y = ci;
  for (uint16_t k = 1;; ++k) {
    if (x > kTwo || x < -kTwo || y > kTwo || y < -kTwo) return k;
    uint64_t ax = static_cast<uint64_t>(x < 0 ? -x : x), ay = static_cast<uint64_t>(y < 0 ? -y : y);
    uint64_t x2 = static_cast<uint64_t>((u128{ax} * ax) >> 59);
    uint64_t y2 = static_cast<uint64_t>((u128{ay} * ay) >> 59);
    if (x2 + y2 > kFour) return k;
    if (k == max_iter) return max_iter;
    int64_t xy = static_cast<int64_t>((u128{ax} * ay) >> 59);
    if ((x < 0) != (y < 0)) xy = -xy;
    y = 2 * xy + ci;
    x = static_cast<int64_t>(x2) - static_cast<int64_t>(y2) + cr;
  }
}
#else
uint16_t escape64(const Fixed64& cx, const Fixed64& cy, uint16_t max_iter) {
  return escape64_limbs(cx, cy, max_iter);
}
#endif

uint16_t escape128(const Fixed128& cx, const Fixed128& cy, uint16_t max_iter) {
  return escape128_limbs(cx, cy, max_iter);
}
#endif  // !__ARM_ARCH_6M__

uint32_t compute_tile_rows(const TileTask& t, uint16_t* counts, uint8_t first_row,
                           uint8_t row_step) {
  const JobGeometry& g = t.geometry;
  const uint16_t it = g.max_iter;
  uint32_t sum = 0;
  for (uint32_t r = first_row; r < t.rect.h; r += row_step) {
    Coord cy = pixel_y(g, t.rect.y + r);
    uint16_t* row = counts + r * t.rect.w;
    for (uint32_t c = 0; c < t.rect.w; ++c) {
      Coord cx = pixel_x(g, t.rect.x + c);
      uint16_t n;
      switch (g.precision) {
        case Precision::p32: n = escape32(fx::narrow<1>(cx), fx::narrow<1>(cy), it); break;
        case Precision::p64: n = escape64(fx::narrow<2>(cx), fx::narrow<2>(cy), it); break;
        default: n = escape128(cx, cy, it); break;
      }
      row[c] = n;
      sum += n;
    }
  }
  return sum;
}

Precision choose_precision(const Coord& x0, const Coord& x1, const Coord& y0, const Coord& y1,
                           uint16_t width, uint16_t height) {
  // Spacing = span / side, in units of 2^-123; compare its magnitude by the highest set bit.
  Coord sx = scaled_step(fx::sub(x1, x0), 0, width);   // span / (2 * width)
  Coord sy = scaled_step(fx::sub(y1, y0), 0, height);  // span / (2 * height)
  Coord s = fx::cmp(sx, sy) < 0 ? sx : sy;
  int top = -1;
  for (int i = 3; i >= 0 && top < 0; --i)
    for (int b = 31; b >= 0; --b)
      if ((s.w[i] >> b) & 1u) {
        top = i * 32 + b;
        break;
      }
  // Half the spacing has its top bit at `top`, so the spacing is about 2^(top+1-123).
  // 32-bit keeps 27 fraction bits: need spacing >= 2^(10-27).
  if (top + 1 - 123 >= 10 - 27) return Precision::p32;
  if (top + 1 - 123 >= 10 - 59) return Precision::p64;
  return Precision::p128;
}

}  // namespace picocray
