// Colouring escape counts: one definition for the host's PNG files and the controller's LCD, so
// a render mirrored on the panel and the host's own picture agree pixel for pixel. Integer only.
// Points inside the set (count >= max_iter) are black.
#pragma once
#include <cstdint>

namespace picocray {

// The wire value of each palette (RENDER's display palette, since protocol 1.5).
enum class Palette : uint8_t { classic = 0, gray = 1, fire = 2, ocean = 3 };
constexpr uint8_t kPaletteCount = 4;

struct Rgb {
  uint8_t r, g, b;
};

Rgb palette_colour(Palette p, uint16_t count, uint16_t max_iter);

// RGB565 as the ILI9341 takes it: the top 5, 6 and 5 bits.
constexpr uint16_t rgb565(Rgb c) {
  return static_cast<uint16_t>(((c.r >> 3) << 11) | ((c.g >> 2) << 5) | (c.b >> 3));
}
// Back to 8 bits a channel, the top bits repeated into the bottom ones (31 -> 255, 63 -> 255).
constexpr Rgb rgb565_expand(uint16_t v) {
  const uint32_t r = v >> 11, g = (v >> 5) & 0x3Fu, b = v & 0x1Fu;
  return {static_cast<uint8_t>((r << 3) | (r >> 2)), static_cast<uint8_t>((g << 2) | (g >> 4)),
          static_cast<uint8_t>((b << 3) | (b >> 2))};
}

}  // namespace picocray
