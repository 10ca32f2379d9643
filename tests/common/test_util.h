// Helpers shared by the common/ tests.
#pragma once
#include <doctest/doctest.h>

#include <cstring>
#include <ostream>
#include <string>

#include "picocray/decimal.h"
#include "picocray/fixed.h"

namespace picocray_test {

// A coordinate from a decimal literal; fails the test when it does not parse.
inline picocray::Coord dec(const char* s) {
  picocray::Coord c = picocray::fx::zero<4>();
  bool ok = picocray::parse_decimal(s, std::strlen(s), &c);
  REQUIRE_MESSAGE(ok, "parse_decimal failed on \"" << s << "\"");
  return c;
}

// The value in decimal with 40 digits after the point, for failure messages.
inline std::string show(const picocray::Coord& c) {
  char buf[64];
  size_t n = picocray::format_decimal(c, 40, buf, sizeof buf);
  return n ? std::string(buf, n) : std::string("<format failed>");
}

template <int N>
bool same(const picocray::Fixed<N>& a, const picocray::Fixed<N>& b) {
  for (int i = 0; i < N; ++i)
    if (a.w[i] != b.w[i]) return false;
  return true;
}

template <int N>
std::string limbs(const picocray::Fixed<N>& a) {
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (int i = N - 1; i >= 0; --i) {
    for (int k = 28; k >= 0; k -= 4) s += hex[(a.w[i] >> k) & 0xF];
    if (i) s += '_';
  }
  return s;
}

}  // namespace picocray_test
