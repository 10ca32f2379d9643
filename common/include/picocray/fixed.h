// Fixed-point numbers at 32, 64 and 128 bits: N little-endian 32-bit limbs, two's complement,
// with 32N-5 fraction bits, so every width holds [-16, 16). The escape-time kernel keeps every
// intermediate within +-8, so nothing overflows.
//
// Products are exact magnitudes with the low bits dropped and the sign put back: they round
// toward zero. Every width and every backend (host, Cortex-M0+) follows this one definition, which
// is what makes counts bit-identical everywhere.
#pragma once
#include <cstddef>
#include <cstdint>

namespace picocray {

template <int N>
struct Fixed {
  static constexpr int kLimbs = N;
  static constexpr int kFracBits = 32 * N - 5;
  uint32_t w[N];
};

using Fixed32 = Fixed<1>;
using Fixed64 = Fixed<2>;
using Fixed128 = Fixed<4>;
// Region corners travel and are computed at full width.
using Coord = Fixed128;

namespace fx {

template <int N>
constexpr Fixed<N> zero() {
  Fixed<N> r{};
  for (int i = 0; i < N; ++i) r.w[i] = 0;
  return r;
}

// The integer k (|k| < 16) as a fixed-point value.
template <int N>
constexpr Fixed<N> from_int(int k) {
  Fixed<N> r = zero<N>();
  uint32_t top = static_cast<uint32_t>(k) << 27;
  r.w[N - 1] = top;
  if (k < 0)
    for (int i = 0; i < N - 1; ++i) r.w[i] = 0;
  return r;
}

template <int N>
constexpr bool is_neg(const Fixed<N>& a) {
  return (a.w[N - 1] & 0x80000000u) != 0;
}

template <int N>
constexpr bool is_zero(const Fixed<N>& a) {
  for (int i = 0; i < N; ++i)
    if (a.w[i] != 0) return false;
  return true;
}

template <int N>
constexpr Fixed<N> add(const Fixed<N>& a, const Fixed<N>& b) {
  Fixed<N> r = zero<N>();
  uint64_t carry = 0;
  for (int i = 0; i < N; ++i) {
    uint64_t s = static_cast<uint64_t>(a.w[i]) + b.w[i] + carry;
    r.w[i] = static_cast<uint32_t>(s);
    carry = s >> 32;
  }
  return r;
}

template <int N>
constexpr Fixed<N> neg(const Fixed<N>& a) {
  Fixed<N> r = zero<N>();
  uint64_t carry = 1;
  for (int i = 0; i < N; ++i) {
    uint64_t s = static_cast<uint64_t>(~a.w[i]) + carry;
    r.w[i] = static_cast<uint32_t>(s);
    carry = s >> 32;
  }
  return r;
}

template <int N>
constexpr Fixed<N> sub(const Fixed<N>& a, const Fixed<N>& b) {
  return add(a, neg(b));
}

template <int N>
constexpr Fixed<N> abs(const Fixed<N>& a) {
  return is_neg(a) ? neg(a) : a;
}

// Signed comparison: -1, 0 or 1.
template <int N>
constexpr int cmp(const Fixed<N>& a, const Fixed<N>& b) {
  bool na = is_neg(a), nb = is_neg(b);
  if (na != nb) return na ? -1 : 1;
  for (int i = N - 1; i >= 0; --i)
    if (a.w[i] != b.w[i]) return a.w[i] < b.w[i] ? -1 : 1;
  return 0;
}

// Magnitude product of two non-negative values, rounded toward zero.
template <int N>
Fixed<N> mul_mag(const Fixed<N>& a, const Fixed<N>& b) {
  uint32_t p[2 * N] = {};
  for (int i = 0; i < N; ++i) {
    uint64_t carry = 0;
    for (int j = 0; j < N; ++j) {
      uint64_t t = static_cast<uint64_t>(a.w[i]) * b.w[j] + p[i + j] + carry;
      p[i + j] = static_cast<uint32_t>(t);
      carry = t >> 32;
    }
    p[i + N] = static_cast<uint32_t>(carry);
  }
  // Keep bits [32N-5, 64N-5): word N-1 from bit 27 on.
  Fixed<N> r;
  for (int i = 0; i < N; ++i) r.w[i] = (p[N - 1 + i] >> 27) | (p[N + i] << 5);
  return r;
}

template <int N>
Fixed<N> mul(const Fixed<N>& a, const Fixed<N>& b) {
  Fixed<N> m = mul_mag(abs(a), abs(b));
  return is_neg(a) != is_neg(b) ? neg(m) : m;
}

// Narrowing from a wider value: an arithmetic shift right (rounds toward minus infinity).
// a * num / den for a non-negative a, floored: a 160-bit product, then schoolbook division from
// the top limb down. *overflow is set when the result does not fit a Coord's positive range.
Fixed<4> mul_div(const Fixed<4>& a, uint32_t num, uint32_t den, bool* overflow);

template <int N, int M>
Fixed<N> narrow(const Fixed<M>& a) {
  static_assert(N <= M, "narrow only narrows");
  constexpr int shift = 32 * (M - N);  // whole limbs: fraction bits differ by 32(M-N)
  Fixed<N> r;
  for (int i = 0; i < N; ++i) r.w[i] = a.w[i + shift / 32];
  return r;
}

// Widening to more limbs; exact.
template <int M, int N>
Fixed<M> widen(const Fixed<N>& a) {
  static_assert(M >= N, "widen only widens");
  Fixed<M> r = zero<M>();
  for (int i = 0; i < N; ++i) r.w[M - N + i] = a.w[i];
  return r;
}

}  // namespace fx
}  // namespace picocray
