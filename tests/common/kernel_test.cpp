#include "picocray/kernel.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <set>
#include <vector>

#include "picocray/protocol.h"
#include "test_util.h"

using namespace picocray;
using picocray_test::dec;
using picocray_test::same;
using picocray_test::show;

namespace {

TileTask whole_set_640x480() {
  TileTask t;
  t.geometry.precision = Precision::p32;
  t.geometry.max_iter = 256;
  t.geometry.width = 640;
  t.geometry.height = 480;
  t.geometry.region.x0 = dec("-2.5");
  t.geometry.region.x1 = dec("1");
  t.geometry.region.y0 = dec("-1.25");
  t.geometry.region.y1 = dec("1.25");
  return t;
}

// |a - b| in units of 2^-123, capped at 2^32 - 1.
uint32_t ulp_distance(const Coord& a, const Coord& b) {
  Coord d = fx::abs(fx::sub(a, b));
  if (d.w[3] || d.w[2] || d.w[1]) return 0xFFFFFFFFu;
  return d.w[0];
}

// A square of side 2*half centred on (cx, cy).
TileTask square(const char* cx, const char* cy, const char* half, uint16_t side, uint16_t iter) {
  const Coord x = dec(cx), y = dec(cy), h = dec(half);
  TileTask t;
  t.geometry.max_iter = iter;
  t.geometry.width = t.geometry.height = side;
  t.rect.w = t.rect.h = static_cast<uint8_t>(side);
  t.geometry.region.x0 = fx::sub(x, h);
  t.geometry.region.x1 = fx::add(x, h);
  t.geometry.region.y0 = fx::sub(y, h);
  t.geometry.region.y1 = fx::add(y, h);
  return t;
}

struct Picture {
  size_t distinct = 0;
  int equal_neighbours = 0;  // horizontally adjacent pairs with equal counts
  int pairs = 0;
  uint16_t lo = 0xFFFF, hi = 0;
};

Picture look(const std::vector<uint16_t>& c, int w, int h) {
  Picture p;
  p.distinct = std::set<uint16_t>(c.begin(), c.end()).size();
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint16_t v = c[static_cast<size_t>(y * w + x)];
      p.lo = v < p.lo ? v : p.lo;
      p.hi = v > p.hi ? v : p.hi;
      if (x > 0) {
        ++p.pairs;
        p.equal_neighbours += v == c[static_cast<size_t>(y * w + x - 1)];
      }
    }
  return p;
}

}  // namespace

TEST_CASE("kernel: pixel (0,0) sits half a pixel in from the top-left corner") {
  const TileTask t = whole_set_640x480();
  // cx = -2.5 + 3.5/1280 = -2.497265625; the kernel floors, parse rounds: at most 1 ulp apart.
  const Coord cx = pixel_x(t.geometry, 0);
  const Coord want_x = dec("-2.497265625");
  INFO("pixel_x(0) = " << show(cx));
  CHECK(ulp_distance(cx, want_x) <= 1);
  CHECK(fx::cmp(cx, want_x) <= 0);
  // Row 0 is the top: cy = 1.25 - 2.5/960 = 1.2473958333...
  const Coord cy = pixel_y(t.geometry, 0);
  INFO("pixel_y(0) = " << show(cy));
  CHECK(ulp_distance(cy, dec("1.247395833333333333333333333333333333333")) <= 1);
  CHECK(fx::cmp(cy, t.geometry.region.y1) < 0);
  CHECK(fx::cmp(cy, dec("1.24")) > 0);
  // The last pixel mirrors the first.
  CHECK(ulp_distance(pixel_x(t.geometry, 639), dec("0.997265625")) <= 1);
  CHECK(ulp_distance(pixel_y(t.geometry, 479), dec("-1.247395833333333333333333333333333333333")) <=
        1);
  // Steps are uniform to within the floor: x(320) is the middle of the span plus half a pixel.
  CHECK(ulp_distance(pixel_x(t.geometry, 320), dec("-0.747265625")) <= 1);
}

TEST_CASE("kernel: pixels are strictly increasing across and decreasing down") {
  const TileTask t = whole_set_640x480();
  for (uint32_t i = 1; i < t.geometry.width; ++i)
    REQUIRE_MESSAGE(fx::cmp(pixel_x(t.geometry, i - 1), pixel_x(t.geometry, i)) < 0,
                    "column " << i);
  for (uint32_t j = 1; j < t.geometry.height; ++j)
    REQUIRE_MESSAGE(fx::cmp(pixel_y(t.geometry, j - 1), pixel_y(t.geometry, j)) > 0, "row " << j);
}

