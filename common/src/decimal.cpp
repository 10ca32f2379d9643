#include "picocray/decimal.h"

namespace picocray {
namespace {

constexpr int kMaxDigits = 200;
constexpr int kMaxExponent = 200;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

bool parse_decimal(const char* s, size_t len, Coord* out) {
  size_t i = 0;
  bool negative = false;
  if (i < len && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  // Significant digits as written, and where the point falls among them.
  char digits[kMaxDigits];
  int n = 0;
  int point = -1;
  bool any = false;
  for (; i < len; ++i) {
    char c = s[i];
    if (c == '.') {
      if (point >= 0) return false;
      point = n;
    } else if (is_digit(c)) {
      any = true;
      if (n == 0 && c == '0' && point < 0) continue;  // leading zeros of the integer part
      if (n >= kMaxDigits) return false;
      digits[n++] = static_cast<char>(c - '0');
    } else {
      break;
    }
  }
  if (!any) return false;
  if (point < 0) point = n;
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < len && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
    if (i >= len || !is_digit(s[i])) return false;
    int e = 0;
    for (; i < len && is_digit(s[i]); ++i) {
      e = e * 10 + (s[i] - '0');
      if (e > kMaxExponent) return false;
    }
    point += eneg ? -e : e;
  }
  if (i != len) return false;

  // Integer part: digits before the point (zeros past the written digits when point > n).
  uint32_t int_part = 0;
  for (int k = 0; k < point; ++k) {
    int d = k < n ? digits[k] : 0;
    int_part = int_part * 10 + static_cast<uint32_t>(d);
    if (int_part >= 16) return false;
  }
  // Fraction digits: zeros before the written digits when point < 0.
  char frac[kMaxDigits + kMaxExponent + 1];
  int fn = 0;
  for (int k = point; k < n; ++k) frac[fn++] = k < 0 ? 0 : digits[k];
  // 124 fraction bits by doubling the decimal fraction; the last one rounds.
  uint32_t bits[4] = {0, 0, 0, 0};
  int round_bit = 0;
  for (int b = 0; b < 124; ++b) {
    int carry = 0;
    for (int k = fn - 1; k >= 0; --k) {
      int v = frac[k] * 2 + carry;
      frac[k] = static_cast<char>(v % 10);
      carry = v / 10;
    }
    if (b == 123) {
      round_bit = carry;
    } else if (carry) {
      int pos = 122 - b;  // fraction bit weights 2^-1 .. 2^-123 sit at bits 122 .. 0
      bits[pos / 32] |= 1u << (pos % 32);
    }
  }
  bits[3] |= int_part << 27;
  Coord v;
  for (int k = 0; k < 4; ++k) v.w[k] = bits[k];
  if (round_bit) {
    Coord one_ulp = fx::zero<4>();
    one_ulp.w[0] = 1;
    v = fx::add(v, one_ulp);
    if (v.w[3] >= (16u << 27)) return false;
  }
  *out = negative ? fx::neg(v) : v;
  return true;
}

size_t format_decimal(const Coord& v, int digits, char* out, size_t cap) {
  Coord m = fx::abs(v);
  uint32_t int_part = m.w[3] >> 27;
  m.w[3] &= (1u << 27) - 1;
  size_t need = (fx::is_neg(v) ? 1 : 0) + 2 + 1 + static_cast<size_t>(digits) + 1;
  if (cap < need) return 0;
  size_t o = 0;
  if (fx::is_neg(v)) out[o++] = '-';
  if (int_part >= 10) out[o++] = static_cast<char>('0' + int_part / 10);
  out[o++] = static_cast<char>('0' + int_part % 10);
  if (digits > 0) out[o++] = '.';
  for (int d = 0; d < digits; ++d) {
    // Multiply the fraction by 10; the digit is what rises above bit 123.
    uint64_t carry = 0;
    for (int k = 0; k < 4; ++k) {
      uint64_t t = static_cast<uint64_t>(m.w[k]) * 10 + carry;
      m.w[k] = static_cast<uint32_t>(t);
      carry = t >> 32;
    }
    uint32_t digit = m.w[3] >> 27;
    m.w[3] &= (1u << 27) - 1;
    out[o++] = static_cast<char>('0' + digit);
  }
  out[o] = '\0';
  return o;
}

}  // namespace picocray
