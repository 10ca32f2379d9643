// The 128-bit escape kernel on AVX-512 with IFMA: 8 lanes, each value two 64-bit halves (two's
// complement, wrapping as common/'s escape128 does), each product the exact 250-bit product of
// three 52-bit limbs a side, then shifted right 123 (toward zero, on magnitudes). Built with
// -mavx512f -mavx512ifma (this file only); host_kernels.cpp calls in only when the CPU has both.
#include <immintrin.h>

#include <cstdint>

#include "host_kernels_simd.h"

namespace picocray::host::detail {
namespace {

struct Avx512Ifma128 {
  using E = U128;
  struct V {
    __m512i lo, hi;
  };
  using M = __mmask8;
  static constexpr int kLanes = 8;
  static constexpr int F = 123;

  static __m512i zero() { return _mm512_setzero_si512(); }
  static __m512i one() { return _mm512_set1_epi64(1); }
  // Eight 128-bit words in memory (low half first) to halves and back.
  static V load(const E* p) {
    const __m512i a = _mm512_loadu_si512(p), b = _mm512_loadu_si512(p + 4);
    const __m512i even = _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i odd = _mm512_set_epi64(15, 13, 11, 9, 7, 5, 3, 1);
    return V{_mm512_permutex2var_epi64(a, even, b), _mm512_permutex2var_epi64(a, odd, b)};
  }
  static void store(E* p, V v) {
    const __m512i first = _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0);
    const __m512i second = _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4);
    _mm512_storeu_si512(p, _mm512_permutex2var_epi64(v.lo, first, v.hi));
    _mm512_storeu_si512(p + 4, _mm512_permutex2var_epi64(v.lo, second, v.hi));
  }
  static V set1(E v) {
    return V{_mm512_set1_epi64(static_cast<int64_t>(static_cast<uint64_t>(v))),
             _mm512_set1_epi64(static_cast<int64_t>(static_cast<uint64_t>(v >> 64)))};
  }
  static V add(V a, V b) {
    const __m512i lo = _mm512_add_epi64(a.lo, b.lo);
    const M carry = _mm512_cmplt_epu64_mask(lo, a.lo);
    const __m512i hi = _mm512_add_epi64(a.hi, b.hi);
    return V{lo, _mm512_mask_add_epi64(hi, carry, hi, one())};
  }
  static V sub(V a, V b) {
    const M borrow = _mm512_cmplt_epu64_mask(a.lo, b.lo);
    const __m512i hi = _mm512_sub_epi64(a.hi, b.hi);
    return V{_mm512_sub_epi64(a.lo, b.lo), _mm512_mask_sub_epi64(hi, borrow, hi, one())};
  }
  // -a in the lanes of m.
  static V neg(M m, V a) {
    const M borrow = _mm512_mask_cmpneq_epu64_mask(m, a.lo, zero());
    const __m512i hi = _mm512_mask_sub_epi64(a.hi, m, zero(), a.hi);
    return V{_mm512_mask_sub_epi64(a.lo, m, zero(), a.lo),
             _mm512_mask_sub_epi64(hi, borrow, hi, one())};
  }
  static M negative(__m512i hi) { return _mm512_cmplt_epi64_mask(hi, zero()); }
  // The magnitude, unsigned (the most negative value is its own: 2^127, above 2 too).
  static V abs(V a) { return neg(negative(a.hi), a); }
  // Unsigned comparison of 128-bit words.
  static M gt(V a, V b) {
    const M eq = _mm512_cmpeq_epi64_mask(a.hi, b.hi);
    return static_cast<M>(_mm512_cmpgt_epu64_mask(a.hi, b.hi) |
                          _mm512_mask_cmpgt_epu64_mask(eq, a.lo, b.lo));
  }
  static M eq(V a, V b) {
    return _mm512_mask_cmpeq_epi64_mask(_mm512_cmpeq_epi64_mask(a.hi, b.hi), a.lo, b.lo);
  }
  static V max(V a, V b) {
    const M m = gt(b, a);
    return V{_mm512_mask_blend_epi64(m, a.lo, b.lo), _mm512_mask_blend_epi64(m, a.hi, b.hi)};
  }
  static M mor(M a, M b) { return static_cast<M>(a | b); }
  static unsigned bits(M m) { return m; }
  static V apply_sign(V m, V x, V y) { return neg(negative(_mm512_xor_si512(x.hi, y.hi)), m); }

