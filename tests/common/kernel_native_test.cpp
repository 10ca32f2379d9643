// A native fast path must not change a single count: it is held to the portable limb arithmetic.
#include <doctest/doctest.h>

#include <cstdint>

#include "picocray/kernel.h"

using namespace picocray;

TEST_CASE("escape64 equals the portable limb kernel on seeded random points") {
  uint64_t s = 0x1234567887654321ull;
  auto next = [&s]() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  };
  int escaped = 0, inside = 0;
  for (int i = 0; i < 20000; ++i) {
    Fixed64 cx, cy;
    // Uniform in [-2.5, 1.5) x [-1.5, 1.5): random 59-bit fractions around the set.
    int64_t x = static_cast<int64_t>(next() % (uint64_t{4} << 59)) - (int64_t{5} << 58);
    int64_t y = static_cast<int64_t>(next() % (uint64_t{3} << 59)) - (int64_t{3} << 58);
    cx.w[0] = static_cast<uint32_t>(x);
    cx.w[1] = static_cast<uint32_t>(static_cast<uint64_t>(x) >> 32);
    cy.w[0] = static_cast<uint32_t>(y);
    cy.w[1] = static_cast<uint32_t>(static_cast<uint64_t>(y) >> 32);
    uint16_t a = escape64(cx, cy, 500), b = escape64_limbs(cx, cy, 500);
    INFO("point ", i, ": native ", a, ", limbs ", b);
    REQUIRE(a == b);
    (a == 500 ? inside : escaped)++;
  }
  CHECK(inside > 1000);
  CHECK(escaped > 1000);
}
