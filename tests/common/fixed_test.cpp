#include "picocray/fixed.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "picocray/kernel.h"
#include "test_util.h"

using namespace picocray;
using picocray_test::dec;
using picocray_test::limbs;
using picocray_test::same;

namespace {

__extension__ typedef __int128 i128;

template <int N>
Fixed<N> num(const char* s) {
  return fx::narrow<N>(dec(s));
}

// One unit of the last place at width N.
template <int N>
Fixed<N> ulp() {
  Fixed<N> r = fx::zero<N>();
  r.w[0] = 1;
  return r;
}

template <int N>
Fixed<N> ulps(int k) {
  Fixed<N> r = ulp<N>();
  r.w[0] = static_cast<uint32_t>(k < 0 ? -k : k);
  return k < 0 ? fx::neg(r) : r;
}

Fixed64 from_i64(int64_t v) {
  Fixed64 r;
  r.w[0] = static_cast<uint32_t>(static_cast<uint64_t>(v));
  r.w[1] = static_cast<uint32_t>(static_cast<uint64_t>(v) >> 32);
  return r;
}

int64_t to_i64(const Fixed64& a) {
  return static_cast<int64_t>(static_cast<uint64_t>(a.w[1]) << 32 | a.w[0]);
}

// The kernel's limb-by-limb escape loop (kernel.cpp's escape_generic), written again here from
// the definition so escape32's int32 shortcut can be checked against the limb arithmetic.
template <int N>
uint16_t escape_limbs(const Fixed<N>& cx, const Fixed<N>& cy, uint16_t max_iter) {
  const Fixed<N> two = fx::from_int<N>(2), four = fx::from_int<N>(4);
  Fixed<N> x = cx, y = cy;
  for (uint16_t k = 1;; ++k) {
    if (fx::cmp(fx::abs(x), two) > 0 || fx::cmp(fx::abs(y), two) > 0) return k;
    Fixed<N> x2 = fx::mul(x, x), y2 = fx::mul(y, y);
    if (fx::cmp(fx::add(x2, y2), four) > 0) return k;
    if (k == max_iter) return max_iter;
    Fixed<N> xy = fx::mul(x, y);
    y = fx::add(fx::add(xy, xy), cy);
    x = fx::add(fx::sub(x2, y2), cx);
  }
}

struct Point {
  const char* x;
  const char* y;
};

uint16_t esc32(const Point& p, uint16_t it) {
  return escape32(num<1>(p.x), num<1>(p.y), it);
}
uint16_t esc64(const Point& p, uint16_t it) {
  return escape64(num<2>(p.x), num<2>(p.y), it);
}
uint16_t esc128(const Point& p, uint16_t it) {
  return escape128(dec(p.x), dec(p.y), it);
}

}  // namespace

TEST_CASE("fixed: from_int lays out the integer above 32N-5 fraction bits") {
  CHECK(fx::from_int<1>(1).w[0] == 0x08000000u);
  CHECK(fx::from_int<1>(2).w[0] == 0x10000000u);
  CHECK(fx::from_int<1>(-1).w[0] == 0xF8000000u);
  CHECK(fx::from_int<1>(15).w[0] == 0x78000000u);
  CHECK(fx::from_int<1>(-16).w[0] == 0x80000000u);
  const Fixed128 m3 = fx::from_int<4>(-3);
  CHECK(m3.w[3] == 0xE8000000u);
  CHECK(m3.w[2] == 0);
  CHECK(m3.w[1] == 0);
  CHECK(m3.w[0] == 0);
  CHECK(same(fx::neg(fx::from_int<4>(3)), m3));
  CHECK(same(fx::from_int<2>(0), fx::zero<2>()));
  CHECK(fx::is_zero(fx::from_int<4>(0)));
  CHECK(fx::is_neg(fx::from_int<2>(-1)));
  CHECK_FALSE(fx::is_neg(fx::from_int<2>(1)));
}

