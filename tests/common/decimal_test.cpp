#include "picocray/decimal.h"

#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "picocray/fixed.h"
#include "test_util.h"

using namespace picocray;
using picocray_test::dec;
using picocray_test::limbs;
using picocray_test::same;

namespace {

bool parses(const std::string& s, Coord* out = nullptr) {
  Coord c = fx::zero<4>();
  bool ok = parse_decimal(s.data(), s.size(), &c);
  if (out) *out = c;
  return ok;
}

std::string fmt(const Coord& v, int digits) {
  char buf[128];
  size_t n = format_decimal(v, digits, buf, sizeof buf);
  REQUIRE_MESSAGE(n > 0, "format_decimal failed");
  CHECK(std::strlen(buf) == n);
  return std::string(buf, n);
}

Coord limbs4(uint32_t w3, uint32_t w2, uint32_t w1, uint32_t w0) {
  Coord c;
  c.w[0] = w0;
  c.w[1] = w1;
  c.w[2] = w2;
  c.w[3] = w3;
  return c;
}

// 2^-124 (half a unit of 2^-123) and three times it, written out exactly.
const char* const kHalfUlp =
    "4.70197740328915003187494614888898271127466222708835008603500682511366903781890869140625e-38";
const char* const kThreeHalfUlp =
    "1.410593220986745009562483844666694813382398668126505025810502047534100711345672607421875e-37";

}  // namespace

TEST_CASE("decimal: simple values parse to their exact bits") {
  CHECK(same(dec("1"), fx::from_int<4>(1)));
  CHECK(same(dec("-2.5"), limbs4(0xEC000000u, 0, 0, 0)));
  CHECK(same(dec("0.5"), limbs4(0x04000000u, 0, 0, 0)));
  CHECK(same(dec("+0.25"), limbs4(0x02000000u, 0, 0, 0)));
  CHECK(same(dec("-0.25"), fx::neg(limbs4(0x02000000u, 0, 0, 0))));
  CHECK(same(dec("1.5E+1"), fx::from_int<4>(15)));
  CHECK(same(dec("15"), fx::from_int<4>(15)));
  CHECK(same(dec("-15"), fx::from_int<4>(-15)));
  CHECK(same(dec("0"), fx::zero<4>()));
  CHECK(same(dec("-0"), fx::zero<4>()));
  CHECK(same(dec("000.5000"), dec("0.5")));
  CHECK(same(dec(".5"), dec("0.5")));
  CHECK(same(dec("5."), dec("5")));
  CHECK(same(dec("25e-2"), dec("0.25")));
  CHECK(same(dec("0.0125e2"), dec("1.25")));
  CHECK(same(dec("1e0"), dec("1")));
}

TEST_CASE("decimal: non-dyadic values round to the nearest unit of 2^-123") {
  // 0.1 = 0x0CCC...C|CCCC... in binary; the 124th fraction bit is 1, so the last limb rounds up.
  CHECK(same(dec("0.1"), limbs4(0x00CCCCCCu, 0xCCCCCCCCu, 0xCCCCCCCCu, 0xCCCCCCCDu)));
  CHECK(same(dec("-0.1"), fx::neg(limbs4(0x00CCCCCCu, 0xCCCCCCCCu, 0xCCCCCCCCu, 0xCCCCCCCDu))));
  // 1e-25 * 2^123 = 1063382396628.33...: rounds to 0xF7_9687AED4.
  const Coord tiny = dec("1e-25");
  INFO(limbs(tiny));
  CHECK(same(tiny, limbs4(0, 0, 0xF7u, 0x9687AED4u)));
}

TEST_CASE("decimal: ties round away from zero") {
  Coord one = fx::zero<4>();
  one.w[0] = 1;
  Coord two = one;
  two.w[0] = 2;
  CHECK(same(dec(kHalfUlp), one));
  CHECK(same(dec((std::string("-") + kHalfUlp).c_str()), fx::neg(one)));
  CHECK_MESSAGE(same(dec(kThreeHalfUlp), two), "1.5 ulp rounds to 2 ulp, not to even");
  // A hair below half an ulp rounds down to zero.
  CHECK(fx::is_zero(dec("4.7e-38")));
}

TEST_CASE("decimal: malformed or out-of-range strings are refused") {
  const char* bad[] = {"16",     "-16",   "16.0",  "15.99999999999999999999999999999999999999999",
                       "",       "-",     "+",     ".",
                       "1.2.3",  "abc",   "1e",    "1e+",
                       "1e999",  "1e201", "e5",    "1 ",
                       " 1",     "1x",    "--1",   "0x10",
                       "1e-201", "2e1",   "0.16e2"};
  for (const char* s : bad) {
    INFO("\"" << s << "\"");
    CHECK_FALSE(parses(s));
  }
  // Exponents of exactly +-200 are allowed.
  CHECK(parses("0e200"));
  CHECK(parses("1e-200"));
}

TEST_CASE("decimal: at most 200 digits") {
  std::string d200 = "0." + std::string(200, '3');
  std::string d201 = "0." + std::string(201, '3');
  std::string d250 = "0." + std::string(250, '7');
  CHECK(parses(d200));
  CHECK_FALSE(parses(d201));
  CHECK_FALSE(parses(d250));
  Coord a;
  REQUIRE(parses(d200, &a));
  CHECK(same(a, dec("0.33333333333333333333333333333333333333333333")));
}

TEST_CASE("decimal: format_decimal truncates toward zero, digit for digit") {
  // parse rounds to nearest; the stored values of these sit at or just above the decimal, so
  // truncating to the written number of digits gives them back unchanged.
  const char* exact_back[] = {"-0.743643887037158704752191506114774",
                              "0.131825904205311970493132056385139", "-2.500", "15.000000"};
  for (const char* s : exact_back) {
    INFO("value " << s);
    const std::string str(s);
    const int digits = static_cast<int>(str.size() - str.find('.') - 1);
    CHECK(fmt(dec(s), digits) == str);
  }
  // 0.3 is stored just below 0.3, so truncation shows 0.2999...
  CHECK(fmt(dec("0.3"), 33) == "0." + std::string(32, '9').insert(0, "2"));
  CHECK(fmt(dec("15.9999"), 6) == "15.999899");
  // Every bit of 1e-25 shows in 40 digits: the stored value is 1e-25 + 6.3e-38.
  CHECK(fmt(dec("1e-25"), 40) == "0.0000000000000000000000001000000000000063");
  CHECK(fmt(dec("0.1"), 40) == "0.1000000000000000000000000000000000000188");
  CHECK(fmt(dec("-0.1"), 40) == "-0.1000000000000000000000000000000000000188");
  CHECK(fmt(dec("-15.5"), 0) == "-15");
  CHECK(fmt(fx::zero<4>(), 3) == "0.000");
}

TEST_CASE("decimal: 40 digits round-trip every coordinate bit") {
  const char* values[] = {"1e-25", "-0.743643887037158704752191506114774", "0.1", "-3.999", "15.9",
                          kHalfUlp};
  for (const char* s : values) {
    INFO("value " << s);
    const Coord v = dec(s);
    const std::string shown = fmt(v, 40);
    CHECK(same(dec(shown.c_str()), v));
  }
}

TEST_CASE("decimal: format_decimal refuses a buffer that is too small") {
  char buf[8];
  CHECK(format_decimal(dec("-1.5"), 10, buf, sizeof buf) == 0);
  CHECK(format_decimal(dec("1.5"), 3, buf, sizeof buf) == 5);
  CHECK(std::string(buf) == "1.500");
}
