#include "picocray/geometry.h"

namespace picocray {

bool coord_in_limits(const Coord& c) {
  return fx::cmp(c, fx::from_int<4>(-kRegionLimit)) >= 0 &&
         fx::cmp(c, fx::from_int<4>(kRegionLimit)) <= 0;
}

bool validate(const JobGeometry& g, const char** why) {
  auto fail = [why](const char* msg) {
    *why = msg;
    return false;
  };
  if (g.precision != Precision::p32 && g.precision != Precision::p64 &&
      g.precision != Precision::p128)
    return fail("precision must be 32, 64 or 128");
  if (g.max_iter < 1) return fail("iterations must be 1 to 65535");
  if (g.width < 1 || g.height < 1 || g.width > kMaxImageSide || g.height > kMaxImageSide)
    return fail("width and height must be 1 to 16384");
  if (static_cast<uint32_t>(g.width) * g.height > kMaxImagePixels)
    return fail("image must have at most 67108864 pixels");
  if (g.tile_w < 1 || g.tile_h < 1 || g.tile_w > kMaxTileSide || g.tile_h > kMaxTileSide)
    return fail("tile sides must be 1 to 64");
  const Region& r = g.region;
  const Coord* corners[4] = {&r.x0, &r.x1, &r.y0, &r.y1};
  for (const Coord* c : corners)
    if (!coord_in_limits(*c)) return fail("region must lie within [-4, 4]");
  if (fx::cmp(r.x0, r.x1) >= 0) return fail("region needs X0 < X1");
  if (fx::cmp(r.y0, r.y1) >= 0) return fail("region needs Y0 < Y1");
  return true;
}

TileRect tile_rect(const JobGeometry& g, uint32_t index) {
  TileRect t;
  uint32_t across = tiles_across(g);
  t.x = static_cast<uint16_t>(index % across * g.tile_w);
  t.y = static_cast<uint16_t>(index / across * g.tile_h);
  uint32_t w = g.width - t.x, h = g.height - t.y;
  t.w = static_cast<uint8_t>(w < g.tile_w ? w : g.tile_w);
  t.h = static_cast<uint8_t>(h < g.tile_h ? h : g.tile_h);
  return t;
}

uint32_t tile_order_stride(uint32_t total) {
  if (total < 3) return 1;
  uint32_t s = static_cast<uint32_t>((static_cast<uint64_t>(total) * 618034u) / 1000000u);
  auto gcd = [](uint32_t a, uint32_t b) {
    while (b != 0) {
      uint32_t t = a % b;
      a = b;
      b = t;
    }
    return a;
  };
  while (s > 1 && gcd(s, total) != 1) --s;
  return s == 0 ? 1 : s;
}

}  // namespace picocray
