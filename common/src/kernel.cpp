#include "picocray/kernel.h"

#include "kernel_orbit.h"

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
uint16_t escape_generic(const Fixed<N>& cx, const Fixed<N>& cy, uint16_t max_iter,
                        uint32_t check_after, uint32_t* work) {
  constexpr uint32_t kFourTop = 0x20000000u;
  return detail::orbit(detail::FixedXY<N>{cx, cy}, max_iter, check_after, work,
                       [&](detail::FixedXY<N>& z) {
                         Fixed<N>& x = z.x;
                         Fixed<N>& y = z.y;
                         if (above_two(x) || above_two(y)) return true;
                         Fixed<N> ax = fx::abs(x), ay = fx::abs(y);
                         Fixed<N> x2 = fx::mul_mag(ax, ax);
                         Fixed<N> y2 = fx::mul_mag(ay, ay);
                         Fixed<N> r2 = fx::add(x2, y2);
                         if (r2.w[N - 1] > kFourTop) return true;
                         if (r2.w[N - 1] == kFourTop) {
                           for (int i = 0; i < N - 1; ++i)
                             if (r2.w[i] != 0) return true;
                         }
                         Fixed<N> xy = fx::mul_mag(ax, ay);
                         if (fx::is_neg(x) != fx::is_neg(y)) xy = fx::neg(xy);
                         y = fx::add(fx::add(xy, xy), cy);
                         x = fx::add(fx::sub(x2, y2), cx);
                         return false;
                       });
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

uint16_t escape32_portable(const Fixed32& cx, const Fixed32& cy, uint16_t max_iter,
                           uint32_t check_after, uint32_t* work) {
  const int32_t cr = static_cast<int32_t>(cx.w[0]), ci = static_cast<int32_t>(cy.w[0]);
  constexpr int32_t kTwo = 2 << 27;
  constexpr int32_t kFour = 4 << 27;
  return detail::orbit(detail::XY<int32_t>{cr, ci}, max_iter, check_after, work,
                       [&](detail::XY<int32_t>& z) {
                         const int32_t x = z.x, y = z.y;
                         if (x > kTwo || x < -kTwo || y > kTwo || y < -kTwo) return true;
                         int32_t x2 = mul32(x, x), y2 = mul32(y, y);
                         if (x2 + y2 > kFour) return true;
                         int32_t xy = mul32(x, y);
                         z.y = 2 * xy + ci;
                         z.x = x2 - y2 + cr;
                         return false;
                       });
}

uint16_t escape64_limbs(const Fixed64& cx, const Fixed64& cy, uint16_t max_iter,
                        uint32_t check_after, uint32_t* work) {
  return escape_generic<2>(cx, cy, max_iter, check_after, work);
}

uint16_t escape128_limbs(const Fixed128& cx, const Fixed128& cy, uint16_t max_iter,
                         uint32_t check_after, uint32_t* work) {
  return escape_generic<4>(cx, cy, max_iter, check_after, work);
}

// The Cortex-M0+ (no 32x32->64 multiply) has its own escape32/64/128 in kernel_m0plus.cpp, the
// Cortex-M33 (RP2350) in kernel_m33.cpp.
#if !defined(__ARM_ARCH_6M__) && !defined(__ARM_ARCH_8M_MAIN__)
// The host's: the portable arithmetic in 64-bit words, with the sign handling made branch-free
// (squares need none; a negative product is biased before the shift, which truncates it toward
// zero). Tests hold it to escape32_portable.
uint16_t escape32(const Fixed32& cx, const Fixed32& cy, uint16_t max_iter, uint32_t* work) {
  const int64_t cr = static_cast<int32_t>(cx.w[0]), ci = static_cast<int32_t>(cy.w[0]);
  constexpr int64_t kTwo = int64_t{2} << 27;
  constexpr int64_t kFour = int64_t{4} << 27;
  constexpr int64_t kBias = (int64_t{1} << 27) - 1;
  return detail::orbit(detail::XY<int64_t>{cr, ci}, max_iter,
                       cycle_check_after(Precision::p32, max_iter), work,
                       [&](detail::XY<int64_t>& z) {
                         const int64_t x = z.x, y = z.y;
                         if (static_cast<uint64_t>(x + kTwo) > static_cast<uint64_t>(2 * kTwo) ||
                             static_cast<uint64_t>(y + kTwo) > static_cast<uint64_t>(2 * kTwo))
                           return true;
                         const int64_t x2 = (x * x) >> 27, y2 = (y * y) >> 27;
                         if (x2 + y2 > kFour) return true;
                         const int64_t p = x * y;
                         const int64_t xy = (p + ((p >> 63) & kBias)) >> 27;
                         z.y = 2 * xy + ci;
                         z.x = x2 - y2 + cr;
                         return false;
                       });
}

#if defined(__SIZEOF_INT128__)
// Hosts with a 64x64->128 multiply: the same arithmetic as the limb version, magnitude products
// shifted and the sign put back, in native words. Tests hold the two to equality.
uint16_t escape64(const Fixed64& cx, const Fixed64& cy, uint16_t max_iter, uint32_t* work) {
  __extension__ typedef unsigned __int128 u128;
  const int64_t cr = static_cast<int64_t>(static_cast<uint64_t>(cx.w[1]) << 32 | cx.w[0]);
  const int64_t ci = static_cast<int64_t>(static_cast<uint64_t>(cy.w[1]) << 32 | cy.w[0]);
  constexpr int64_t kTwo = int64_t{2} << 59;
  constexpr uint64_t kFour = uint64_t{4} << 59;
  return detail::orbit(detail::XY<int64_t>{cr, ci}, max_iter,
                       cycle_check_after(Precision::p64, max_iter), work,
                       [&](detail::XY<int64_t>& z) {
                         const int64_t x = z.x, y = z.y;
                         if (x > kTwo || x < -kTwo || y > kTwo || y < -kTwo) return true;
                         uint64_t ax = static_cast<uint64_t>(x < 0 ? -x : x),
                                  ay = static_cast<uint64_t>(y < 0 ? -y : y);
                         uint64_t x2 = static_cast<uint64_t>((u128{ax} * ax) >> 59);
                         uint64_t y2 = static_cast<uint64_t>((u128{ay} * ay) >> 59);
                         if (x2 + y2 > kFour) return true;
                         int64_t xy = static_cast<int64_t>((u128{ax} * ay) >> 59);
                         if ((x < 0) != (y < 0)) xy = -xy;
                         z.y = 2 * xy + ci;
                         z.x = static_cast<int64_t>(x2) - static_cast<int64_t>(y2) + cr;
                         return false;
                       });
}
#else
uint16_t escape64(const Fixed64& cx, const Fixed64& cy, uint16_t max_iter, uint32_t* work) {
  return escape64_limbs(cx, cy, max_iter, cycle_check_after(Precision::p64, max_iter), work);
}
#endif

#if defined(__SIZEOF_INT128__)
namespace {
__extension__ typedef unsigned __int128 u128;

u128 to_u128(const Fixed128& a) {
  return u128{a.w[3]} << 96 | u128{a.w[2]} << 64 | u128{a.w[1]} << 32 | a.w[0];
}

// The magnitude product of a and b (each at most 2^125) rounded toward zero to 123 fraction
// bits: the full 256-bit product on 64-bit limbs, then bits [123, 251).
inline u128 mul_mag128(u128 a, u128 b) {
  const uint64_t a0 = static_cast<uint64_t>(a), a1 = static_cast<uint64_t>(a >> 64);
  const uint64_t b0 = static_cast<uint64_t>(b), b1 = static_cast<uint64_t>(b >> 64);
  const u128 p0 = u128{a0} * b0, p1 = u128{a0} * b1, p2 = u128{a1} * b0, p3 = u128{a1} * b1;
  const u128 mid = (p0 >> 64) + static_cast<uint64_t>(p1) + static_cast<uint64_t>(p2);
  const u128 high = p3 + (p1 >> 64) + (p2 >> 64) + (mid >> 64);
  return high << 5 | static_cast<uint64_t>(mid) >> 59;
}

inline u128 sq_mag128(u128 a) {
  const uint64_t a0 = static_cast<uint64_t>(a), a1 = static_cast<uint64_t>(a >> 64);
  const u128 p0 = u128{a0} * a0, p1 = u128{a0} * a1, p3 = u128{a1} * a1;
  const u128 mid = (p0 >> 64) + 2 * u128{static_cast<uint64_t>(p1)};
  const u128 high = p3 + 2 * (p1 >> 64) + (mid >> 64);
  return high << 5 | static_cast<uint64_t>(mid) >> 59;
}

// All ones when a is negative, else zero; branch-free, since signs are as good as random.
inline u128 sign128(u128 a) {
  return -(a >> 127);
}
inline u128 abs128(u128 a) {
  return (a ^ sign128(a)) - sign128(a);
}
}  // namespace

// Hosts with a 64x64->128 multiply: the limb arithmetic on 64-bit limbs, two's complement in a
// 128-bit word (sums wrap exactly as fx::add does). Tests hold it to escape128_limbs.
// 128 bits are never checked for cycles (cycle_check_after), so the work is what the count says.
static_assert(cycle_check_after(Precision::p128, 1024) == kNoCycleCheck, "128-bit work");

static uint16_t escape128_native(const Fixed128& cx, const Fixed128& cy, uint16_t max_iter) {
  const u128 cr = to_u128(cx), ci = to_u128(cy);
  const u128 kTwo = u128{1} << 124, kFour = u128{1} << 125;
  u128 x = cr, y = ci;
  for (uint16_t k = 1;; ++k) {
    const u128 ax = abs128(x), ay = abs128(y);
    // |x| > 2 (the most negative value is its own magnitude, 2^127 unsigned: above 2 too).
    if (ax > kTwo || ay > kTwo) return k;
    const u128 x2 = sq_mag128(ax), y2 = sq_mag128(ay);
    if (x2 + y2 > kFour) return k;
    if (k == max_iter) return max_iter;
    const u128 s = sign128(x ^ y);  // the signs differ
    const u128 xy = (mul_mag128(ax, ay) ^ s) - s;
    y = 2 * xy + ci;
    x = x2 - y2 + cr;
  }
}

uint16_t escape128(const Fixed128& cx, const Fixed128& cy, uint16_t max_iter, uint32_t* work) {
  const uint16_t n = escape128_native(cx, cy, max_iter);
  if (work) *work = n == max_iter ? (max_iter ? max_iter : 65536u) : n;
  return n;
}
#else
uint16_t escape128(const Fixed128& cx, const Fixed128& cy, uint16_t max_iter, uint32_t* work) {
  return escape128_limbs(cx, cy, max_iter, cycle_check_after(Precision::p128, max_iter), work);
}
#endif
#endif  // neither the Cortex-M0+ nor the Cortex-M33

namespace {

inline void add_one(Coord& a) {
  for (int i = 0; i < 4; ++i)
    if (++a.w[i] != 0) return;
}

// Long division of a little-endian number of 32-bit words by 2 <= d <= 2^16, in 16-bit digits, so
// that each step is one 32-bit division (the RP2040's hardware divider; no 64-bit division), and
// none at all while the remainder so far is below d. Leaves the quotient in w, returns the
// remainder.
uint32_t divide_small(uint32_t* w, int words, uint32_t d) {
  uint32_t rem = 0;
  for (int i = words - 1; i >= 0; --i) {
    uint32_t q = 0;
    for (int half = 16; half >= 0; half -= 16) {
      const uint32_t cur = (rem << 16) | ((w[i] >> half) & 0xFFFFu);
      uint32_t digit = 0;
      rem = cur;
      if (cur >= d) {
        digit = cur / d;
        rem = cur - digit * d;
      }
      q = (q << 16) | digit;
    }
    w[i] = q;
  }
  return rem;
}

template <int N>
inline uint16_t escape_n(const Fixed<N>& cx, const Fixed<N>& cy, uint16_t max_iter, uint32_t* work);
template <>
inline uint16_t escape_n<1>(const Fixed32& cx, const Fixed32& cy, uint16_t max_iter,
                            uint32_t* work) {
  return escape32(cx, cy, max_iter, work);
}
template <>
inline uint16_t escape_n<2>(const Fixed64& cx, const Fixed64& cy, uint16_t max_iter,
                            uint32_t* work) {
  return escape64(cx, cy, max_iter, work);
}
template <>
inline uint16_t escape_n<4>(const Fixed128& cx, const Fixed128& cy, uint16_t max_iter,
                            uint32_t* work) {
  return escape128(cx, cy, max_iter, work);
}

// The rows of a tile at one width: cx and cy as pixel_x and pixel_y define them, stepped exactly
// (the same integers) instead of a 160-bit division per pixel. cy = y1 - floor(...): the floor
// is stepped and subtracted, since stepping on -span would floor the other way.
template <int N>
uint32_t rows_at(const TileTask& t, uint16_t* counts, uint32_t first_row, uint32_t row_step,
                 TileWork* work) {
  uint32_t sum = 0;
  const JobGeometry& g = t.geometry;
  const Region& region = g.region;
  constexpr Precision kWidth = N == 1 ? Precision::p32 : N == 2 ? Precision::p64 : Precision::p128;
  const uint32_t plain = cycle_check_after(kWidth, g.max_iter);
  PixelAxis row(fx::zero<4>(), fx::sub(region.y1, region.y0), t.rect.y + first_row, g.height);
  const PixelAxis column0(region.x0, fx::sub(region.x1, region.x0), t.rect.x, g.width);
  for (uint32_t r = first_row; r < t.rect.h; r += row_step) {
    const Fixed<N> cy = fx::narrow<N>(fx::sub(region.y1, row.value()));
    uint16_t* out = counts + r * t.rect.w;
    PixelAxis column = column0;
    for (uint32_t c = 0; c < t.rect.w; ++c) {
      uint32_t ran = 0;
      const uint16_t n =
          escape_n<N>(fx::narrow<N>(column.value()), cy, g.max_iter, work ? &ran : nullptr);
      if (work) {
        const uint32_t p = ran < plain ? ran : plain;
        work->plain += p;
        work->checked += ran - p;
      }
      out[c] = n;
      sum += n;
      column.next();
    }
    if (r + row_step < t.rect.h)
      for (uint32_t s = 0; s < row_step; ++s) row.next();
  }
  return sum;
}

}  // namespace

// (2i+1) span = (2i+1) (q d + r): the quotient is (2i+1) q plus that of (2i+1) r, a 32-bit
// division (r < d <= 2^15); one pixel on adds 2 span = 2q d + 2r. So a division of span by d,
// word by word, and one 32-bit division give the first pixel and the step.
PixelAxis::PixelAxis(const Coord& origin, const Coord& span, uint32_t first, uint32_t side) {
  d_ = 2u * side;
  Coord q = span;
  const uint32_t r = divide_small(q.w, 4, d_);
  const uint32_t m = 2u * first + 1u;
  const uint32_t mr = m * r;  // below 2^30
  const uint32_t extra = mr / d_;
  rem_ = mr - extra * d_;
  // value = origin + m q + extra (m q < 2^128: it is at most the span's (2i+1)/2d share, <= span)
  Coord mq;
  uint32_t carry = extra;
  for (int i = 0; i < 4; ++i) {
    const uint64_t p = static_cast<uint64_t>(q.w[i]) * m + carry;
    mq.w[i] = static_cast<uint32_t>(p);
    carry = static_cast<uint32_t>(p >> 32);
  }
  value_ = fx::add(origin, mq);
  step_ = fx::add(q, q);
  step_rem_ = 2u * r;
  if (step_rem_ >= d_) {
    step_rem_ -= d_;
    add_one(step_);
  }
}

void PixelAxis::next() {
  rem_ += step_rem_;
  uint32_t carry = 0;
  if (rem_ >= d_) {
    rem_ -= d_;
    carry = 1;
  }
  for (int i = 0; i < 4; ++i) {
    const uint32_t a = value_.w[i];
    uint32_t s = a + step_.w[i];
    const uint32_t c1 = s < a;
    s += carry;
    carry = c1 | (s < carry);
    value_.w[i] = s;
  }
}

uint32_t compute_piece_pixels(const TileTask& t) {
  const uint32_t budget = t.geometry.precision == Precision::p32   ? 1u << 18
                          : t.geometry.precision == Precision::p64 ? 1u << 16
                                                                   : 1u << 14;
  uint32_t run = budget / (t.geometry.max_iter != 0 ? t.geometry.max_iter : 1u);
  if (run > t.rect.w) run = t.rect.w;
  return run < 1 ? 1 : run;
}

uint32_t compute_tile_rows(const TileTask& t, uint16_t* counts, uint8_t first_row, uint8_t row_step,
                           TileWork* work) {
  if (first_row >= t.rect.h || row_step == 0) return 0;
  switch (t.geometry.precision) {
    case Precision::p32: return rows_at<1>(t, counts, first_row, row_step, work);
    case Precision::p64: return rows_at<2>(t, counts, first_row, row_step, work);
    default: return rows_at<4>(t, counts, first_row, row_step, work);
  }
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
