// Decimal strings straight to fixed point and back, never through double, so a deep job keeps
// every digit it was given.
#pragma once
#include <cstddef>

#include "picocray/fixed.h"

namespace picocray {

// Parses [+-]digits[.digits][(e|E)[+-]digits] into a 128-bit coordinate, rounded to the nearest
// unit of 2^-123 (ties away from zero). Fails on anything else, on more than 200 digits, on an
// exponent outside [-200, 200], or on a magnitude of 16 or more.
bool parse_decimal(const char* s, size_t len, Coord* out);

// Writes the value with `digits` digits after the point (rounded toward zero), NUL-terminated.
// Returns the length, or 0 when cap is too small. 40 digits show every bit of a coordinate.
size_t format_decimal(const Coord& v, int digits, char* out, size_t cap);

}  // namespace picocray
