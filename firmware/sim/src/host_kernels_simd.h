// The SIMD kernels' entry points, one set per instruction set, each in its own file compiled with
// that set's flags (firmware/sim/CMakeLists.txt; callers check the CPU first).
// limit is max_iter, or 65536 for max_iter 0 (the uint16_t counter going round); out[i] is the
// count cast to uint16_t. The 32-bit kernels take the node's cycle-check schedule too: with work
// not null, work[i] is the iterations the node's kernel runs (cycle_check_after, common/'s Brent
// check), and inside points found in a cycle stop there.
#pragma once
#include <cstdint>

namespace picocray::host::detail {

void escape32_avx2(const int32_t* cx, const int32_t* cy, uint32_t n, uint32_t limit, uint16_t* out,
                   uint32_t check_after, uint32_t* work);
void escape64_avx2(const int64_t* cx, const int64_t* cy, uint32_t n, uint32_t limit, uint16_t* out);
void escape32_avx512(const int32_t* cx, const int32_t* cy, uint32_t n, uint32_t limit,
                     uint16_t* out, uint32_t check_after, uint32_t* work);
void escape64_avx512(const int64_t* cx, const int64_t* cy, uint32_t n, uint32_t limit,
                     uint16_t* out);

void escape64_avx512ifma(const int64_t* cx, const int64_t* cy, uint32_t n, uint32_t limit,
                         uint16_t* out);

// 128 bits: two's complement in one unsigned 128-bit word, 123 fraction bits (common/'s Fixed128).
__extension__ typedef unsigned __int128 U128;
void escape128_avx512ifma(const U128* cx, const U128* cy, uint32_t n, uint32_t limit,
                          uint16_t* out);

}  // namespace picocray::host::detail