TEST_CASE("fixed: add, sub, neg and cmp on known values") {
  SUBCASE("32-bit") {
    const Fixed32 a = num<1>("1.5"), b = num<1>("-2.25");
    CHECK(a.w[0] == 0x0C000000u);
    CHECK(same(fx::add(a, b), num<1>("-0.75")));
    CHECK(same(fx::sub(a, b), num<1>("3.75")));
    CHECK(same(fx::neg(b), num<1>("2.25")));
    CHECK(same(fx::abs(b), num<1>("2.25")));
    CHECK(fx::cmp(a, b) == 1);
    CHECK(fx::cmp(b, a) == -1);
    CHECK(fx::cmp(a, a) == 0);
    CHECK(fx::cmp(num<1>("-0.5"), num<1>("-0.25")) == -1);
    CHECK(fx::is_zero(fx::add(a, fx::neg(a))));
  }
  SUBCASE("64-bit, with a borrow across the limb boundary") {
    const Fixed64 one = fx::from_int<2>(1);
    const Fixed64 d = fx::sub(one, ulp<2>());
    CHECK(d.w[1] == 0x07FFFFFFu);
    CHECK(d.w[0] == 0xFFFFFFFFu);
    CHECK(same(fx::add(d, ulp<2>()), one));
    CHECK(fx::cmp(d, one) == -1);
    CHECK(fx::cmp(fx::neg(d), fx::neg(one)) == 1);
    CHECK(fx::cmp(ulps<2>(-1), fx::zero<2>()) == -1);
  }
  SUBCASE("128-bit, with a carry through every limb") {
    Fixed128 a = fx::zero<4>();
    a.w[0] = a.w[1] = a.w[2] = 0xFFFFFFFFu;
    a.w[3] = 0x07FFFFFFu;  // one ulp below 1
    const Fixed128 s = fx::add(a, ulp<4>());
    INFO(limbs(s));
    CHECK(same(s, fx::from_int<4>(1)));
    CHECK(same(fx::neg(fx::from_int<4>(1)), fx::from_int<4>(-1)));
    CHECK(same(fx::sub(dec("0.75"), dec("1.25")), dec("-0.5")));
    CHECK(fx::cmp(dec("-0.3"), dec("-0.2")) == -1);
    CHECK(fx::cmp(dec("0.3"), dec("-0.2")) == 1);
  }
}

TEST_CASE("fixed: mul of known values at 32, 64 and 128 bits") {
  SUBCASE("32") {
    CHECK(same(fx::mul(num<1>("1.5"), num<1>("1.5")), num<1>("2.25")));
    CHECK(same(fx::mul(num<1>("-1.5"), num<1>("1.5")), num<1>("-2.25")));
    CHECK(same(fx::mul(num<1>("-1.5"), num<1>("-1.5")), num<1>("2.25")));
    CHECK(same(fx::mul(num<1>("-3"), num<1>("0.125")), num<1>("-0.375")));
    CHECK(same(fx::mul(num<1>("2"), num<1>("-2")), num<1>("-4")));
    CHECK(fx::is_zero(fx::mul(num<1>("0"), num<1>("-3.75"))));
  }
  SUBCASE("64") {
    CHECK(same(fx::mul(num<2>("1.5"), num<2>("1.5")), num<2>("2.25")));
    CHECK(same(fx::mul(num<2>("-1.5"), num<2>("1.5")), num<2>("-2.25")));
    CHECK(same(fx::mul(num<2>("-0.75"), num<2>("-0.75")), num<2>("0.5625")));
  }
  SUBCASE("128") {
    CHECK(same(fx::mul(dec("1.5"), dec("1.5")), dec("2.25")));
    CHECK(same(fx::mul(dec("-1.5"), dec("1.5")), dec("-2.25")));
    CHECK(same(fx::mul(dec("3.5"), dec("-3.5")), dec("-12.25")));
  }
}

TEST_CASE("fixed: mul rounds toward zero") {
  // 3 ulp * 0.5 = 1.5 ulp exactly: toward zero gives 1 ulp, and -1 ulp for the negative product
  // (a floor would give -2).
  CHECK(same(fx::mul(ulps<1>(3), num<1>("0.5")), ulps<1>(1)));
  CHECK(same(fx::mul(ulps<1>(-3), num<1>("0.5")), ulps<1>(-1)));
  CHECK(same(fx::mul(ulps<1>(3), num<1>("-0.5")), ulps<1>(-1)));
  CHECK(fx::is_zero(fx::mul(ulps<1>(-1), num<1>("0.5"))));
  CHECK(same(fx::mul(ulps<2>(-3), num<2>("0.5")), ulps<2>(-1)));
  CHECK(same(fx::mul(ulps<4>(-3), dec("0.5")), ulps<4>(-1)));
  CHECK(same(fx::mul(ulps<4>(7), dec("0.25")), ulps<4>(1)));

  // By hand at 128 bits: (1 + 2^-100)^2 = 1 + 2^-99 + 2^-200; the 2^-200 falls off.
  // 2^-100 is bit 23 of limb 0 (weights 2^-123 .. 2^-92 in limb 0); 2^-99 is bit 24.
  Fixed128 a = fx::from_int<4>(1);
  a.w[0] = 1u << 23;
  Fixed128 want = fx::from_int<4>(1);
  want.w[0] = 1u << 24;
  CHECK(same(fx::mul(a, a), want));
  // (1 - 2^-123)^2 = 1 - 2^-122 + 2^-246: rounds toward zero to 1 - 2^-122.
  const Fixed128 b = fx::sub(fx::from_int<4>(1), ulp<4>());
  const Fixed128 b2 = fx::mul(b, b);
  INFO(limbs(b2));
  CHECK(same(b2, fx::sub(fx::from_int<4>(1), ulps<4>(2))));
}

