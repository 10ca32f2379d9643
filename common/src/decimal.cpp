#include "picocray/decimal.h"

namespace picocray {
namespace {

constexpr int kMaxDigits = 200;
constexpr int kMaxExponent = 200;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// A decimal as written: its significant digits and where the point falls among them.
struct Scanned {
  bool negative = false;
  char digits[kMaxDigits];
  int n = 0;
  int point = -1;
};

// The exponent after 'e' or 'E' at s[*i], added to the point.
bool scan_exponent(const char* s, size_t len, size_t* i, int* point) {
  bool eneg = false;
  if (*i < len && (s[*i] == '+' || s[*i] == '-')) eneg = s[(*i)++] == '-';
  if (*i >= len || !is_digit(s[*i])) return false;
  int e = 0;
  for (; *i < len && is_digit(s[*i]); ++*i) {
    e = e * 10 + (s[*i] - '0');
    if (e > kMaxExponent) return false;
  }
  *point += eneg ? -e : e;
  return true;
}

bool scan(const char* s, size_t len, Scanned* d) {
  size_t i = 0;
  if (i < len && (s[i] == '+' || s[i] == '-')) d->negative = s[i++] == '-';
  bool any = false;
  for (; i < len; ++i) {
    char c = s[i];
    if (c == '.') {
      if (d->point >= 0) return false;
      d->point = d->n;
    } else if (is_digit(c)) {
      any = true;
      if (d->n == 0 && c == '0' && d->point < 0) continue;  // leading zeros of the integer part
      if (d->n >= kMaxDigits) return false;
      d->digits[d->n++] = static_cast<char>(c - '0');
    } else {
      break;
    }
  }
  if (!any) return false;
  if (d->point < 0) d->point = d->n;
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (!scan_exponent(s, len, &i, &d->point)) return false;
  }
  return i == len;
}

// 123 fraction bits of the decimal fraction frac[0..fn) into bits, by doubling it; returns the
// 124th bit, which rounds.
int fraction_bits(char* frac, int fn, uint32_t* bits) {
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
  return round_bit;
}

}  // namespace

bool parse_decimal(const char* s, size_t len, Coord* out) {
  Scanned d;
  if (!scan(s, len, &d)) return false;
  // Integer part: digits before the point (zeros past the written digits when point > n).
  uint32_t int_part = 0;
  for (int k = 0; k < d.point; ++k) {
    int digit = k < d.n ? d.digits[k] : 0;
    int_part = int_part * 10 + static_cast<uint32_t>(digit);
    if (int_part >= 16) return false;
  }
  // Fraction digits: zeros before the written digits when point < 0.
  char frac[kMaxDigits + kMaxExponent + 1];
  int fn = 0;
  for (int k = d.point; k < d.n; ++k) frac[fn++] = k < 0 ? 0 : d.digits[k];
  uint32_t bits[4] = {0, 0, 0, 0};
  const int round_bit = fraction_bits(frac, fn, bits);
  bits[3] |= int_part << 27;
  Coord v;
  for (int k = 0; k < 4; ++k) v.w[k] = bits[k];
  if (round_bit) {
    Coord one_ulp = fx::zero<4>();
    one_ulp.w[0] = 1;
    v = fx::add(v, one_ulp);
    if (v.w[3] >= (16u << 27)) return false;
  }
  *out = d.negative ? fx::neg(v) : v;
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
