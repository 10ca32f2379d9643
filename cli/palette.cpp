#include "palette.h"

#include <algorithm>
#include <cmath>

namespace picocray::cli {

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

Rgb gray(uint16_t n, uint16_t max_iter) {
  // A square-root ramp keeps the low counts of the outer bands apart.
  double f = max_iter > 1 ? static_cast<double>(n) / (max_iter - 1) : 0.0;
  uint8_t v = static_cast<uint8_t>(std::min(255.0, 255.0 * std::sqrt(f)));
  return {v, v, v};
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

const std::vector<std::string>& palette_names() {
  static const std::vector<std::string> names = {"classic", "gray", "fire", "ocean"};
  return names;
}

bool palette_exists(const std::string& name) {
  const auto& n = palette_names();
  return std::find(n.begin(), n.end(), name) != n.end();
}

Rgb palette_colour(const std::string& name, uint16_t count, uint16_t max_iter) {
  if (count >= max_iter) return {0, 0, 0};
  if (name == "gray") return gray(count, max_iter);
  if (name == "fire") return fire(count);
  if (name == "ocean") return ocean(count);
  return classic(count);
}

}  // namespace picocray::cli