TEST_CASE("fixed: 64-bit mul matches exact 128-bit integer arithmetic on random values") {
  std::mt19937_64 rng(64);
  for (int i = 0; i < 20000; ++i) {
    // Magnitudes below 4 so the product stays below 16.
    const int64_t a = static_cast<int64_t>(rng() >> 2) >> 2;
    const int64_t b = static_cast<int64_t>(rng() >> 2) >> 2;
    const int64_t sa = (rng() & 1) ? -a : a, sb = (rng() & 1) ? -b : b;
    const i128 p = static_cast<i128>(sa) * sb;
    const i128 mag = (p < 0 ? -p : p) >> 59;
    const int64_t want = static_cast<int64_t>(p < 0 ? -mag : mag);
    const int64_t got = to_i64(fx::mul(from_i64(sa), from_i64(sb)));
    REQUIRE_MESSAGE(got == want, "a=" << sa << " b=" << sb);
  }
}

TEST_CASE("fixed: 128-bit mul narrowed agrees with 64-bit mul for non-negative values") {
  // Toward zero then floor on a non-negative value is one truncation either way.
  std::mt19937_64 rng(128);
  for (int i = 0; i < 5000; ++i) {
    const Fixed64 a = from_i64(static_cast<int64_t>(rng() >> 4));
    const Fixed64 b = from_i64(static_cast<int64_t>(rng() >> 5));
    const Fixed64 direct = fx::mul(a, b);
    const Fixed64 via = fx::narrow<2>(fx::mul(fx::widen<4>(a), fx::widen<4>(b)));
    REQUIRE_MESSAGE(same(direct, via), limbs(a) << " * " << limbs(b));
  }
}

TEST_CASE("fixed: narrow floors and widen is exact") {
  const Fixed128 v = dec("-0.743643887037158704752191506114774");
  const Fixed64 n64 = fx::narrow<2>(v);
  const Fixed32 n32 = fx::narrow<1>(v);
  CHECK(n64.w[0] == v.w[2]);
  CHECK(n64.w[1] == v.w[3]);
  CHECK(n32.w[0] == v.w[3]);
  // Narrowing a negative value rounds toward minus infinity: the result is at or below v.
  CHECK(fx::cmp(fx::widen<4>(n64), v) <= 0);
  CHECK(fx::cmp(fx::widen<4>(n32), v) <= 0);
  CHECK(fx::cmp(fx::sub(v, fx::widen<4>(n64)), fx::widen<4>(ulp<2>())) < 0);
  // -1 ulp at 128 bits narrows to -1 ulp at 64 bits (floor), not to 0.
  CHECK(same(fx::narrow<2>(ulps<4>(-1)), ulps<2>(-1)));
  CHECK(fx::is_zero(fx::narrow<2>(ulps<4>(1))));

  const Fixed32 x = num<1>("-1.25");
  const Fixed128 w = fx::widen<4>(x);
  CHECK(same(w, dec("-1.25")));
  CHECK(same(fx::narrow<1>(w), x));
  CHECK(same(fx::widen<2>(num<1>("3.5")), num<2>("3.5")));
  CHECK(same(fx::widen<4>(num<2>("0.5")), dec("0.5")));
  CHECK(same(fx::widen<1>(x), x));
}

TEST_CASE("fixed: known escape counts at every width") {
  struct Case {
    Point c;
    uint16_t want;
    const char* why;
  };
  const uint16_t it = 500;
  const Case cases[] = {
      {{"0", "0"}, it, "the origin never escapes"},
      {{"-1", "0"}, it, "period 2: 0, -1, 0, -1"},
      {{"-2", "0"}, it, "-2, 2, 2, 2, ... stays at |z|^2 = 4"},
      {{"0.25", "0"}, it, "the cusp: z rises to 1/2 and never past"},
      {{"1", "0"}, 3, "z1=1, z2=2 (|z|^2=4, not > 4), z3=5"},
      {{"2", "0"}, 2, "z1=2 (|z|^2=4, not > 4), z2=6"},
      {{"3", "0"}, 1, "z1=3"},
      {{"0", "2"}, 2, "z1=2i (|z|^2=4), z2=-4+2i"},
      {{"0", "1"}, it, "i, -1+i, -i, -1+i, ...: period 2"},
      {{"-2.5", "0"}, 1, "|z1|^2 = 6.25"},
      {{"0.5", "0.5"}, 5, "0.5+0.5i, 0.5+i, -0.25+1.5i, -1.6875-0.25i, 3.28+1.34i"},
      {{"1.5", "1.5"}, 1, "|z1|^2 = 4.5"},
  };
  for (const Case& c : cases) {
    INFO("cx " << c.c.x);
    INFO("cy " << c.c.y);
    INFO("why: " << c.why);
    CHECK(esc32(c.c, it) == c.want);
    CHECK(esc64(c.c, it) == c.want);
    CHECK(esc128(c.c, it) == c.want);
  }
  // The cap: a point that never escapes stops at max_iter, whatever it is.
  CHECK(esc64({"0", "0"}, 1) == 1);
  CHECK(esc64({"-1", "0"}, 65535) == 65535);
}

