// The host's kernels: the escape counts of common/'s fixed-point kernels, bit for bit, computed
// many pixels at once with AVX2 or AVX-512 where the CPU has them. The simulator's tile cache and
// the CLI's --verify reference both compute through here. Host-only: never built for a board.
//
// Which kernel runs is chosen once, at first use: PICOCRAY_HOST_KERNEL (portable, avx2, avx512 or
// avx512ifma) when set, else the best the CPU supports. Every kernel gives the same counts; only
// speed differs.
#pragma once
#include <cstdint>
#include <string>

#include "picocray/kernel.h"

namespace picocray::host {

// From slowest to fastest. avx512ifma is avx512 with 52-bit multiply-adds for the 64- and 128-bit
// kernels.
enum class KernelKind : uint8_t { portable, avx2, avx512, avx512ifma };

constexpr KernelKind kAllKernels[] = {KernelKind::portable, KernelKind::avx2, KernelKind::avx512,
                                      KernelKind::avx512ifma};

const char* kernel_name(KernelKind k);
// From "portable", "avx2", "avx512" or "avx512ifma"; false for anything else.
bool parse_kernel(const std::string& name, KernelKind* out);

// Built into this binary and supported by the CPU it runs on.
bool kernel_available(KernelKind k);
// The fastest available kernel.
KernelKind best_kernel();

// The kernel PICOCRAY_HOST_KERNEL asks for. Returns false, with a one-line reason in *error, when
// the variable names no kernel or one this CPU cannot run; *out is then the best kernel. Unset or
// empty: true and the best kernel.
bool kernel_from_env(KernelKind* out, std::string* error);

// The kernel compute_tile uses by default: kernel_from_env's choice, read once.
KernelKind selected_kernel();
// Overrides the choice (for tests and tools); false, changing nothing, when k is not available.
bool select_kernel(KernelKind k);

// Counts of n points, out[i] = escape32/64(c[i]) exactly as common/'s kernels give them. Raw
// fixed-point values: 27 fraction bits (32-bit), 59 (64-bit). k must be available. work (n
// entries, may be null) gets each point's iterations as the node's 32-bit kernel runs them, its
// cycle check (cycle_check_after) included.
void escape32_points(KernelKind k, const int32_t* cx, const int32_t* cy, uint32_t n,
                     uint16_t max_iter, uint16_t* out, uint32_t* work = nullptr);
void escape64_points(KernelKind k, const int64_t* cx, const int64_t* cy, uint32_t n,
                     uint16_t max_iter, uint16_t* out);

// The same at 128 bits: avx512ifma has its own (8 lanes of 52-bit limbs); every other kernel runs
// common/'s escape128 (64-bit limbs on hosts with unsigned __int128).
void escape128_points(KernelKind k, const Fixed128* cx, const Fixed128* cy, uint32_t n,
                      uint16_t max_iter, uint16_t* out);

// Every pixel of the tile (w x h, row-major), the same counts as picocray::compute_tile. row_sums
// (h entries, may be null) gets each row's sum of counts; work (w x h, may be null) each pixel's
// iterations as the node's kernel runs them (escape32/64/128's work). Returns the sum over the
// tile.
uint32_t compute_tile(KernelKind k, const TileTask& t, uint16_t* counts,
                      uint32_t* row_sums = nullptr, uint32_t* work = nullptr);
inline uint32_t compute_tile(const TileTask& t, uint16_t* counts, uint32_t* row_sums = nullptr,
                             uint32_t* work = nullptr) {
  return compute_tile(selected_kernel(), t, counts, row_sums, work);
}

}  // namespace picocray::host
