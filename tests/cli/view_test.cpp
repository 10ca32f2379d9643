// The fixed-point view arithmetic behind --center/--span and --frames/--zoom-to.
#include "view.h"

#include <doctest/doctest.h>

#include "format.h"
#include "picocray/decimal.h"

using namespace picocray;
using namespace picocray::cli;

namespace {

Coord dec(const char* s) {
  Coord c;
  REQUIRE(parse_decimal(s, std::char_traits<char>::length(s), &c));
  return c;
}

std::string str(const Coord& c) {
  return short_coord(c);
}

}  // namespace

TEST_CASE("region_of: centre and span give exact corners, height from the aspect ratio") {
  View v{dec("-0.5"), dec("0"), dec("3")};
  Region r = region_of(v, 640, 480, "test");
  CHECK(str(r.x0) == "-2");
  CHECK(str(r.x1) == "1");
  CHECK(str(r.y0) == "-1.125");
  CHECK(str(r.y1) == "1.125");
  // The width is exactly the span, whatever the rounding of the half.
  View odd{dec("0.1"), dec("0.2"), dec("0.3")};
  Region o = region_of(odd, 3, 7, "test");
  CHECK(fx::cmp(fx::sub(o.x1, o.x0), odd.span) == 0);
  CHECK_THROWS_AS(region_of(View{dec("3.9"), dec("0"), dec("1")}, 10, 10, "test"), CliError);
}

TEST_CASE("view_of inverts region_of on a matching aspect ratio") {
  Region r = parse_region("-2.5,1,-1.25,1.25");
  View v = view_of(r);
  CHECK(str(v.cx) == "-0.75");
  CHECK(str(v.cy) == "0");
  CHECK(str(v.span) == "3.5");
  Region back = region_of(v, 700, 500, "test");
  CHECK(fx::cmp(back.x0, r.x0) == 0);
  CHECK(fx::cmp(back.y1, r.y1) == 0);
}

TEST_CASE("div_frac and pow in fixed point") {
  CHECK(str(fxu::div_frac(dec("1"), dec("4"))) == "0.25");
  CHECK(str(fxu::div_frac(dec("3"), dec("3"))) == "1");
  CHECK(str(fxu::pow(dec("0.5"), 10)) == "0.0009765625");
  bool overflow = false;
  CHECK(str(fx::mul_div(dec("3"), 480, 640, &overflow)) == "2.25");
  CHECK_FALSE(overflow);
  CHECK(str(fxu::half(dec("-3"))) == "-1.5");
}

TEST_CASE("zoom_path: exact ends, a constant ratio, the centre arriving with the span") {
  View from{dec("-0.5"), dec("0"), dec("4")};
  View to{dec("-1.75"), dec("0.25"), dec("0.0000000001")};
  auto path = zoom_path(from, to, 11);
  REQUIRE(path.size() == 11);
  CHECK(fx::cmp(path[0].span, from.span) == 0);
  CHECK(fx::cmp(path[0].cx, from.cx) == 0);
  CHECK(fx::cmp(path[10].span, to.span) == 0);
  CHECK(fx::cmp(path[10].cx, to.cx) == 0);
  CHECK(fx::cmp(path[10].cy, to.cy) == 0);
  // (1e-10 / 4)^(1/10) = 0.08707...: every step shrinks the span by that factor.
  for (size_t k = 1; k < path.size(); ++k) {
    CAPTURE(k);
    Coord ratio = fxu::div_frac(path[k].span, path[k - 1].span);
    CHECK(str(ratio).substr(0, 6) == "0.0870");
    CHECK(fx::cmp(path[k].span, path[k - 1].span) < 0);
  }
  // Zooming out is the same path backwards.
  auto out = zoom_path(to, from, 11);
  CHECK(fx::cmp(out[0].span, to.span) == 0);
  CHECK(fx::cmp(out[10].span, from.span) == 0);
  CHECK(fx::cmp(out[5].span, path[5].span) == 0);
}
