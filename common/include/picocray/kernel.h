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

// Escape count of one point, at each width. Hosts with __int128 and the Cortex-M0+
// (kernel_m0plus.cpp) have fast paths; each must equal its portable reference below.
uint16_t escape32(const Fixed32& cx, const Fixed32& cy, uint16_t max_iter);
uint16_t escape64(const Fixed64& cx, const Fixed64& cy, uint16_t max_iter);
uint16_t escape128(const Fixed128& cx, const Fixed128& cy, uint16_t max_iter);

// The portable references, on every target: the definition the fast paths are held to.
uint16_t escape32_portable(const Fixed32& cx, const Fixed32& cy, uint16_t max_iter);
uint16_t escape64_limbs(const Fixed64& cx, const Fixed64& cy, uint16_t max_iter);
uint16_t escape128_limbs(const Fixed128& cx, const Fixed128& cy, uint16_t max_iter);

// Computes rows first_row, first_row + row_step, ... of the tile into counts (w x h, row-major,
// indexed from the tile's origin). Returns the sum of the counts it wrote. Two cores split a tile
// as (0, 2) and (1, 2).
uint32_t compute_tile_rows(const TileTask& t, uint16_t* counts, uint8_t first_row,
                           uint8_t row_step);

inline uint32_t compute_tile(const TileTask& t, uint16_t* counts) {
  return compute_tile_rows(t, counts, 0, 1);
}

// The width that keeps at least 2^10 units of the last place per pixel spacing.
Precision choose_precision(const Coord& x0, const Coord& x1, const Coord& y0, const Coord& y1,
                           uint16_t width, uint16_t height);

}  // namespace picocray
