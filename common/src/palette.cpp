#include "picocray/palette.h"

namespace picocray {

namespace {

// 64 colours in a cycle, in the spirit of the original PicoCray's look: a bright, banded wheel.
Rgb classic(uint16_t n) {
  uint32_t k = n % 64;
  uint32_t seg = k / 16, t = (k % 16) * 16;
  switch (seg) {
    case 0: return {static_cast<uint8_t>(t), static_cast<uint8_t>(t / 2), 255};
    case 1: return {255, static_cast<uint8_t>(128 + t / 2), static_cast<uint8_t>(255 - t)};
    case 2: return {static_cast<uint8_t>(255 - t / 2), static_cast<uint8_t>(255 - t), 0};
    default: return {static_cast<uint8_t>(127 - t / 2), 0, static_cast<uint8_t>(t)};
  }
}

uint32_t isqrt(uint32_t x) {
  uint32_t r = 0;
  for (uint32_t bit = 1u << 30; bit != 0; bit >>= 2) {
    if (x >= r + bit) {
      x -= r + bit;
      r = (r >> 1) + bit;
    } else {
      r >>= 1;
    }
  }
  return r;
}

// A square-root ramp keeps the low counts of the outer bands apart: floor(255 sqrt(n / (max-1))),
// computed as isqrt(floor(65025 n / (max-1))), which is the same number.
Rgb gray(uint16_t n, uint16_t max_iter) {
  const uint32_t v = max_iter > 1 ? isqrt(65025u * n / (max_iter - 1u)) : 0;
  const auto c = static_cast<uint8_t>(v > 255 ? 255 : v);
  return {c, c, c};
}

Rgb fire(uint16_t n) {
  uint32_t k = (n * 8u) % 768;
  if (k < 256) return {static_cast<uint8_t>(k), 0, 0};
  if (k < 512) return {255, static_cast<uint8_t>(k - 256), 0};
  return {255, 255, static_cast<uint8_t>(k - 512)};
}

Rgb ocean(uint16_t n) {
  uint32_t k = (n * 6u) % 512;
  uint8_t t = static_cast<uint8_t>(k < 256 ? k : 511 - k);
  return {static_cast<uint8_t>(t / 4), static_cast<uint8_t>(t / 2 + 40), static_cast<uint8_t>(t)};
}

}  // namespace

Rgb palette_colour(Palette p, uint16_t count, uint16_t max_iter) {
  if (count >= max_iter) return {0, 0, 0};
  switch (p) {
    case Palette::gray: return gray(count, max_iter);
    case Palette::fire: return fire(count);
    case Palette::ocean: return ocean(count);
    case Palette::classic: break;
  }
  return classic(count);
}

}  // namespace picocray
