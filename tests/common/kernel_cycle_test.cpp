// Exact cycle detection (Brent's, kernel.h): it may only shorten the work, never change a count.
#include <doctest/doctest.h>

#include <cstdint>

#include "picocray/kernel.h"
#include "test_util.h"

using namespace picocray;
using picocray_test::dec;

namespace {

struct Rng {
  uint64_t s = 0x51ed2701c0ffee11ull;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

// A point in [-2.5, 1.5) x [-1.5, 1.5) at N limbs, every bit random: inside and outside the set.
template <int N>
void random_point(Rng& rng, Fixed<N>& x, Fixed<N>& y) {
  for (int i = 0; i < N; ++i) {
    x.w[i] = static_cast<uint32_t>(rng.next());
    y.w[i] = static_cast<uint32_t>(rng.next());
  }
  x.w[N - 1] = static_cast<uint32_t>(rng.next() % (4u << 27)) - (5u << 26);
  y.w[N - 1] = static_cast<uint32_t>(rng.next() % (3u << 27)) - (3u << 26);
}

}  // namespace

TEST_CASE("cycles: checking from any iteration gives the plain loop's counts, at every width") {
  Rng rng;
  const uint32_t afters[] = {0, 1, 2, 7, 64, 255, kNoCycleCheck};
  int shortened = 0;
  for (int i = 0; i < 4000; ++i) {
    const uint16_t max_iter = static_cast<uint16_t>(i % 13 == 0 ? 1 + i % 4 : 400);
    Fixed32 x1, y1;
    random_point<1>(rng, x1, y1);
    Fixed64 x2, y2;
    random_point<2>(rng, x2, y2);
    Fixed128 x4, y4;
    random_point<4>(rng, x4, y4);
    const uint16_t want1 = escape32_portable(x1, y1, max_iter);
    const uint16_t want2 = escape64_limbs(x2, y2, max_iter);
    const uint16_t want4 = i % 4 == 0 ? escape128_limbs(x4, y4, max_iter) : 0;
    for (uint32_t a : afters) {
      INFO("point ", i, " max_iter ", max_iter, " check_after ", a);
      uint32_t w = 0;
      REQUIRE(escape32_portable(x1, y1, max_iter, a, &w) == want1);
      // Work is the count when the point escapes; never more than max_iter when inside.
      if (want1 != max_iter) REQUIRE(w == want1);
      REQUIRE(w <= max_iter);
      if (w < max_iter && want1 == max_iter) ++shortened;
      REQUIRE(escape64_limbs(x2, y2, max_iter, a, &w) == want2);
      REQUIRE(w <= max_iter);
      if (i % 4 == 0) REQUIRE(escape128_limbs(x4, y4, max_iter, a, &w) == want4);
    }
  }
  CHECK(shortened > 1000);  // the check does find cycles
}

TEST_CASE("cycles: the fast kernels report the portable reference's work with the schedule") {
  Rng rng;
  for (int i = 0; i < 20000; ++i) {
    const uint16_t max_iter = static_cast<uint16_t>(i % 3 == 0 ? 2048 : 256);
    Fixed128 x, y;
    random_point<4>(rng, x, y);
    const Fixed32 x1 = fx::narrow<1>(x), y1 = fx::narrow<1>(y);
    const Fixed64 x2 = fx::narrow<2>(x), y2 = fx::narrow<2>(y);
    uint32_t w = 0, want = 0;
    INFO("point ", i, " max_iter ", max_iter);
    REQUIRE(
        escape32(x1, y1, max_iter, &w) ==
        escape32_portable(x1, y1, max_iter, cycle_check_after(Precision::p32, max_iter), &want));
    REQUIRE(w == want);
    REQUIRE(escape64(x2, y2, max_iter, &w) ==
            escape64_limbs(x2, y2, max_iter, cycle_check_after(Precision::p64, max_iter), &want));
    REQUIRE(w == want);
  }
}

TEST_CASE("cycles: a point near the cardioid's cusp that escapes late is not taken for inside") {
  // Inside the real cardioid's edge in exact arithmetic, it escapes in the 32-bit kernel at 5275
  // iterations: a tolerance or a geometric test would call it inside; the exact check cannot.
  const Fixed32 cx = fx::narrow<1>(dec("0.2500056773")), cy = fx::narrow<1>(dec("0.0000000298"));
  const uint16_t plain = escape32_portable(cx, cy, 20000);
  CHECK(plain < 20000);
  uint32_t w = 0;
  CHECK(escape32_portable(cx, cy, 20000, 0, &w) == plain);
  CHECK(w == plain);
  CHECK(escape32(cx, cy, 20000, &w) == plain);
}

TEST_CASE(
    "cycles: the origin's orbit is a fixed point, found at once when checking from the start") {
  const Fixed32 zero = fx::zero<1>();
  uint32_t w = 0;
  CHECK(escape32_portable(zero, zero, 1000, 0, &w) == 1000);
  CHECK(w == 1);                                        // z2 = 0 = z1
  CHECK(escape32_portable(zero, zero, 0, 0, &w) == 0);  // max_iter 0: 65536, answers 0
  CHECK(w == 1);
  CHECK(escape32_portable(zero, zero, 1000, kNoCycleCheck, &w) == 1000);
  CHECK(w == 1000);
  // A tile's work splits into plain and checked iterations at the schedule's point.
  TileTask t;
  t.geometry.max_iter = 256;
  t.geometry.width = t.geometry.height = 8;
  t.rect.w = t.rect.h = 8;
  t.geometry.region = {dec("-0.3"), dec("0.1"), dec("-0.2"), dec("0.2")};
  uint16_t counts[64];
  TileWork work;
  const uint32_t sum = compute_tile_rows(t, counts, 0, 1, &work);
  CHECK(sum == 64u * 256u);  // all inside the main cardioid
  CHECK(work.plain == 64u * cycle_check_after(Precision::p32, 256));
  CHECK(work.checked > 0);
  CHECK(work.plain + work.checked < sum);
}
