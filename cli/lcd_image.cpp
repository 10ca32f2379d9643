#include "lcd_image.h"

#include "image.h"
#include "picocray/lcd_fit.h"

namespace picocray::cli {

std::vector<uint16_t> lcd_reference(const std::vector<uint16_t>& counts, uint32_t width,
                                    uint32_t height, uint16_t max_iter, Palette palette) {
  std::vector<uint16_t> px(size_t{kLcdWidth} * kLcdHeight, 0);
  const LcdFit f = lcd_fit(static_cast<uint16_t>(width), static_cast<uint16_t>(height));
  for (uint32_t y = 0; y < f.h; ++y) {
    const uint32_t j = lcd_source(y, height, f.h);
    for (uint32_t x = 0; x < f.w; ++x) {
      const uint32_t i = lcd_source(x, width, f.w);
      const uint16_t n = counts[size_t{j} * width + i];
      px[size_t{f.y + y} * kLcdWidth + f.x + x] = rgb565(palette_colour(palette, n, max_iter));
    }
  }
  return px;
}

std::vector<uint8_t> encode_lcd_png(const std::vector<uint16_t>& pixels) {
  std::vector<uint8_t> rgb(pixels.size() * 3);
  for (size_t i = 0; i < pixels.size(); ++i) {
    const Rgb c = rgb565_expand(pixels[i]);
    rgb[3 * i] = c.r;
    rgb[3 * i + 1] = c.g;
    rgb[3 * i + 2] = c.b;
  }
  return encode_rgb_png(rgb, kLcdWidth, kLcdHeight);
}

}  // namespace picocray::cli
