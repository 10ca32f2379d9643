// The controller's LCD on an in-process simulated cluster: a render mirrored on the panel reads
// back equal, pixel for pixel, to the host's own scaling of the same counts in the same palette;
// and the standalone mode, driven by touches on the virtual panel (the simulator's side, not the
// link), shows each zoomed view as the host computes it, down to where 64 bits are needed.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "client.h"
#include "cluster_render.h"
#include "lcd_image.h"
#include "link.h"
#include "picocray/decimal.h"
#include "picocray/kernel.h"
#include "picocray/lcd_fit.h"

using namespace picocray;
using picocray::cli::Client;
using picocray::cli::lcd_reference;
using picocray::cli::open_link;
using picocray::cli::SimOptions;

namespace {

// A bound against a hang, not a measure: a loaded 2-core CI host draws a deep view slowly.
constexpr int kTimeoutMs = 120000;

Coord dec(const std::string& s) {
  Coord c{};
  REQUIRE(parse_decimal(s.data(), s.size(), &c));
  return c;
}

RenderRequest region_job(const char* x0, const char* x1, const char* y0, const char* y1, uint16_t w,
                         uint16_t h, uint16_t iter, Palette p) {
  RenderRequest q;
  JobGeometry& g = q.geometry;
  g.region = {dec(x0), dec(x1), dec(y0), dec(y1)};
  g.width = w;
  g.height = h;
  g.max_iter = iter;
  g.precision = choose_precision(g.region.x0, g.region.x1, g.region.y0, g.region.y1, w, h);
  q.flags = RenderRequest::kRenderUseController | RenderRequest::kRenderDisplay;
  q.display_palette = static_cast<uint8_t>(p);
  return q;
}

// The first pixel that differs, as "x,y: got G, want W", or "" when none does.
std::string first_difference(const std::vector<uint16_t>& got, const std::vector<uint16_t>& want,
                             uint32_t rows) {
  for (uint32_t i = 0; i < rows * kLcdWidth; ++i)
    if (got[i] != want[i])
      return std::to_string(i % kLcdWidth) + "," + std::to_string(i / kLcdWidth) + ": got " +
             std::to_string(got[i]) + ", want " + std::to_string(want[i]);
  return "";
}

// The standalone mode's views as docs/hardware.md defines them, computed here independently.
struct View {
  Coord cx, cy, span;
  uint8_t depth = 0;
};

Coord part(const Coord& a, uint32_t num, uint32_t den) {
  bool overflow = false;
  return fx::mul_div(a, num, den, &overflow);
}

RenderRequest view_job(const View& v) {
  RenderRequest q;
  JobGeometry& g = q.geometry;
  g.width = 320;
  g.height = 240;
  g.region.x0 = fx::sub(v.cx, part(v.span, 1, 2));
  g.region.x1 = fx::add(v.cx, part(v.span, 1, 2));
  g.region.y0 = fx::sub(v.cy, part(v.span, 3, 8));
  g.region.y1 = fx::add(v.cy, part(v.span, 3, 8));
  g.max_iter = static_cast<uint16_t>(std::min(256 + 128 * v.depth, 2048));
  g.precision = choose_precision(g.region.x0, g.region.x1, g.region.y0, g.region.y1, 320, 240);
  return q;
}

View zoom_in(const View& v, uint16_t x, uint16_t y) {
  const RenderRequest q = view_job(v);
  View n;
  n.cx = fx::add(q.geometry.region.x0, part(v.span, 2u * x + 1u, 640));
  n.cy = fx::sub(q.geometry.region.y1, part(v.span, 2u * y + 1u, 640));
  n.span = part(v.span, 1, 4);
  n.depth = static_cast<uint8_t>(v.depth + 1);
  return n;
}

void await_view(sim::Simulator& sim, uint32_t touches) {
  REQUIRE_MESSAGE(sim.wait_stats(
                      [&](const sim::Stats& s) {
                        return s.standalone && s.standalone_views > 0 && !s.standalone_busy &&
                               s.touches_done >= touches;
                      },
                      kTimeoutMs),
                  "the standalone view after touch " << touches << " was not drawn");
}

}  // namespace

