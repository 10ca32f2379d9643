// The AVX-512F lane operations (16 x 32 bits, 8 x 64), for host_kernels_simd.inc: included inside
// an anonymous namespace by the files built with -mavx512f (host_kernels_avx512.cpp and
// host_kernels_avx512ifma.cpp), so each has its own copy, built for its own instruction set.
#pragma once
#include <immintrin.h>

#include <cstdint>

struct Avx512x32 {
  using E = int32_t;
  using V = __m512i;
  using M = __mmask16;
  static constexpr int kLanes = 16;
  static constexpr int F = 27;
  static V load(const E* p) { return _mm512_load_si512(p); }
  static void store(E* p, V v) { _mm512_store_si512(p, v); }
  static V set1(E v) { return _mm512_set1_epi32(v); }
  static V add(V a, V b) { return _mm512_add_epi32(a, b); }
  static V sub(V a, V b) { return _mm512_sub_epi32(a, b); }
  static V abs(V a) { return _mm512_abs_epi32(a); }
  static V max(V a, V b) { return _mm512_max_epi32(a, b); }
  static M gt(V a, V b) { return _mm512_cmpgt_epi32_mask(a, b); }
  static M eq(V a, V b) { return _mm512_cmpeq_epi32_mask(a, b); }
  static M mor(M a, M b) { return static_cast<M>(a | b); }
  static unsigned bits(M m) { return m; }
  // (a * b) >> 27 for magnitudes up to 2^28, as on AVX2: even and odd lanes' 64-bit products.
  static V mul_mag(V a, V b) {
    const V even = _mm512_srli_epi64(_mm512_mul_epu32(a, b), 27);
    const V odd = _mm512_slli_epi64(_mm512_mul_epu32(_mm512_shuffle_epi32(a, _MM_PERM_DDBB),
                                                     _mm512_shuffle_epi32(b, _MM_PERM_DDBB)),
                                    5);
    return _mm512_mask_blend_epi32(0xAAAA, even, odd);
  }
  static V sq_mag(V a) { return mul_mag(a, a); }
  static V apply_sign(V m, V x, V y) {
    const V zero = _mm512_setzero_si512();
    return _mm512_mask_sub_epi32(m, _mm512_cmplt_epi32_mask(_mm512_xor_si512(x, y), zero), zero, m);
  }
};

struct Avx512x64 {
  using E = int64_t;
  using V = __m512i;
  using M = __mmask8;
  static constexpr int kLanes = 8;
  static constexpr int F = 59;
  static V load(const E* p) { return _mm512_load_si512(p); }
  static void store(E* p, V v) { _mm512_store_si512(p, v); }
  static V set1(E v) { return _mm512_set1_epi64(v); }
  static V add(V a, V b) { return _mm512_add_epi64(a, b); }
  static V sub(V a, V b) { return _mm512_sub_epi64(a, b); }
  static V abs(V a) { return _mm512_abs_epi64(a); }
  static V max(V a, V b) { return _mm512_max_epi64(a, b); }
  static M gt(V a, V b) { return _mm512_cmpgt_epi64_mask(a, b); }
  static M eq(V a, V b) { return _mm512_cmpeq_epi64_mask(a, b); }
  static M mor(M a, M b) { return static_cast<M>(a | b); }
  static unsigned bits(M m) { return m; }
  // (a * b) >> 59 for magnitudes up to 2^60, from four 32x32->64 products (see host_kernels_avx2).
  static V mul_mag(V a, V b) {
    const V ah = _mm512_shuffle_epi32(a, _MM_PERM_DDBB),
            bh = _mm512_shuffle_epi32(b, _MM_PERM_DDBB);
    const V mid = _mm512_add_epi64(_mm512_mul_epu32(ah, b), _mm512_mul_epu32(a, bh));
    return finish(_mm512_mul_epu32(a, b), mid, _mm512_mul_epu32(ah, bh));
  }
  // a * a: the two cross terms are one.
  static V sq_mag(V a) {
    const V ah = _mm512_shuffle_epi32(a, _MM_PERM_DDBB);
    const V m = _mm512_mul_epu32(ah, a);
    return finish(_mm512_mul_epu32(a, a), _mm512_add_epi64(m, m), _mm512_mul_epu32(ah, ah));
  }
  // lo + mid 2^32 + hi 2^64, shifted right by 59.
  static V finish(V lo, V mid, V hi) {
    const V t = _mm512_add_epi64(_mm512_srli_epi64(lo, 32),
                                 _mm512_and_si512(mid, _mm512_set1_epi64(0xFFFFFFFFll)));
    const V upper = _mm512_add_epi64(_mm512_add_epi64(hi, _mm512_srli_epi64(mid, 32)),
                                     _mm512_srli_epi64(t, 32));
    // upper << 5 | (t >> 27) & 31 in one ternary-logic op (0xF8: a | (b & c)).
    return _mm512_ternarylogic_epi64(_mm512_slli_epi64(upper, 5), _mm512_srli_epi64(t, 27),
                                     _mm512_set1_epi64(31), 0xF8);
  }
  static V apply_sign(V m, V x, V y) {
    const V zero = _mm512_setzero_si512();
    return _mm512_mask_sub_epi64(m, _mm512_cmplt_epi64_mask(_mm512_xor_si512(x, y), zero), zero, m);
  }
};
