// The 64-bit escape kernel on AVX-512 with IFMA (52-bit multiply-add): 8 lanes of 64 bits, each
// product from 52-bit limbs in 6 multiply-adds where plain AVX-512F needs 4 multiplies and a dozen
// shifts, masks and adds. Built with -mavx512f -mavx512ifma (this file only); host_kernels.cpp
// calls in only when the CPU has both. The 32-bit kernel has no use for it.
#include <immintrin.h>

#include <cstdint>

#include "host_kernels_simd.h"

namespace picocray::host::detail {
namespace {

#include "host_kernels_avx512_ops.h"

// Magnitudes a, b <= 2^60 as a = a1 2^52 + a0 (IFMA reads only a's low 52 bits, so a0 is a):
//   a b = a0 b0 + 2^52 (a0 b1 + a1 b0) + 2^104 a1 b1 = lo + 2^52 M + 2^104 N,
// with M = hi52(a0 b0) + lo52(a0 b1) + lo52(a1 b0) and N = hi52(a0 b1) + hi52(a1 b0) + a1 b1
// (a1 b1 < 2^16). lo < 2^52 cannot carry past bit 59, so (a b) >> 59 = (M >> 7) + (N << 45).
struct Avx512Ifma64 : Avx512x64 {
  static V mul_mag(V a, V b) {
    const V zero = _mm512_setzero_si512();
    const V a1 = _mm512_srli_epi64(a, 52), b1 = _mm512_srli_epi64(b, 52);
    V m = _mm512_madd52hi_epu64(zero, a, b);
    m = _mm512_madd52lo_epu64(m, a, b1);
    m = _mm512_madd52lo_epu64(m, a1, b);
    V n = _mm512_madd52hi_epu64(zero, a, b1);
    n = _mm512_madd52hi_epu64(n, a1, b);
    n = _mm512_madd52lo_epu64(n, a1, b1);
    return _mm512_add_epi64(_mm512_srli_epi64(m, 7), _mm512_slli_epi64(n, 45));
  }
  // a * a: the cross terms as one product with 2 a1 (< 2^10).
  static V sq_mag(V a) {
    const V zero = _mm512_setzero_si512();
    const V a1 = _mm512_srli_epi64(a, 52);
    const V a1x2 = _mm512_add_epi64(a1, a1);
    const V m = _mm512_madd52lo_epu64(_mm512_madd52hi_epu64(zero, a, a), a, a1x2);
    const V n = _mm512_madd52lo_epu64(_mm512_madd52hi_epu64(zero, a, a1x2), a1, a1);
    return _mm512_add_epi64(_mm512_srli_epi64(m, 7), _mm512_slli_epi64(n, 45));
  }
};

#include "host_kernels_simd.inc"

}  // namespace

void escape64_avx512ifma(const int64_t* cx, const int64_t* cy, uint32_t n, uint32_t limit,
                         uint16_t* out) {
  escape_lanes<Avx512Ifma64, 2>(cx, cy, n, limit, out);
}

}  // namespace picocray::host::detail
