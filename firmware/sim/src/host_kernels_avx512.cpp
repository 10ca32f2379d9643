// The escape kernels on AVX-512: 16 lanes of 32 bits, or 8 of 64. Built with -mavx512f (this file
// only); host_kernels.cpp calls in only when the CPU has AVX-512F.
#include <immintrin.h>

#include <cstdint>

#include "host_kernels_simd.h"

namespace picocray::host::detail {
namespace {

#include "host_kernels_avx512_ops.h"
#include "host_kernels_simd.inc"

}  // namespace

void escape32_avx512(const int32_t* cx, const int32_t* cy, uint32_t n, uint32_t limit,
                     uint16_t* out, uint32_t check_after, uint32_t* work) {
  escape_lanes<Avx512x32, 2>(cx, cy, n, limit, out, check_after, work);
}

void escape64_avx512(const int64_t* cx, const int64_t* cy, uint32_t n, uint32_t limit,
                     uint16_t* out) {
  escape_lanes<Avx512x64, 2>(cx, cy, n, limit, out);
}

}  // namespace picocray::host::detail
