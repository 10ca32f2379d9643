#include "picocray/lcd_fit.h"

namespace picocray {

LcdFit lcd_fit(uint16_t width, uint16_t height) {
  LcdFit f;
  if (width == 0 || height == 0) return f;
  const uint32_t w = width, h = height;
  if (w * kLcdHeight >= h * kLcdWidth) {
    const uint32_t bh = h * kLcdWidth / w;
    f.w = kLcdWidth;
    f.h = static_cast<uint16_t>(bh == 0 ? 1 : bh);
  } else {
    const uint32_t bw = w * kLcdHeight / h;
    f.h = kLcdHeight;
    f.w = static_cast<uint16_t>(bw == 0 ? 1 : bw);
  }
  f.x = static_cast<uint16_t>((kLcdWidth - f.w) / 2);
  f.y = static_cast<uint16_t>((kLcdHeight - f.h) / 2);
  return f;
}

uint32_t lcd_first(uint32_t i, uint32_t size, uint32_t box) {
  // Smallest d with (2d + 1) * size >= 2 * i * box.
  const uint32_t need = 2 * i * box;
  if (need <= size) return 0;
  const uint32_t d = (need - size + 2 * size - 1) / (2 * size);
  return d < box ? d : box;
}

}  // namespace picocray
