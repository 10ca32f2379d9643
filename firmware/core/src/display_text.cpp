// The status line's font: 3 x 5 glyphs, drawn at twice their size.
#include "picocray/display.h"

namespace picocray {

namespace {

// Five rows of three bits, the top row in bits 14..12, each row's left pixel its high bit.
constexpr uint16_t glyph(uint8_t r0, uint8_t r1, uint8_t r2, uint8_t r3, uint8_t r4) {
  return static_cast<uint16_t>(r0 << 12 | r1 << 9 | r2 << 6 | r3 << 3 | r4);
}

constexpr uint16_t kDigits[10] = {
    glyph(7, 5, 5, 5, 7), glyph(2, 6, 2, 2, 7), glyph(7, 1, 7, 4, 7), glyph(7, 1, 7, 1, 7),
    glyph(5, 5, 7, 1, 1), glyph(7, 4, 7, 1, 7), glyph(7, 4, 7, 5, 7), glyph(7, 1, 1, 1, 1),
    glyph(7, 5, 7, 5, 7), glyph(7, 5, 7, 1, 7),
};

uint16_t glyph_of(char c) {
  if (c >= '0' && c <= '9') return kDigits[c - '0'];
  switch (c) {
    case '.': return glyph(0, 0, 0, 0, 2);
    case 'd': return glyph(1, 1, 7, 5, 7);
    case 'i': return glyph(2, 0, 2, 2, 2);
    case 'n': return glyph(0, 0, 6, 5, 5);
    case 'p': return glyph(0, 7, 5, 7, 4);
    case 's': return glyph(3, 4, 2, 1, 6);
    case 't': return glyph(2, 7, 2, 2, 3);
    default: return 0;  // a space, and whatever the font lacks
  }
}

}  // namespace

void Display::draw_glyph(uint16_t x, uint16_t y, uint16_t bits, uint16_t fg, uint16_t bg) {
  // 8 x 10 panel pixels: the glyph doubled, and two columns of space on its right.
  constexpr uint16_t kW = 8, kH = 10;
  if (x + kW > kLcdWidth || y + kH > kLcdHeight) return;
  open_window(x, y, static_cast<uint16_t>(x + kW - 1), static_cast<uint16_t>(y + kH - 1),
              ili9341::kMemoryWrite);
  uint8_t* o = line_;
  for (uint16_t r = 0; r < kH; ++r)
    for (uint16_t c = 0; c < kW; ++c, o += 2) {
      const bool on = c < 6 && ((bits >> (14 - 3 * (r / 2) - c / 2)) & 1u) != 0;
      const uint16_t v = on ? fg : bg;
      o[0] = static_cast<uint8_t>(v >> 8);
      o[1] = static_cast<uint8_t>(v);
    }
  bus_->write(line_, static_cast<size_t>(o - line_));
  end();
}

void Display::text(uint16_t x, uint16_t y, const char* s, uint16_t fg, uint16_t bg) {
  if (!present_) return;
  for (; *s != '\0' && x + 8 <= kLcdWidth; ++s, x = static_cast<uint16_t>(x + 8))
    draw_glyph(x, y, glyph_of(*s), fg, bg);
}

}  // namespace picocray
