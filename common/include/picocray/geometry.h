// The geometry of a render job, declared once: the region, the image, the iterations, the
// precision and the tile grid. The RENDER request, the job block on the I2C bus, the tile task a
// node computes and the tile header all carry it (or a tile's rectangle) as one value.
#pragma once
#include <cstdint>

#include "picocray/fixed.h"

namespace picocray {

enum class Precision : uint8_t { p32 = 32, p64 = 64, p128 = 128 };

constexpr uint16_t kMaxIterations = 65535;
constexpr uint16_t kMaxImageSide = 16384;
constexpr uint32_t kMaxImagePixels = 1u << 26;
constexpr uint8_t kMaxTileSide = 64;
constexpr uint32_t kMaxTilePixels = kMaxTileSide * kMaxTileSide;
// Region corners must lie within [-kRegionLimit, kRegionLimit].
constexpr int kRegionLimit = 4;

// The part of the plane an image covers; row 0 of the image is y1.
struct Region {
  Coord x0, x1, y0, y1;
};

struct JobGeometry {
  Region region;
  uint16_t width = 0, height = 0;  // image, pixels
  uint16_t max_iter = 256;
  Precision precision = Precision::p32;
  uint8_t tile_w = 32, tile_h = 32;
};

// One tile of the grid, in image pixels.
struct TileRect {
  uint16_t x = 0, y = 0;
  uint8_t w = 1, h = 1;
};

// What a node needs to compute one tile.
struct TileTask {
  JobGeometry geometry;
  TileRect rect;
};

// A corner within [-kRegionLimit, kRegionLimit]: the one check every layer uses.
bool coord_in_limits(const Coord& c);
// Checks a job against the documented limits; on failure *why says which one.
bool validate(const JobGeometry& g, const char** why);

// The tile grid: row-major, tiles of tile_w x tile_h, the last column and row cut to fit.
inline uint32_t tiles_across(const JobGeometry& g) { return (g.width + g.tile_w - 1u) / g.tile_w; }
inline uint32_t tiles_down(const JobGeometry& g) { return (g.height + g.tile_h - 1u) / g.tile_h; }
inline uint32_t tile_count(const JobGeometry& g) { return tiles_across(g) * tiles_down(g); }
TileRect tile_rect(const JobGeometry& g, uint32_t index);
inline TileTask tile_task(const JobGeometry& g, uint32_t index) { return {g, tile_rect(g, index)}; }
// The order a controller hands tiles out: the k-th is (k * stride) mod count, a golden-ratio walk
// over the grid (docs/protocol.md section 6): the largest stride not above 0.618034 * count with
// no common factor with it; 1 below 3 tiles.
uint32_t tile_order_stride(uint32_t count);

}  // namespace picocray
