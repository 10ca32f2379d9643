#include "picocray/standalone.h"

#include "picocray/decimal.h"
#include "picocray/kernel.h"
#include "picocray/lcd_fit.h"
#include "picocray/text.h"
#include "picocray/timing.h"

namespace picocray {

namespace {

Coord decimal(const char* s) {
  Coord c = fx::zero<4>();
  size_t n = 0;
  while (s[n] != '\0') ++n;
  parse_decimal(s, n, &c);
  return c;
}

Coord part(const Coord& span, uint32_t num, uint32_t den) {
  bool overflow = false;
  return fx::mul_div(span, num, den, &overflow);
}

// The smallest span a view may have: 2^-100 (units of 2^-123: bit 23).
bool span_too_small(const Coord& s) {
  return s.w[3] == 0 && s.w[2] == 0 && s.w[1] == 0 && s.w[0] < (1u << 23);
}

}  // namespace

void Standalone::overview(Coord* cx, Coord* cy, Coord* span) {
  *cx = decimal("-0.75");
  *cy = fx::zero<4>();
  *span = decimal("3.2");
}

RenderRequest Standalone::view_job(const Coord& cx, const Coord& cy, const Coord& span,
                                   uint8_t depth) {
  RenderRequest q;
  JobGeometry& g = q.geometry;
  g.width = kLcdWidth;
  g.height = kLcdHeight;
  g.tile_w = g.tile_h = 32;
  const Coord half_w = part(span, 1, 2), half_h = part(span, 3, 8);
  g.region.x0 = fx::sub(cx, half_w);
  g.region.x1 = fx::add(cx, half_w);
  g.region.y0 = fx::sub(cy, half_h);
  g.region.y1 = fx::add(cy, half_h);
  const uint32_t iter = 256u + 128u * depth;
  g.max_iter = static_cast<uint16_t>(iter < 2048 ? iter : 2048);
  g.precision =
      choose_precision(g.region.x0, g.region.x1, g.region.y0, g.region.y1, g.width, g.height);
  q.node_mask = ~0ull;
  q.flags = RenderRequest::kRenderUseController;
  q.display_palette = static_cast<uint8_t>(Palette::classic);
  return q;
}

void Standalone::touched_centre(const Coord& cx, const Coord& cy, const Coord& span, uint16_t x,
                                uint16_t y, Coord* out_x, Coord* out_y) {
  // x0 + (2x + 1) span / 640 and y1 - (2y + 1) span / 640: a pixel is span / 320 on both axes.
  const Coord x0 = fx::sub(cx, part(span, 1, 2)), y1 = fx::add(cy, part(span, 3, 8));
  *out_x = fx::add(x0, part(span, 2u * x + 1u, 2u * kLcdWidth));
  *out_y = fx::sub(y1, part(span, 2u * y + 1u, 2u * kLcdWidth));
}

void Standalone::begin(uint64_t now) {
  (void)now;
  overview(&cx_, &cy_, &span_);
  depth_ = 0;
  phase_ = Phase::shown;
  pending_ = true;
  pen_down_ = false;
}

void Standalone::end() {
  if (phase_ == Phase::off) return;
  if (scheduler_.local()) scheduler_.cancel_local();
  phase_ = Phase::off;
  pending_ = false;
}

uint64_t Standalone::poll(uint64_t now) {
  if (phase_ == Phase::off) return kNoDeadline;
  TouchPoint p;
  const bool down = display_.touch(&p);
  if (down && !pen_down_) {
    pen_down_ = true;
    pen_since_ = now;
    pen_at_ = p;
  } else if (!down && pen_down_) {
    pen_down_ = false;
    gesture(now - pen_since_ >= kLongPressUs);
  }
  if (phase_ == Phase::drawing && !scheduler_.active()) view_done();
  if (pending_ && !scheduler_.active()) start_view();
  return pen_down_ ? now + kTouchPollUs : kNoDeadline;
}

void Standalone::gesture(bool long_press) {
  if (long_press) {
    if (depth_ == 0) return;
    --depth_;
    span_ = part(span_, kZoom, 1);
  } else {
    const Coord next = part(span_, 1, kZoom);
    if (depth_ >= kMaxDepth || span_too_small(next)) return;
    touched_centre(cx_, cy_, span_, pen_at_.x, pen_at_.y, &cx_, &cy_);
    span_ = next;
    ++depth_;
  }
  pending_ = true;
  // A view still being drawn is given up for the new one.
  if (phase_ == Phase::drawing) scheduler_.cancel_local();
}

void Standalone::start_view() {
  pending_ = false;
  const RenderRequest q = view_job(cx_, cy_, span_, depth_);
  display_.begin_mirror(q.geometry, Palette::classic, false);
  scheduler_.start(0, q, &display_, true);
  phase_ = Phase::drawing;
}

void Standalone::view_done() {
  phase_ = Phase::shown;
  if (!scheduler_.last_completed()) return;
  ++views_;
  draw_status();
}

void Standalone::draw_status() {
  const RenderRequest q = view_job(cx_, cy_, span_, depth_);
  const RenderSummary& s = scheduler_.summary();
  const uint32_t cs = static_cast<uint32_t>(s.elapsed_us / 10000);  // hundredths of a second
  Text t;
  t.add("d").num(depth_).add(" i").num(q.geometry.max_iter).add(" n").num(table_.count());
  t.add(" p").num(static_cast<uint32_t>(q.geometry.precision)).add(" t").num(cs / 100).add(".");
  t.num(cs / 10 % 10).num(cs % 10).add("s");
  const uint16_t y = kLcdHeight - kStatusRows;
  display_.fill(0, y, kLcdWidth, kStatusRows, 0);
  display_.text(2, y + 1, t.str(), 0xFFFF, 0);
}

}  // namespace picocray