  // A magnitude as limbs a0 + a1 2^52 + a2 2^104. IFMA reads only the low 52 bits of each
  // operand, so a0 is lo itself and a1 needs no mask; a2 < 2^24.
  struct Limbs {
    __m512i a0, a1, a2;
  };
  static Limbs limbs(V a) {
    return Limbs{a.lo, _mm512_or_si512(_mm512_srli_epi64(a.lo, 52), _mm512_slli_epi64(a.hi, 12)),
                 _mm512_srli_epi64(a.hi, 40)};
  }
  static __m512i lo52(__m512i acc, __m512i a, __m512i b) {
    return _mm512_madd52lo_epu64(acc, a, b);
  }
  static __m512i hi52(__m512i acc, __m512i a, __m512i b) {
    return _mm512_madd52hi_epu64(acc, a, b);
  }
  // The product's columns c1..c4 (c_k of weight 2^(52k), each < 2^55; c0 < 2^52 never carries)
  // shifted right by 123 = 2 * 52 + 19: the carries propagated, then bits [19, 147) of c2 up.
  static V finish(__m512i c1, __m512i c2, __m512i c3, __m512i c4) {
    const __m512i t2 = _mm512_add_epi64(c2, _mm512_srli_epi64(c1, 52));
    const __m512i t3 = _mm512_add_epi64(c3, _mm512_srli_epi64(t2, 52));
    const __m512i t4 = _mm512_add_epi64(c4, _mm512_srli_epi64(t3, 52));
    // a | (b & c) in one ternary-logic op (0xF8).
    const __m512i lo =
        _mm512_ternarylogic_epi64(_mm512_slli_epi64(t3, 33), _mm512_srli_epi64(t2, 19),
                                  _mm512_set1_epi64((1ll << 33) - 1), 0xF8);
    const __m512i hi =
        _mm512_ternarylogic_epi64(_mm512_slli_epi64(t4, 21), _mm512_srli_epi64(t3, 31),
                                  _mm512_set1_epi64((1ll << 21) - 1), 0xF8);
    return V{lo, hi};
  }
  // Exact for magnitudes up to 2^124 (any lane beyond has already escaped).
  static V mul_mag(V x, V y) {
    const Limbs a = limbs(x), b = limbs(y);
    const __m512i z = zero();
    const __m512i c1 = lo52(lo52(hi52(z, a.a0, b.a0), a.a0, b.a1), a.a1, b.a0);
    __m512i c2 = lo52(lo52(hi52(hi52(z, a.a0, b.a1), a.a1, b.a0), a.a1, b.a1), a.a0, b.a2);
    c2 = lo52(c2, a.a2, b.a0);
    __m512i c3 = lo52(hi52(hi52(hi52(z, a.a1, b.a1), a.a0, b.a2), a.a2, b.a0), a.a1, b.a2);
    c3 = lo52(c3, a.a2, b.a1);
    const __m512i c4 = lo52(hi52(hi52(z, a.a1, b.a2), a.a2, b.a1), a.a2, b.a2);
    return finish(c1, c2, c3, c4);
  }
  // a * a: the cross terms with a2 as products with 2 a2 (< 2^25), the a0 a1 ones doubled.
  static V sq_mag(V x) {
    const Limbs a = limbs(x);
    const __m512i z = zero(), d2 = _mm512_add_epi64(a.a2, a.a2);
    const __m512i l01 = lo52(z, a.a0, a.a1), h01 = hi52(z, a.a0, a.a1);
    const __m512i c1 = hi52(_mm512_add_epi64(l01, l01), a.a0, a.a0);
    const __m512i c2 = lo52(lo52(_mm512_add_epi64(h01, h01), a.a1, a.a1), a.a0, d2);
    const __m512i c3 = lo52(hi52(hi52(z, a.a1, a.a1), a.a0, d2), a.a1, d2);
    const __m512i c4 = lo52(hi52(z, a.a1, d2), a.a2, a.a2);
    return finish(c1, c2, c3, c4);
  }
};

#include "host_kernels_simd.inc"

}  // namespace

void escape128_avx512ifma(const U128* cx, const U128* cy, uint32_t n, uint32_t limit,
                          uint16_t* out) {
  escape_lanes<Avx512Ifma128, 2>(cx, cy, n, limit, out);
}

}  // namespace picocray::host::detail