TEST_CASE("kernel: compute_tile counts each pixel with the job's escape function") {
  TileTask t = whole_set_640x480();
  t.rect.x = 200;
  t.rect.y = 220;
  t.rect.w = 13;
  t.rect.h = 9;
  for (Precision p : {Precision::p32, Precision::p64, Precision::p128}) {
    CAPTURE(static_cast<int>(p));
    t.geometry.precision = p;
    std::vector<uint16_t> c(t.rect.w * t.rect.h, 0xBEEF);
    const uint32_t sum = compute_tile(t, c.data());
    uint32_t want_sum = 0;
    for (uint32_t r = 0; r < t.rect.h; ++r)
      for (uint32_t k = 0; k < t.rect.w; ++k) {
        const Coord cx = pixel_x(t.geometry, t.rect.x + k), cy = pixel_y(t.geometry, t.rect.y + r);
        uint16_t want = p == Precision::p32   ? escape32(fx::narrow<1>(cx), fx::narrow<1>(cy), 256)
                        : p == Precision::p64 ? escape64(fx::narrow<2>(cx), fx::narrow<2>(cy), 256)
                                              : escape128(cx, cy, 256);
        want_sum += want;
        REQUIRE_MESSAGE(c[r * t.rect.w + k] == want, "pixel " << k << "," << r);
      }
    CHECK(sum == want_sum);
  }
}

TEST_CASE("kernel: rows (0,2) and (1,2) together equal the whole tile") {
  TileTask t = whole_set_640x480();
  t.geometry.precision = Precision::p64;
  t.rect.x = 64;
  t.rect.y = 192;
  t.rect.w = 64;
  t.rect.h = 37;  // odd, so the two halves differ in size
  std::vector<uint16_t> whole(t.rect.w * t.rect.h, 0), split(t.rect.w * t.rect.h, 0xFFFF);
  const uint32_t s = compute_tile(t, whole.data());
  const uint32_t s0 = compute_tile_rows(t, split.data(), 0, 2);
  // The even rows are written and the odd rows left alone.
  CHECK(split[1 * t.rect.w] == 0xFFFF);
  const uint32_t s1 = compute_tile_rows(t, split.data(), 1, 2);
  CHECK(split == whole);
  CHECK(s0 + s1 == s);
  CHECK(s0 > 0);
  CHECK(s1 > 0);
}

TEST_CASE("kernel: tile_task tiles put together give the same picture as one big tile") {
  RenderRequest m;
  m.geometry.precision = Precision::p32;
  m.geometry.max_iter = 100;
  m.geometry.width = 50;
  m.geometry.height = 40;
  m.geometry.tile_w = 16;
  m.geometry.tile_h = 16;
  m.geometry.region.x0 = dec("-2");
  m.geometry.region.x1 = dec("0.5");
  m.geometry.region.y0 = dec("-1");
  m.geometry.region.y1 = dec("1");
  std::vector<uint16_t> image(50 * 40, 0);
  for (uint32_t i = 0; i < tile_count(m.geometry); ++i) {
    TileTask t = tile_task(m.geometry, i);
    std::vector<uint16_t> c(t.rect.w * t.rect.h);
    compute_tile(t, c.data());
    for (int r = 0; r < t.rect.h; ++r)
      for (int k = 0; k < t.rect.w; ++k)
        image[static_cast<size_t>((t.rect.y + r) * 50 + t.rect.x + k)] =
            c[static_cast<size_t>(r * t.rect.w + k)];
  }
  for (uint32_t y = 0; y < 40; y += 7)
    for (uint32_t x = 0; x < 50; x += 3) {
      TileTask one = tile_task(m.geometry, 0);
      const uint16_t want = escape32(fx::narrow<1>(pixel_x(one.geometry, x)),
                                     fx::narrow<1>(pixel_y(one.geometry, y)), 100);
      REQUIRE_MESSAGE(image[y * 50 + x] == want, "pixel " << x << "," << y);
    }
}

