// Every fast path is held to its portable reference. On the host that is escape64's __int128 path;
// the Cortex-M0+ assembly (common/src/kernel_m0plus.cpp) runs in an emulator, against counts from
// these same references (tools/m0plus-cycles, CTest m0plus/kernel_cycles_and_exactness). Here, on
// the host, the reasoning those kernels rest on is checked on many more points than the emulator
// can run: they escape early only on |x| >= 4 or |y| >= 4 and leave 2 < |x| < 4 to the x^2 + y^2
// test, and they count max_iter 0 as 65536 iterations, like the reference's uint16_t counter.
#include <doctest/doctest.h>

#include <cstdint>

#include "picocray/kernel.h"

using namespace picocray;

namespace {

struct Rng {
  uint64_t s = 0x9e3779b97f4a7c15ull;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

// A value in [-4, 4) at N limbs, every bit random; half the time within +-2^-20 of +-2, where
// the |x| > 2 edge sits.
template <int N>
Fixed<N> random_coord(Rng& rng) {
  Fixed<N> r;
  for (int i = 0; i < N; ++i) r.w[i] = static_cast<uint32_t>(rng.next());
  uint64_t pick = rng.next();
  if (pick & 1) {
    r.w[N - 1] = (r.w[N - 1] & 0x3FFFFFFFu) - 0x20000000u;  // [-4, 4)
  } else {
    // +-2 plus a signed offset below 2^-20 (in units of the top limb's 2^-27).
    uint32_t off = static_cast<uint32_t>(rng.next() % 256) - 128;
    r.w[N - 1] = ((pick & 2) ? 0x10000000u : 0xF0000000u) + off;
  }
  return r;
}

// The M0+ kernels' order of tests, on exact products: the 32-bit one.
uint16_t escape32_m0plus_model(const Fixed32& cx, const Fixed32& cy, uint16_t max_iter) {
  const int32_t cr = static_cast<int32_t>(cx.w[0]), ci = static_cast<int32_t>(cy.w[0]);
  uint32_t left = max_iter ? max_iter : 65536u, total = left;
  int32_t x = cr, y = ci;
  for (;;) {
    uint32_t ax = static_cast<uint32_t>(x < 0 ? -x : x), ay = static_cast<uint32_t>(y < 0 ? -y : y);
    uint32_t k = total - left + 1;
    if ((ax | ay) >> 29) return static_cast<uint16_t>(k);            // |x| >= 4 or |y| >= 4
    uint32_t x2 = static_cast<uint32_t>((uint64_t{ax} * ax) >> 27);  // below 2^31
    uint32_t y2 = static_cast<uint32_t>((uint64_t{ay} * ay) >> 27);
    if (x2 + y2 > (4u << 27)) return static_cast<uint16_t>(k);
    if (--left == 0) return max_iter;
    int32_t xy = static_cast<int32_t>((uint64_t{ax} * ay) >> 27);
    if ((x < 0) != (y < 0)) xy = -xy;
    y = 2 * xy + ci;
    x = static_cast<int32_t>(x2) - static_cast<int32_t>(y2) + cr;
  }
}

#if defined(__SIZEOF_INT128__)
// The same for 64 bits: with |x|, |y| < 4 each square is below 2^63 and their sum below 2^64.
uint16_t escape64_m0plus_model(const Fixed64& cx, const Fixed64& cy, uint16_t max_iter) {
  __extension__ typedef unsigned __int128 u128;
  const int64_t cr = static_cast<int64_t>(uint64_t{cx.w[1]} << 32 | cx.w[0]);
  const int64_t ci = static_cast<int64_t>(uint64_t{cy.w[1]} << 32 | cy.w[0]);
  uint32_t left = max_iter ? max_iter : 65536u, total = left;
  int64_t x = cr, y = ci;
  for (;;) {
    uint64_t ax = static_cast<uint64_t>(x < 0 ? -x : x), ay = static_cast<uint64_t>(y < 0 ? -y : y);
    uint32_t k = total - left + 1;
    if ((ax | ay) >> 61) return static_cast<uint16_t>(k);
    uint64_t x2 = static_cast<uint64_t>((u128{ax} * ax) >> 59);
    uint64_t y2 = static_cast<uint64_t>((u128{ay} * ay) >> 59);
    if (x2 + y2 > (uint64_t{4} << 59)) return static_cast<uint16_t>(k);
    if (--left == 0) return max_iter;
    int64_t xy = static_cast<int64_t>((u128{ax} * ay) >> 59);
    if ((x < 0) != (y < 0)) xy = -xy;
    y = 2 * xy + ci;
    x = static_cast<int64_t>(x2) - static_cast<int64_t>(y2) + cr;
  }
}
#endif

}  // namespace

TEST_CASE("kernel: escape32, escape64 and escape128 equal their portable references") {
  Rng rng;
  for (int i = 0; i < 3000; ++i) {
    const uint16_t max_iter = static_cast<uint16_t>(i % 7 == 0 ? 1 + i % 5 : 200);
    Fixed128 x = random_coord<4>(rng), y = random_coord<4>(rng);
    if (i % 3 == 0) {  // a third inside +-2 in both axes, where the counts get long
      x.w[3] = (x.w[3] & 0x1FFFFFFFu) - 0x10000000u;
      y.w[3] = (y.w[3] & 0x1FFFFFFFu) - 0x10000000u;
    }
    const Fixed32 x1 = fx::narrow<1>(x), y1 = fx::narrow<1>(y);
    const Fixed64 x2 = fx::narrow<2>(x), y2 = fx::narrow<2>(y);
    INFO("point ", i, " max_iter ", max_iter);
    REQUIRE(escape32(x1, y1, max_iter) == escape32_portable(x1, y1, max_iter));
    REQUIRE(escape64(x2, y2, max_iter) == escape64_limbs(x2, y2, max_iter));
    REQUIRE(escape128(x, y, max_iter) == escape128_limbs(x, y, max_iter));
  }
}

TEST_CASE("kernel: escaping early only at |x| >= 4 or |y| >= 4 gives the reference's counts") {
  Rng rng;
  int between = 0;  // points that start with 2 < |c| < 4 in some axis
  for (int i = 0; i < 200000; ++i) {
    const uint16_t max_iter = static_cast<uint16_t>(i % 11 == 0 ? i % 4 : 100);
    const Fixed32 x = random_coord<1>(rng), y = random_coord<1>(rng);
    const uint16_t want = escape32_portable(x, y, max_iter);
    if (max_iter == 0 && want == 0) continue;  // 65536 iterations: one such point is enough below
    INFO("32-bit point ", i, ": cx ", x.w[0], " cy ", y.w[0], " max_iter ", max_iter);
    REQUIRE(escape32_m0plus_model(x, y, max_iter) == want);
    int32_t cx = static_cast<int32_t>(x.w[0]);
    between += (cx > (2 << 27) && cx < (4 << 27)) || (cx < -(2 << 27) && cx > -(4 << 27));
  }
  CHECK(between > 10000);
#if defined(__SIZEOF_INT128__)
  for (int i = 0; i < 100000; ++i) {
    const uint16_t max_iter = static_cast<uint16_t>(i % 11 == 0 ? i % 4 : 100);
    const Fixed64 x = random_coord<2>(rng), y = random_coord<2>(rng);
    const uint16_t want = escape64_limbs(x, y, max_iter);
    if (max_iter == 0 && want == 0) continue;
    INFO("64-bit point ", i, " max_iter ", max_iter);
    REQUIRE(escape64_m0plus_model(x, y, max_iter) == want);
  }
#endif
}

TEST_CASE("kernel: max_iter 0 runs the uint16_t counter round, 65536 iterations, and answers 0") {
  const Fixed32 zero32 = fx::zero<1>();
  const Fixed128 zero128 = fx::zero<4>();
  CHECK(escape32_portable(zero32, zero32, 0) == 0);
  CHECK(escape32_m0plus_model(zero32, zero32, 0) == 0);
  CHECK(escape128_limbs(zero128, zero128, 0) == 0);
  // An escaping point answers its count whatever max_iter is.
  const Fixed32 two = fx::from_int<1>(2);
  CHECK(escape32_portable(two, zero32, 0) == 2);
  CHECK(escape32_m0plus_model(two, zero32, 0) == 2);
}