TEST_CASE("fixed: escape32 agrees with the limb kernel at one limb, and dyadic points agree") {
  const Point dyadic[] = {{"-1", "0"},        {"0.25", "0"},      {"-2", "0"},       {"0.5", "0.5"},
                          {"-0.75", "0.125"}, {"-0.5", "0.5625"}, {"0.375", "-0.25"}};
  for (const Point& p : dyadic) {
    INFO("cx " << p.x);
    INFO("cy " << p.y);
    const uint16_t n32 = esc32(p, 1000);
    CHECK(n32 == escape_limbs<1>(num<1>(p.x), num<1>(p.y), 1000));
    CHECK(esc64(p, 1000) == escape_limbs<2>(num<2>(p.x), num<2>(p.y), 1000));
    CHECK(esc128(p, 1000) == escape_limbs<4>(dec(p.x), dec(p.y), 1000));
  }
  // Few iterations keep every z exact in 27 fraction bits, so all widths must agree.
  for (const Point& p : dyadic) {
    INFO("cx " << p.x);
    INFO("cy " << p.y);
    CHECK(esc32(p, 3) == esc64(p, 3));
    CHECK(esc64(p, 3) == esc128(p, 3));
  }
  std::mt19937 rng(32);
  for (int i = 0; i < 20000; ++i) {
    Fixed32 cx, cy;
    cx.w[0] = static_cast<uint32_t>(static_cast<int32_t>(rng() % (3u << 27)) - (2 << 27));
    cy.w[0] = static_cast<uint32_t>(static_cast<int32_t>(rng() % (3u << 27)) - (3 << 26));
    REQUIRE_MESSAGE(escape32(cx, cy, 300) == escape_limbs<1>(cx, cy, 300),
                    "c = " << limbs(cx) << ", " << limbs(cy));
  }
}

TEST_CASE("fixed: escape64 and escape128 are the limb kernel at 2 and 4 limbs") {
  std::mt19937 rng(6464);
  for (int i = 0; i < 2000; ++i) {
    Fixed128 cx = dec("-2"), cy = dec("-1.5");
    Fixed128 dx = fx::zero<4>(), dy = fx::zero<4>();
    for (int k = 0; k < 4; ++k) {
      dx.w[k] = rng();
      dy.w[k] = rng();
    }
    dx.w[3] %= 3u << 27;
    dy.w[3] %= 3u << 27;
    cx = fx::add(cx, dx);
    cy = fx::add(cy, dy);
    REQUIRE(escape128(cx, cy, 200) == escape_limbs<4>(cx, cy, 200));
    const Fixed64 nx = fx::narrow<2>(cx), ny = fx::narrow<2>(cy);
    REQUIRE(escape64(nx, ny, 200) == escape_limbs<2>(nx, ny, 200));
  }
}

TEST_CASE("fixed: widths agree on random points with 8 decimal digits") {
  // Points in [-2, 1] x [-1.5, 1.5] written with 8 fraction digits, as a user would type them.
  std::mt19937 rng(20240601);
  const int kPoints = 4000;
  const uint16_t it = 256;
  int agree_64_128 = 0, agree_32_64 = 0;
  for (int i = 0; i < kPoints; ++i) {
    const long long ix = static_cast<long long>(rng() % 300000001u) - 200000000;
    const long long iy = static_cast<long long>(rng() % 300000001u) - 150000000;
    char sx[32], sy[32];
    std::snprintf(sx, sizeof sx, "%s%lld.%08lld", ix < 0 ? "-" : "", std::llabs(ix) / 100000000,
                  std::llabs(ix) % 100000000);
    std::snprintf(sy, sizeof sy, "%s%lld.%08lld", iy < 0 ? "-" : "", std::llabs(iy) / 100000000,
                  std::llabs(iy) % 100000000);
    const Point p{sx, sy};
    const uint16_t a = esc32(p, it), b = esc64(p, it), c = esc128(p, it);
    agree_32_64 += a == b;
    agree_64_128 += b == c;
  }
  const double r64 = 100.0 * agree_64_128 / kPoints, r32 = 100.0 * agree_32_64 / kPoints;
  MESSAGE("agreement over " << kPoints << " points at max_iter " << it << ": 64 vs 128 " << r64
                            << "%, 32 vs 64 " << r32 << "%");
  CHECK(r64 >= 99.0);
  CHECK(r32 >= 90.0);
}
