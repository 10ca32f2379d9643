// The escape kernels on AVX2: 8 lanes of 32 bits, or 4 of 64. Built with -mavx2 (this file only);
// host_kernels.cpp calls in only when the CPU has AVX2.
#include <immintrin.h>

#include <cstdint>

#include "host_kernels_simd.h"

namespace picocray::host::detail {
namespace {

struct Avx2x32 {
  using E = int32_t;
  using V = __m256i;
  using M = __m256i;
  static constexpr int kLanes = 8;
  static constexpr int F = 27;
  static V load(const E* p) { return _mm256_load_si256(reinterpret_cast<const V*>(p)); }
  static void store(E* p, V v) { _mm256_store_si256(reinterpret_cast<V*>(p), v); }
  static V set1(E v) { return _mm256_set1_epi32(v); }
  static V add(V a, V b) { return _mm256_add_epi32(a, b); }
  static V sub(V a, V b) { return _mm256_sub_epi32(a, b); }
  static V abs(V a) { return _mm256_abs_epi32(a); }
  static V max(V a, V b) { return _mm256_max_epi32(a, b); }
  static M gt(V a, V b) { return _mm256_cmpgt_epi32(a, b); }
  static M eq(V a, V b) { return _mm256_cmpeq_epi32(a, b); }
  static M mor(M a, M b) { return _mm256_or_si256(a, b); }
  static unsigned bits(M m) {
    return static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(m)));
  }
  // (a * b) >> 27 for magnitudes up to 2^28: even lanes' 64-bit products shifted down, odd lanes'
  // shifted up into the odd halves (a shuffle brings the odd lanes down, off the shift ports).
  static V mul_mag(V a, V b) {
    const V even = _mm256_srli_epi64(_mm256_mul_epu32(a, b), 27);
    const V odd = _mm256_slli_epi64(
        _mm256_mul_epu32(_mm256_shuffle_epi32(a, 0xF5), _mm256_shuffle_epi32(b, 0xF5)), 5);
    return _mm256_blend_epi32(even, odd, 0xAA);
  }
  static V sq_mag(V a) { return mul_mag(a, a); }
  // m negated where x and y differ in sign (x ^ y < 0; or 1 so that it is never zero).
  static V apply_sign(V m, V x, V y) {
    return _mm256_sign_epi32(m, _mm256_or_si256(_mm256_xor_si256(x, y), _mm256_set1_epi32(1)));
  }
};

struct Avx2x64 {
  using E = int64_t;
  using V = __m256i;
  using M = __m256i;
  static constexpr int kLanes = 4;
  static constexpr int F = 59;
  static V load(const E* p) { return _mm256_load_si256(reinterpret_cast<const V*>(p)); }
  static void store(E* p, V v) { _mm256_store_si256(reinterpret_cast<V*>(p), v); }
  static V set1(E v) { return _mm256_set1_epi64x(v); }
  static V add(V a, V b) { return _mm256_add_epi64(a, b); }
  static V sub(V a, V b) { return _mm256_sub_epi64(a, b); }
  static V abs(V a) {
    const V s = _mm256_cmpgt_epi64(_mm256_setzero_si256(), a);
    return _mm256_sub_epi64(_mm256_xor_si256(a, s), s);
  }
  static V max(V a, V b) { return _mm256_blendv_epi8(b, a, _mm256_cmpgt_epi64(a, b)); }
  static M gt(V a, V b) { return _mm256_cmpgt_epi64(a, b); }
  static M eq(V a, V b) { return _mm256_cmpeq_epi64(a, b); }
  static M mor(M a, M b) { return _mm256_or_si256(a, b); }
  static unsigned bits(M m) {
    return static_cast<unsigned>(_mm256_movemask_pd(_mm256_castsi256_pd(m)));
  }
  // (a * b) >> 59 for magnitudes up to 2^60, from four 32x32->64 products: a = ah 2^32 + al,
  // ah <= 2^28, so the cross terms' sum fits 64 bits.
  static V mul_mag(V a, V b) {
    const V ah = _mm256_shuffle_epi32(a, 0xF5), bh = _mm256_shuffle_epi32(b, 0xF5);
    const V mid = _mm256_add_epi64(_mm256_mul_epu32(ah, b), _mm256_mul_epu32(a, bh));
    return finish(_mm256_mul_epu32(a, b), mid, _mm256_mul_epu32(ah, bh));
  }
  // a * a: the two cross terms are one.
  static V sq_mag(V a) {
    const V ah = _mm256_shuffle_epi32(a, 0xF5);
    const V m = _mm256_mul_epu32(ah, a);
    return finish(_mm256_mul_epu32(a, a), _mm256_add_epi64(m, m), _mm256_mul_epu32(ah, ah));
  }
  // lo + mid 2^32 + hi 2^64, shifted right by 59.
  static V finish(V lo, V mid, V hi) {
    const V t = _mm256_add_epi64(_mm256_srli_epi64(lo, 32),
                                 _mm256_and_si256(mid, _mm256_set1_epi64x(0xFFFFFFFFll)));
    const V upper = _mm256_add_epi64(_mm256_add_epi64(hi, _mm256_srli_epi64(mid, 32)),
                                     _mm256_srli_epi64(t, 32));
    // Bits 59..63 of the low 64 are bits 27..31 of t.
    return _mm256_or_si256(_mm256_slli_epi64(upper, 5),
                           _mm256_and_si256(_mm256_srli_epi64(t, 27), _mm256_set1_epi64x(31)));
  }
  static V apply_sign(V m, V x, V y) {
    const V s = _mm256_cmpgt_epi64(_mm256_setzero_si256(), _mm256_xor_si256(x, y));
    return _mm256_sub_epi64(_mm256_xor_si256(m, s), s);
  }
};

#include "host_kernels_simd.inc"

}  // namespace

void escape32_avx2(const int32_t* cx, const int32_t* cy, uint32_t n, uint32_t limit, uint16_t* out,
                   uint32_t check_after, uint32_t* work) {
  escape_lanes<Avx2x32, 2>(cx, cy, n, limit, out, check_after, work);
}

void escape64_avx2(const int64_t* cx, const int64_t* cy, uint32_t n, uint32_t limit,
                   uint16_t* out) {
  escape_lanes<Avx2x64, 1>(cx, cy, n, limit, out);
}

}  // namespace picocray::host::detail
