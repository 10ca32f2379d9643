// Fuzz target: decimal coordinates (decimal.h), as the host reads them from a command line.
//
// Input: a mode byte, then
//   mode even: a string for parse_decimal. An accepted string gives a value below 16 in
//     magnitude, and that value formatted with 40 digits parses back to the very same Coord;
//     with fewer digits (rounded toward zero) it parses to no larger a magnitude.
//   mode odd: a digit count (modulo 61) and a raw Coord (16 bytes): format_decimal must fit the
//     room it asks for, and when what it writes parses, formatting with 40 digits round-trips.
#include <cstring>
#include <memory>
#include <string>

#include "fuzz.h"
#include "picocray/decimal.h"
#include "picocray/fixed.h"

using namespace picocray;
using picocray_fuzz::Input;

namespace {

constexpr int kAllDigits = 40;  // enough to show every bit of a coordinate

bool same(const Coord& a, const Coord& b) {
  return fx::cmp(a, b) == 0;
}

// Formats into a buffer of exactly the size format_decimal asks for, so ASan sees any overrun.
std::string format(const Coord& v, int digits) {
  // Sign, two integer digits, point, the digits, NUL.
  size_t need = 1 + 2 + 1 + static_cast<size_t>(digits) + 1;
  std::unique_ptr<char[]> buf(new char[need]);
  size_t n = format_decimal(v, digits, buf.get(), need);
  FUZZ_CHECK(n != 0 && n < need, "format_decimal refused the room its contract asks for");
  FUZZ_CHECK(buf[n] == '\0' && std::strlen(buf.get()) == n, "format_decimal's length is wrong");
  return std::string(buf.get(), n);
}

void round_trip(const Coord& v) {
  std::string s = format(v, kAllDigits);
  Coord back;
  FUZZ_CHECK(parse_decimal(s.data(), s.size(), &back), "a formatted coordinate does not parse");
  FUZZ_CHECK(same(back, v), "a coordinate formatted with 40 digits parses to another value");
}

void string_mode(Input& in) {
  size_t len = 0;
  const uint8_t* p = in.rest(&len);
  std::string s(reinterpret_cast<const char*>(p), len);  // exact size: reads past it are caught
  Coord v;
  if (!parse_decimal(s.data(), s.size(), &v)) return;
  FUZZ_CHECK(fx::abs(v).w[3] < (16u << 27), "an accepted coordinate is 16 or more in magnitude");
  round_trip(v);
  for (int digits : {0, 1, 5, 20, 37}) {
    std::string t = format(v, digits);
    Coord cut;
    FUZZ_CHECK(parse_decimal(t.data(), t.size(), &cut), "a formatted coordinate does not parse");
    FUZZ_CHECK(fx::cmp(fx::abs(cut), fx::abs(v)) <= 0,
               "fewer digits gave a larger magnitude (format rounds toward zero)");
  }
}

void coord_mode(Input& in) {
  int digits = in.u8() % 61;
  Coord v;
  for (uint32_t& w : v.w) w = in.u32();
  std::string s = format(v, digits);
  Coord parsed;
  if (!parse_decimal(s.data(), s.size(), &parsed)) return;
  if (digits == kAllDigits) FUZZ_CHECK(same(parsed, v), "a coordinate did not round-trip");
  round_trip(parsed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  if (in.u8() % 2 == 0)
    string_mode(in);
  else
    coord_mode(in);
  return 0;
}
