// Escape-time kernels for the Cortex-M33 (RP2350): the same counts and work as the portable
// references in kernel.cpp, built on the M33's single-cycle long multiplies. Every product is
// still the exact magnitude product with the low bits dropped (fixed.h): the 32-bit one from one
// SMULL, the 64- and 128-bit ones row by row from UMAAL (hi:lo = a * b + lo + hi, which cannot
// overflow), so no carry is ever lost. tools/m33-check runs them on an emulated Cortex-M33
// against the host's counts; docs/performance.md has their counted cycles.
#include "picocray/kernel.h"

#if defined(__ARM_ARCH_8M_MAIN__)

#include "kernel_orbit.h"

namespace picocray {
namespace {

inline void umaal(uint32_t& lo, uint32_t& hi, uint32_t a, uint32_t b) {
  asm("umaal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(a), "r"(b));
}

// a * b >> (32N - 5) for magnitudes below 2^(32N - 1): schoolbook rows of UMAAL, then the shift.
template <int N>
inline Fixed<N> mul_mag(const Fixed<N>& a, const Fixed<N>& b) {
  uint32_t p[2 * N];
  for (int j = 0; j < N; ++j) p[j] = 0;
  for (int i = 0; i < N; ++i) {
    uint32_t hi = 0;
    for (int j = 0; j < N; ++j) umaal(p[i + j], hi, a.w[i], b.w[j]);
    p[i + N] = hi;
  }
  Fixed<N> r;
  for (int i = 0; i < N; ++i) r.w[i] = (p[N - 1 + i] >> 27) | (p[N + i] << 5);
  return r;
}

// |a| (> top) or (== top and the lower limbs not all zero): the reference's "> 2" and "> 4".
template <int N>
inline bool above(const Fixed<N>& m, uint32_t top) {
  if (m.w[N - 1] != top) return m.w[N - 1] > top;
  uint32_t any = 0;
  for (int i = 0; i < N - 1; ++i) any |= m.w[i];
  return any != 0;
}

template <int N>
inline Fixed<N> negate_if(const Fixed<N>& a, bool neg) {
  return neg ? fx::neg(a) : a;
}

template <int N>
uint16_t escape_m33(const Fixed<N>& cx, const Fixed<N>& cy, uint16_t max_iter, uint32_t* work) {
  constexpr Precision kWidth = N == 2 ? Precision::p64 : Precision::p128;
  return detail::orbit(detail::FixedXY<N>{cx, cy}, max_iter, cycle_check_after(kWidth, max_iter),
                       work, [cx, cy](detail::FixedXY<N>& z) {
                         const bool nx = fx::is_neg(z.x), ny = fx::is_neg(z.y);
                         const Fixed<N> ax = negate_if(z.x, nx), ay = negate_if(z.y, ny);
                         if (above(ax, 0x10000000u) || above(ay, 0x10000000u)) return true;
                         const Fixed<N> x2 = mul_mag(ax, ax), y2 = mul_mag(ay, ay);
                         if (above(fx::add(x2, y2), 0x20000000u)) return true;
                         const Fixed<N> xy = negate_if(mul_mag(ax, ay), nx != ny);
                         z.y = fx::add(fx::add(xy, xy), cy);
                         z.x = fx::add(fx::sub(x2, y2), cx);
                         return false;
                       });
}

}  // namespace

// Q4.27: SMULL gives the whole signed product; a negative one is biased before the shift, which
// truncates it toward zero, as the reference's magnitude product does.
uint16_t escape32(const Fixed32& cx, const Fixed32& cy, uint16_t max_iter, uint32_t* work) {
  const int32_t cr = static_cast<int32_t>(cx.w[0]), ci = static_cast<int32_t>(cy.w[0]);
  constexpr int32_t kTwo = 2 << 27;
  constexpr int32_t kFour = 4 << 27;
  constexpr int64_t kBias = (int64_t{1} << 27) - 1;
  return detail::orbit(detail::XY<int32_t>{cr, ci}, max_iter,
                       cycle_check_after(Precision::p32, max_iter), work,
                       [&](detail::XY<int32_t>& z) {
                         const int32_t x = z.x, y = z.y;
                         if (x > kTwo || x < -kTwo || y > kTwo || y < -kTwo) return true;
                         const int32_t x2 = static_cast<int32_t>((int64_t{x} * x) >> 27);
                         const int32_t y2 = static_cast<int32_t>((int64_t{y} * y) >> 27);
                         if (x2 + y2 > kFour) return true;
                         const int64_t p = int64_t{x} * y;
                         const int32_t xy = static_cast<int32_t>((p + ((p >> 63) & kBias)) >> 27);
                         z.y = 2 * xy + ci;
                         z.x = x2 - y2 + cr;
                         return false;
                       });
}

// |a| |b| >> 59 for magnitudes below 2^61, from four UMULL/UMLAL products in 32-bit halves: the
// low word of a0 b0 counts only for its carry, and the top five bits of the 128-bit product are 0.
inline uint64_t mul59(uint64_t a, uint64_t b) {
  const uint32_t a0 = static_cast<uint32_t>(a), a1 = static_cast<uint32_t>(a >> 32);
  const uint32_t b0 = static_cast<uint32_t>(b), b1 = static_cast<uint32_t>(b >> 32);
  const uint64_t t0 = uint64_t{a0} * b0;
  const uint64_t t1 = uint64_t{a1} * b0 + (t0 >> 32);
  const uint64_t t2 = uint64_t{a0} * b1 + static_cast<uint32_t>(t1);
  const uint64_t hi = uint64_t{a1} * b1 + (t1 >> 32) + (t2 >> 32);
  return hi << 5 | static_cast<uint32_t>(t2) >> 27;
}

// Q4.59 in native 64-bit words (register pairs), the reference's arithmetic: magnitude products,
// the sign put back.
uint16_t escape64(const Fixed64& cx, const Fixed64& cy, uint16_t max_iter, uint32_t* work) {
  const int64_t cr = static_cast<int64_t>(uint64_t{cx.w[1]} << 32 | cx.w[0]);
  const int64_t ci = static_cast<int64_t>(uint64_t{cy.w[1]} << 32 | cy.w[0]);
  constexpr int64_t kTwo = int64_t{2} << 59;
  constexpr uint64_t kFour = uint64_t{4} << 59;
  return detail::orbit(detail::XY<int64_t>{cr, ci}, max_iter,
                       cycle_check_after(Precision::p64, max_iter), work,
                       [cr, ci](detail::XY<int64_t>& z) {
                         const int64_t x = z.x, y = z.y;
                         if (x > kTwo || x < -kTwo || y > kTwo || y < -kTwo) return true;
                         const uint64_t ax = static_cast<uint64_t>(x < 0 ? -x : x);
                         const uint64_t ay = static_cast<uint64_t>(y < 0 ? -y : y);
                         const uint64_t x2 = mul59(ax, ax), y2 = mul59(ay, ay);
                         if (x2 + y2 > kFour) return true;
                         int64_t xy = static_cast<int64_t>(mul59(ax, ay));
                         if ((x < 0) != (y < 0)) xy = -xy;
                         z.y = 2 * xy + ci;
                         z.x = static_cast<int64_t>(x2) - static_cast<int64_t>(y2) + cr;
                         return false;
                       });
}

uint16_t escape128(const Fixed128& cx, const Fixed128& cy, uint16_t max_iter, uint32_t* work) {
  return escape_m33<4>(cx, cy, max_iter, work);
}

}  // namespace picocray

#endif  // __ARM_ARCH_8M_MAIN__