TEST_CASE("kernel: choose_precision picks the narrowest width that resolves the pixels") {
  const TileTask t = whole_set_640x480();
  CHECK(choose_precision(t.geometry.region.x0, t.geometry.region.x1, t.geometry.region.y0,
                         t.geometry.region.y1, 640, 480) == Precision::p32);

  const TileTask t64 = square("-0.75", "0.1", "0.00000000005", 640, 100);  // span 1e-10
  CHECK(choose_precision(t64.geometry.region.x0, t64.geometry.region.x1, t64.geometry.region.y0,
                         t64.geometry.region.y1, 640, 640) == Precision::p64);

  const TileTask t128 = square("-0.75", "0.1", "0.5e-25", 640, 100);  // span 1e-25
  CHECK(choose_precision(t128.geometry.region.x0, t128.geometry.region.x1, t128.geometry.region.y0,
                         t128.geometry.region.y1, 640, 640) == Precision::p128);

  // The narrower axis decides: wide in x, 1e-10 tall in y.
  CHECK(choose_precision(t.geometry.region.x0, t.geometry.region.x1, t64.geometry.region.y0,
                         t64.geometry.region.y1, 640, 640) == Precision::p64);

  // Near the 32/64 boundary: a spacing of 2^-16 is p32, 2^-19 is not.
  const Coord zero = fx::zero<4>();
  CHECK(choose_precision(zero, dec("0.015625"), zero, dec("0.015625"), 1024, 1024) ==
        Precision::p32);  // 2^-6 / 2^10 = 2^-16
  CHECK(choose_precision(zero, dec("0.001953125"), zero, dec("0.001953125"), 1024, 1024) ==
        Precision::p64);  // 2^-9 / 2^10 = 2^-19
  // Exactly 2^10 units of the last place per pixel still fits; one unit of 2^-123 less does not.
  Coord ulp = fx::zero<4>();
  ulp.w[0] = 1;
  const Coord s17 = dec("0.0078125");  // 2^-7: spacing 2^-17 at 1024 pixels
  CHECK(choose_precision(zero, s17, zero, s17, 1024, 1024) == Precision::p32);
  const Coord s17m = fx::sub(s17, ulp);
  CHECK(choose_precision(zero, s17m, zero, s17m, 1024, 1024) == Precision::p64);
  const Coord s49 = dec("1.818989403545856475830078125e-12");  // 2^-39: spacing 2^-49
  CHECK(choose_precision(zero, s49, zero, s49, 1024, 1024) == Precision::p64);
  const Coord s49m = fx::sub(s49, ulp);
  CHECK(choose_precision(zero, s49m, zero, s49m, 1024, 1024) == Precision::p128);
}

TEST_CASE("kernel: a 1e-25 view needs 128 bits, and 64 bits shows flat blocks") {
  // c = i is a Misiurewicz point on the boundary, where escape counts grow only with log(depth),
  // so a 1e-25 view at 2000 iterations is full of detail. (The seahorse-valley point
  // -0.743643887037158704752191506114774 + 0.131825904205311970493132056385139i needs more than
  // 2000 iterations at this depth: every pixel is 2000 at either width.)
  TileTask t = square("0", "1", "0.5e-25", 64, 2000);
  REQUIRE(choose_precision(t.geometry.region.x0, t.geometry.region.x1, t.geometry.region.y0,
                           t.geometry.region.y1, 64, 64) == Precision::p128);

  t.geometry.precision = Precision::p128;
  std::vector<uint16_t> deep(64 * 64);
  compute_tile(t, deep.data());
  const Picture p128 = look(deep, 64, 64);

  t.geometry.precision = Precision::p64;
  std::vector<uint16_t> flat(64 * 64);
  compute_tile(t, flat.data());
  const Picture p64 = look(flat, 64, 64);

  MESSAGE("p128: " << p128.distinct << " distinct counts in [" << p128.lo << ", " << p128.hi
                   << "], " << p128.equal_neighbours << "/" << p128.pairs
                   << " equal neighbours; p64: " << p64.distinct << " distinct, "
                   << p64.equal_neighbours << "/" << p64.pairs);
  CHECK_MESSAGE(p128.distinct > 10, "128 bits should resolve a 1e-25 view");
  CHECK(p128.hi < 2000);
  // The whole 64-pixel span is below one 64-bit ulp (2^-59 ~ 1.7e-18): pixels collapse onto the
  // few 64-bit grid points the view straddles.
  CHECK_MESSAGE(p64.distinct <= 4, "64 bits cannot tell these pixels apart");
  CHECK(p64.equal_neighbours * 100 >= 95 * p64.pairs);
  CHECK(p128.equal_neighbours < p64.equal_neighbours);
}
