// The LCD's scaling and the shared palette: the definitions host and controller both draw with.
#include "picocray/lcd_fit.h"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "picocray/palette.h"

using namespace picocray;

namespace {

void check_fit(uint16_t w, uint16_t h, LcdFit want) {
  const LcdFit f = lcd_fit(w, h);
  CAPTURE(w);
  CAPTURE(h);
  CHECK(f.x == want.x);
  CHECK(f.y == want.y);
  CHECK(f.w == want.w);
  CHECK(f.h == want.h);
}

}  // namespace

TEST_CASE("lcd_fit: boxes keep the aspect, fill one side and are centred") {
  check_fit(640, 480, {0, 0, 320, 240});
  check_fit(320, 240, {0, 0, 320, 240});
  check_fit(500, 300, {0, 24, 320, 192});  // 300 * 320 / 500 = 192
  check_fit(130, 250, {98, 0, 124, 240});  // 130 * 240 / 250 = 124.8
  check_fit(100, 100, {40, 0, 240, 240});
  check_fit(16384, 1, {0, 119, 320, 1});  // never less than a pixel
  check_fit(1, 16384, {159, 0, 1, 240});
}

TEST_CASE("lcd_fit: a tile's first panel offset is where its pixels' sources begin") {
  const uint32_t sizes[] = {1, 7, 97, 240, 320, 500, 1000, 16384};
  const uint32_t boxes[] = {1, 3, 120, 240, 320};
  for (uint32_t size : sizes)
    for (uint32_t box : boxes) {
      CAPTURE(size);
      CAPTURE(box);
      // lcd_first(i) is the least d with lcd_source(d) >= i, or box when none is.
      uint32_t d = 0;
      for (uint32_t i = 0; i <= size; i += (size > 600 ? 13 : 1)) {
        d = 0;
        while (d < box && lcd_source(d, size, box) < i) ++d;
        REQUIRE(lcd_first(i, size, box) == d);
      }
      // Sources stay in the image and never go back.
      for (uint32_t k = 0; k + 1 < box; ++k)
        REQUIRE(lcd_source(k, size, box) <= lcd_source(k + 1, size, box));
      REQUIRE(lcd_source(box - 1, size, box) < size);
    }
}

TEST_CASE("palette: gray in integers is floor(255 sqrt(n / (max - 1)))") {
  const uint16_t maxes[] = {2, 3, 17, 256, 1000, 4096, 65535};
  for (uint16_t m : maxes)
    for (uint32_t n = 0; n < m; n += (m > 5000 ? 7 : 1)) {
      const double f = static_cast<double>(n) / (m - 1);
      auto want = static_cast<uint8_t>(std::min(255.0, 255.0 * std::sqrt(f)));
      const Rgb c = palette_colour(Palette::gray, static_cast<uint16_t>(n), m);
      // Where double rounds just below an integer the integer form is the exact one.
      const double exact = 255.0 * std::sqrt(f);
      if (std::fabs(exact - std::round(exact)) < 1e-9)
        want = static_cast<uint8_t>(std::round(exact));
      CAPTURE(m);
      CAPTURE(n);
      REQUIRE(c.r == want);
      REQUIRE(c.g == want);
      REQUIRE(c.b == want);
    }
}

TEST_CASE("palette: inside the set is black in every palette, RGB565 widens back exactly") {
  for (uint8_t p = 0; p < kPaletteCount; ++p) {
    const Rgb c = palette_colour(static_cast<Palette>(p), 300, 300);
    CHECK((c.r | c.g | c.b) == 0);
  }
  CHECK(rgb565({255, 255, 255}) == 0xFFFF);
  CHECK(rgb565({255, 0, 0}) == 0xF800);
  CHECK(rgb565({0, 255, 0}) == 0x07E0);
  CHECK(rgb565({8, 4, 8}) == 0x0821);
  for (uint32_t v = 0; v <= 0xFFFF; ++v)
    REQUIRE(rgb565(rgb565_expand(static_cast<uint16_t>(v))) == v);
  const Rgb w = rgb565_expand(0xFFFF);
  CHECK((w.r & w.g & w.b) == 255);
}
