// The escape-time kernel and the pixel grid, over each fixed-point width.
//
// z0 = 0, z(k+1) = z(k)^2 + c; n(c) is the smallest k >= 1 with |z(k)|^2 > 4, capped at max_iter.
// Pixel (i, j) of a W x H image over X0,X1,Y0,Y1 has
//   c = (X0 + floor((2i+1)(X1-X0) / 2W),  Y1 - floor((2j+1)(Y1-Y0) / 2H))
// computed exactly on the 128-bit corners, then narrowed to the job's width.
#pragma once
#include <cstdint>

#include "picocray/fixed.h"
#include "picocray/geometry.h"

namespace picocray {

// Pixel coordinates on the 128-bit grid.
Coord pixel_x(const JobGeometry& g, uint32_t i);
Coord pixel_y(const JobGeometry& g, uint32_t j);

// The coordinates along one axis, pixel after pixel, without a division per pixel:
// value() is origin + floor((2i+1) span / 2 side) for i = first, first + 1, ... (next() steps i),
// the same integers as pixel_x (origin x0, span x1 - x0) and the floor in pixel_y (origin 0, span
// y1 - y0). The numerator grows by 2 span per pixel, so the quotient grows by floor(2 span / 2
// side) and by one more whenever the remainders pass 2 side. span >= 0; 1 <= side <= kMaxImageSide.
class PixelAxis {
 public:
  PixelAxis(const Coord& origin, const Coord& span, uint32_t first, uint32_t side);
  const Coord& value() const { return value_; }
  void next();

 private:
  Coord value_;
  Coord step_;
  uint32_t rem_, step_rem_, d_;
};

// Exact cycle detection. The map is a function of the fixed-point state (x, y) alone, so an orbit
// that comes back exactly to an earlier state repeats forever and never escapes: its count is
// max_iter, the plain loop's answer, by construction. After their first check_after iterations
// the kernels look for that with Brent's method: the state is saved at the start of runs of 1, 2,
// 4, ... iterations and every new state is compared with it, every bit (no tolerance). Counts
// never depend on it; only the work does (the iterations run: the count, or fewer when a cycle
// proved the point inside).
constexpr uint32_t kNoCycleCheck = 0x20000;  // above any max_iter: the plain loop throughout

// The kernels' schedule: how many iterations they run before checking, per width and max_iter.
// A check costs the 32-bit M0+ kernel 2 cycles in 63, so it starts where it paid on the bench
// scenes (docs/performance.md): early for small max_iter, whose inside orbits turn periodic soon
// (the overview's do within a few dozen iterations), late for large ones, near the boundary at
// high magnification, where they take long: (n/64)^2, at most 3n/4, for n = max_iter (65536 for
// 0). Never at 64 and 128 bits: the M0+ kernels there run the plain loop (and the deep scene's
// orbits never close within its 1024 iterations).
constexpr uint32_t cycle_check_after(Precision p, uint16_t max_iter) {
  const uint32_t n = max_iter ? max_iter : 65536u;
  const uint32_t quad = (n >> 6) * (n >> 6), cap = n - n / 4;
  return p == Precision::p32 ? (quad < cap ? quad : cap) : kNoCycleCheck;
}

// Escape count of one point, at each width, with cycle_check_after's schedule; work (if not null)
// receives the iterations run. Hosts with __int128 and the Cortex-M0+ (kernel_m0plus.cpp) have
// fast paths; each must equal its portable reference below, work included.
uint16_t escape32(const Fixed32& cx, const Fixed32& cy, uint16_t max_iter,
                  uint32_t* work = nullptr);
uint16_t escape64(const Fixed64& cx, const Fixed64& cy, uint16_t max_iter,
                  uint32_t* work = nullptr);
uint16_t escape128(const Fixed128& cx, const Fixed128& cy, uint16_t max_iter,
                   uint32_t* work = nullptr);

#if defined(__ARM_ARCH_6M__)
// The Cortex-M0+ kernels themselves (kernel_m0plus.cpp). The 32-bit one takes its schedule as an
// argument and returns the count in the low half, the work in the high half; tools/m0plus-cycles
// times each of its loops through it. The 64- and 128-bit ones run the plain loop.
uint64_t escape32_m0plus(const Fixed32* cx, const Fixed32* cy, uint32_t max_iter,
                         uint32_t check_after);
uint16_t escape64_m0plus(const Fixed64* cx, const Fixed64* cy, uint32_t max_iter);
uint16_t escape128_m0plus(const Fixed128* cx, const Fixed128* cy, uint32_t max_iter);
#endif

// The portable references, on every target: the definition the fast paths are held to. With
// check_after kNoCycleCheck, the plain loop; otherwise Brent's check from there on.
uint16_t escape32_portable(const Fixed32& cx, const Fixed32& cy, uint16_t max_iter,
                           uint32_t check_after = kNoCycleCheck, uint32_t* work = nullptr);
uint16_t escape64_limbs(const Fixed64& cx, const Fixed64& cy, uint16_t max_iter,
                        uint32_t check_after = kNoCycleCheck, uint32_t* work = nullptr);
uint16_t escape128_limbs(const Fixed128& cx, const Fixed128& cy, uint16_t max_iter,
                         uint32_t check_after = kNoCycleCheck, uint32_t* work = nullptr);

// What computing a tile cost, in kernel iterations: those of the plain loop, and those that also
// compared the state (a pixel's first cycle_check_after iterations are plain, the rest checked).
struct TileWork {
  uint64_t plain = 0;
  uint64_t checked = 0;
};

// Computes rows first_row, first_row + row_step, ... of the tile into counts (w x h, row-major,
// indexed from the tile's origin). Returns the sum of the counts it wrote; adds to *work (if not
// null) the iterations run. Two cores split a tile as (0, 2) and (1, 2).
// Pixels of one row a node computes between looks at the world (watchdog, USB, its heartbeat):
// sized so that a piece is at most a few tens of millions of cycles at the given depth (2^18, 2^16
// and 2^14 iterations at 32, 64 and 128 bits), and at least one pixel.
uint32_t compute_piece_pixels(const TileTask& t);
uint32_t compute_tile_rows(const TileTask& t, uint16_t* counts, uint8_t first_row, uint8_t row_step,
                           TileWork* work = nullptr);

inline uint32_t compute_tile(const TileTask& t, uint16_t* counts) {
  return compute_tile_rows(t, counts, 0, 1);
}

// The width that keeps at least 2^10 units of the last place per pixel spacing.
Precision choose_precision(const Coord& x0, const Coord& x1, const Coord& y0, const Coord& y1,
                           uint16_t width, uint16_t height);

}  // namespace picocray