TEST_CASE("display: render --display reads back equal to the host's scaled rendering") {
  SimOptions opt;
  opt.nodes = 4;
  auto link = open_link("sim:4", opt);
  Client client(*link, kTimeoutMs);
  client.hello();
  REQUIRE(client.has_display());
  struct Case {
    RenderRequest job;
    const char* what;
  };
  // Wider than the panel, taller than it, smaller than it (scaled up), and one of exactly its size.
  const Case cases[] = {
      {region_job("-2.5", "1", "-1.25", "1.25", 500, 300, 200, Palette::classic), "500x300"},
      {region_job("-0.8", "-0.7", "0.05", "0.2", 130, 250, 300, Palette::fire), "130x250"},
      {region_job("-2", "0.5", "-1", "1", 97, 61, 64, Palette::gray), "97x61 upscaled"},
      {region_job("-0.75", "-0.74", "0.1", "0.1075", 320, 240, 500, Palette::ocean), "320x240"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    const auto res = cli::render_on_cluster(client, c.job);
    const auto host = cli::reference_counts(c.job);
    REQUIRE(res.counts == host);
    const auto want = lcd_reference(host, c.job.geometry.width, c.job.geometry.height,
                                    c.job.geometry.max_iter, Palette(c.job.display_palette));
    const auto got = client.display_read();
    REQUIRE(got.size() == want.size());
    CHECK_MESSAGE(first_difference(got, want, kLcdHeight).empty(),
                  "the panel differs at " << first_difference(got, want, kLcdHeight));
  }
}

TEST_CASE("display: a render without --display leaves the panel as it was") {
  SimOptions opt;
  opt.nodes = 2;
  auto link = open_link("sim:2", opt);
  Client client(*link, kTimeoutMs);
  client.hello();
  const RenderRequest shown = region_job("-2", "1", "-1", "1", 200, 150, 100, Palette::classic);
  cli::render_on_cluster(client, shown);
  const auto before = client.display_read();
  RenderRequest plain = region_job("-1", "0", "0", "1", 64, 64, 50, Palette::classic);
  plain.flags = RenderRequest::kRenderUseController;
  cli::render_on_cluster(client, plain);
  CHECK(client.display_read() == before);
}

TEST_CASE("display: a controller without an LCD answers as before and refuses the display") {
  sim::Config cfg;
  cfg.nodes = 2;
  cfg.display = false;
  // The simulator directly: its SPI lines answer zeros, so the ID read finds no panel.
  sim::Simulator bare(cfg);
  struct BareLink final : cli::Link {
    explicit BareLink(sim::Simulator& s) : s_(s) {}
    void write(const uint8_t* d, size_t n) override { s_.host_write(d, n); }
    size_t read(uint8_t* b, size_t cap, int ms) override { return s_.host_read(b, cap, ms); }
    std::string name() const override { return "bare"; }
    sim::Simulator& s_;
  } bare_link(bare);
  Client client(bare_link, kTimeoutMs);
  client.hello();
  CHECK_FALSE(client.has_display());
  CHECK((client.device().capabilities & kCapDisplay) == 0);
  const RenderRequest job = region_job("-2", "1", "-1", "1", 64, 48, 64, Palette::classic);
  CHECK_THROWS_AS(cli::render_on_cluster(client, job), cli::DeviceError);
  RenderRequest plain = job;
  plain.flags = RenderRequest::kRenderUseController;
  CHECK(cli::render_on_cluster(client, plain).counts == cli::reference_counts(plain));
  CHECK_THROWS_AS(client.display_read(), cli::CliError);
}

TEST_CASE("display: standalone views follow the touches, deep enough for 64 bits") {
  SimOptions opt;
  opt.nodes = 4;
  opt.no_host = true;
  auto link = open_link("sim:4", opt);
  sim::Simulator& sim = *link->simulator();
  await_view(sim, 0);
  Client client(*link, kTimeoutMs);
  client.hello();
  View v{dec("-0.75"), dec("0"), dec("3.2"), 0};
  // Taps toward -0.7436438870 + 0.1318259042i in the seahorse valley (six zooms need 64 bits),
  // then a long press back out.
  const sim::Touch touches[] = {{160, 106, 50}, {160, 121, 50}, {160, 119, 50}, {158, 118, 50},
                                {160, 119, 50}, {160, 119, 50}, {10, 10, 1000}};
  std::vector<View> views;
  for (const sim::Touch& t : touches) {
    if (t.hold_ms >= 800) {
      v.span = part(v.span, 4, 1);
      --v.depth;
    } else {
      v = zoom_in(v, t.x, t.y);
    }
    views.push_back(v);
  }
  bool saw_64 = false;
  for (size_t k = 0; k < views.size(); ++k) {
    CAPTURE(k);
    sim.touch(touches[k]);
    await_view(sim, static_cast<uint32_t>(k + 1));
    CHECK(sim.stats().standalone_depth == views[k].depth);
    const RenderRequest job = view_job(views[k]);
    saw_64 = saw_64 || job.geometry.precision != Precision::p32;
    const auto want = lcd_reference(cli::reference_counts(job), 320, 240, job.geometry.max_iter,
                                    Palette::classic);
    const auto got = client.display_read();
    // The picture above the status line (its bottom 12 rows).
    CHECK_MESSAGE(first_difference(got, want, 228).empty(),
                  "view " << k << " differs at " << first_difference(got, want, 228));
    // The status line was drawn: white text on black somewhere in the bottom rows.
    bool white = false;
    for (uint32_t i = 228 * kLcdWidth; i < got.size(); ++i) white = white || got[i] == 0xFFFF;
    CHECK(white);
  }
  CHECK_MESSAGE(saw_64, "no view needed more than 32 bits");
}

TEST_CASE("display: tiles asked for again (a subset) are drawn over the picture, not a black one") {
  SimOptions opt;
  opt.nodes = 3;
  auto link = open_link("sim:3", opt);
  Client client(*link, kTimeoutMs);
  client.hello();
  const RenderRequest job = region_job("-2", "1", "-1.2", "1.2", 300, 240, 150, Palette::fire);
  cli::render_on_cluster(client, job);
  const auto want = lcd_reference(cli::reference_counts(job), 300, 240, 150, Palette::fire);
  REQUIRE(first_difference(client.display_read(), want, kLcdHeight).empty());
  // As the host asks after losing tiles 3 and 40-41 on the link.
  RenderRequest again = job;
  again.subset.count = 2;
  again.subset.ranges[0] = {3, 1};
  again.subset.ranges[1] = {40, 2};
  const auto res = cli::render_on_cluster(client, again);
  CHECK(res.tiles_received == 3);
  const auto got = client.display_read();
  CHECK_MESSAGE(first_difference(got, want, kLcdHeight).empty(),
                "the panel differs at " << first_difference(got, want, kLcdHeight));
}

TEST_CASE("display: a host's RENDER ends the standalone mode, touches then change nothing") {
  SimOptions opt;
  opt.nodes = 2;
  opt.no_host = true;
  auto link = open_link("sim:2", opt);
  sim::Simulator& sim = *link->simulator();
  await_view(sim, 0);
  Client client(*link, kTimeoutMs);
  client.hello();
  const View overview{dec("-0.75"), dec("0"), dec("3.2"), 0};
  const RenderRequest shown = view_job(overview);
  const auto want = lcd_reference(cli::reference_counts(shown), 320, 240, shown.geometry.max_iter,
                                  Palette::classic);
  RenderRequest plain = region_job("-1", "0", "0", "1", 64, 64, 50, Palette::classic);
  plain.flags = RenderRequest::kRenderUseController;
  CHECK(cli::render_on_cluster(client, plain).counts == cli::reference_counts(plain));
  sim.touch({160, 106, 50});
  REQUIRE(sim.wait_stats([](const sim::Stats& s) { return s.touches_done >= 1; }, kTimeoutMs));
  const sim::Stats s = sim.stats();
  CHECK_FALSE(s.standalone);
  CHECK(s.standalone_views == 1);
  CHECK(s.standalone_depth == 0);
  CHECK(first_difference(client.display_read(), want, 228).empty());
}
