#include "view.h"

#include "picocray/decimal.h"

namespace picocray::cli {

namespace fxu {

Coord half(const Coord& a) {
  Coord r;
  for (int i = 0; i < 4; ++i) {
    uint32_t hi = i < 3 ? a.w[i + 1] : (fx::is_neg(a) ? 0xFFFFFFFFu : 0u);
    r.w[i] = (a.w[i] >> 1) | (hi << 31);
  }
  return r;
}

namespace {

bool ge_u(const Coord& a, const Coord& b) {
  for (int i = 3; i >= 0; --i)
    if (a.w[i] != b.w[i]) return a.w[i] > b.w[i];
  return true;
}

void shl1_u(Coord& a) {
  for (int i = 3; i > 0; --i) a.w[i] = (a.w[i] << 1) | (a.w[i - 1] >> 31);
  a.w[0] <<= 1;
}

void sub_u(Coord& a, const Coord& b) {
  uint64_t borrow = 0;
  for (int i = 0; i < 4; ++i) {
    uint64_t d = static_cast<uint64_t>(a.w[i]) - b.w[i] - borrow;
    a.w[i] = static_cast<uint32_t>(d);
    borrow = (d >> 63) & 1u;
  }
}

}  // namespace

Coord div_frac(const Coord& a, const Coord& b) {
  if (fx::cmp(a, b) >= 0) return fx::from_int<4>(1);
  // Binary long division of the fraction a / b < 1, one bit of the result per step; a < b < 2^127
  // as unsigned integers, so twice the remainder still fits in 128 bits.
  Coord q = fx::zero<4>(), rem = a;
  for (int bit = Coord::kFracBits - 1; bit >= 0; --bit) {
    shl1_u(rem);
    if (ge_u(rem, b)) {
      sub_u(rem, b);
      q.w[bit / 32] |= 1u << (bit % 32);
    }
  }
  return q;
}

Coord pow(const Coord& q, uint32_t k) {
  Coord r = fx::from_int<4>(1), base = q;
  while (k > 0) {
    if (k & 1u) r = fx::mul(r, base);
    k >>= 1;
    if (k > 0) base = fx::mul(base, base);
  }
  return r;
}

}  // namespace fxu

Coord parse_coord(const std::string& s, const std::string& what) {
  Coord c;
  if (parse_decimal(s.data(), s.size(), &c)) return c;
  if (!decimal_syntax(s)) throw CliError(kExitUsage, what + " '" + s + "' is not a decimal number");
  // A number, but beyond what a coordinate can hold: the views it could make are outside the
  // allowed area anyway.
  throw CliError(kExitUsage, what + " '" + s +
                                 "' is outside the allowed [-4, 4] (at most 200 digits, exponent "
                                 "-200 to 200)");
}

namespace {

Coord checked_span(const Coord& s, const std::string& text, const std::string& what) {
  if (fx::is_neg(s) || fx::is_zero(s) || fx::cmp(s, fx::from_int<4>(8)) > 0)
    throw CliError(kExitUsage, what + " '" + text + "' must be greater than 0 and at most 8");
  return s;
}

}  // namespace

View parse_view(const std::string& center, const std::string& span) {
  auto parts = split(center, ',');
  if (parts.size() != 2)
    throw CliError(kExitUsage, "--center needs two numbers CX,CY, got '" + center + "'");
  View v;
  v.cx = parse_coord(parts[0], "--center CX");
  v.cy = parse_coord(parts[1], "--center CY");
  v.span = checked_span(parse_coord(span, "--span"), span, "--span");
  return v;
}

View parse_view3(const std::string& s, const std::string& what) {
  auto parts = split(s, ',');
  if (parts.size() != 3)
    throw CliError(kExitUsage, what + " needs three numbers CX,CY,SPAN, got '" + s + "'");
  View v;
  v.cx = parse_coord(parts[0], what + " CX");
  v.cy = parse_coord(parts[1], what + " CY");
  v.span = checked_span(parse_coord(parts[2], what + " SPAN"), parts[2], what + " SPAN");
  return v;
}

Region region_of(const View& v, uint32_t width, uint32_t height, const std::string& what) {
  bool overflow = false;
  Coord vspan = fx::mul_div(v.span, height, width, &overflow);
  if (overflow || fx::cmp(vspan, fx::from_int<4>(8)) > 0)
    throw CliError(kExitUsage, what + ": the view is taller than 8 at this aspect ratio");
  if (fx::is_zero(vspan))
    throw CliError(kExitUsage, what +
                                   ": the view is too deep for 128-bit fixed point (its height "
                                   "rounds to zero at this aspect ratio)");
  Coord hx = fxu::half(v.span), hy = fxu::half(vspan);
  // The centre may be anywhere in (-16, 16) but the corners must be in [-4, 4]; both halves are
  // at most 4, so the sums stay within the representable range.
  Region r;
  r.x0 = fx::sub(v.cx, hx);
  r.x1 = fx::add(r.x0, v.span);
  r.y0 = fx::sub(v.cy, hy);
  r.y1 = fx::add(r.y0, vspan);
  for (const Coord* c : {&r.x0, &r.x1, &r.y0, &r.y1})
    if (!coord_in_limits(*c))
      throw CliError(kExitUsage, what + ": the view reaches outside the allowed [-4, 4]");
  return r;
}

View view_of(const Region& r) {
  View v;
  v.span = fx::sub(r.x1, r.x0);
  v.cx = fx::add(r.x0, fxu::half(v.span));
  v.cy = fx::add(r.y0, fxu::half(fx::sub(r.y1, r.y0)));
  return v;
}

std::vector<View> zoom_path(const View& from, const View& to, uint32_t frames) {
  std::vector<View> out;
  if (frames == 1) return {to};
  const uint32_t steps = frames - 1;
  // Spans: the large end times q^k, with q = (small / large)^(1 / steps) found bit by bit
  // (s * q^steps grows with q, so the largest q with s * q^steps <= small is the root).
  const bool in = fx::cmp(to.span, from.span) <= 0;
  const Coord& big = in ? from.span : to.span;
  const Coord& small = in ? to.span : from.span;
  Coord q = fx::zero<4>();
  if (fx::cmp(big, small) == 0) {
    q = fx::from_int<4>(1);
  } else {
    for (int bit = Coord::kFracBits - 1; bit >= 0; --bit) {
      Coord c = q;
      c.w[bit / 32] |= 1u << (bit % 32);
      if (fx::cmp(fx::mul(big, fxu::pow(c, steps)), small) <= 0) q = c;
    }
  }
  const Coord dspan = fx::abs(fx::sub(from.span, to.span));
  const Coord dx = fx::sub(from.cx, to.cx), dy = fx::sub(from.cy, to.cy);
  for (uint32_t k = 0; k <= steps; ++k) {
    View v;
    if (k == 0)
      v.span = from.span;
    else if (k == steps)
      v.span = to.span;
    else
      v.span = fx::mul(big, fxu::pow(q, in ? k : steps - k));
    // t = (span - to.span) / (from.span - to.span): 1 at the start, 0 at the end. With equal
    // spans the centre moves in even steps.
    Coord t;
    if (fx::is_zero(dspan)) {
      bool overflow = false;
      t = fx::mul_div(fx::from_int<4>(1), steps - k, steps, &overflow);
    } else {
      t = fxu::div_frac(fx::abs(fx::sub(v.span, to.span)), dspan);
    }
    v.cx = fx::add(to.cx, fx::mul(dx, t));
    v.cy = fx::add(to.cy, fx::mul(dy, t));
    out.push_back(v);
  }
  return out;
}

}  // namespace picocray::cli
