// The display commands as a user runs them: `render --display` against a `picocray sim` server,
// then `display snapshot` writes a PNG equal, pixel for pixel, to the host's own scaled picture
// of the same counts; `display touch` drives a standalone simulated controller, on sim ports only.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

#include "cluster_render.h"
#include "lcd_image.h"
#include "picocray/decimal.h"
#include "picocray/kernel.h"
#include "picocray_run.h"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#pragma GCC diagnostic ignored "-Wunused-function"
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#include <stb/stb_image.h>
#pragma GCC diagnostic pop

using namespace picocray;
using namespace picocray::test;

namespace {

// The PNG's pixels as RGB565, or empty when it is not a 320x240 RGB PNG.
std::vector<uint16_t> png_rgb565(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  int w = 0, h = 0, n = 0;
  uint8_t* px = stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &n, 3);
  std::vector<uint16_t> out;
  if (px != nullptr && w == 320 && h == 240)
    for (int i = 0; i < w * h; ++i)
      out.push_back(rgb565({px[3 * i], px[3 * i + 1], px[3 * i + 2]}));
  stbi_image_free(px);
  return out;
}

Coord dec(const char* s) {
  Coord c{};
  REQUIRE(parse_decimal(s, std::string(s).size(), &c));
  return c;
}

}  // namespace

TEST_CASE("display cli: render --display, then display snapshot, equals the host's picture") {
  SimServer sim({"--listen", "127.0.0.1:0", "--nodes", "3"});
  TempDir dir;
  const std::string png = dir / "lcd.png";
  Run r = run_picocray({"--port", sim.address, "render", "--region", "-1.5,0.5,-0.6,0.9", "--size",
                        "400x250", "--iterations", "300", "--palette", "ocean", "--display", "-q"});
  REQUIRE_MESSAGE(r.status == 0, describe(r));
  r = run_picocray({"--port", sim.address, "display", "snapshot", "-o", png});
  REQUIRE_MESSAGE(r.status == 0, describe(r));
  CHECK(r.out.empty());
  RenderRequest job;
  job.geometry.region = {dec("-1.5"), dec("0.5"), dec("-0.6"), dec("0.9")};
  job.geometry.width = 400;
  job.geometry.height = 250;
  job.geometry.max_iter = 300;
  job.geometry.precision = Precision::p32;
  const auto want = cli::lcd_reference(cli::reference_counts(job), 400, 250, 300, Palette::ocean);
  const auto got = png_rgb565(png);
  REQUIRE(got.size() == want.size());
  size_t differ = 0;
  for (size_t i = 0; i < got.size(); ++i) differ += got[i] != want[i];
  CHECK_MESSAGE(differ == 0, differ << " pixels differ from the host's scaled rendering");
}

TEST_CASE("display cli: on --port sim, render --snapshot reads the LCD back in the same session") {
  TempDir dir;
  const std::string png = dir / "lcd.png", counts = dir / "m.pgm";
  Run r = run_picocray({"--port", "sim:3", "render", "--region", "-2.5,1,-1.25,1.25", "--size",
                        "640x480", "--iterations", "256", "--palette", "fire", "--snapshot", png,
                        "--raw", counts, "-q"});
  REQUIRE_MESSAGE(r.status == 0, describe(r));
  RenderRequest job;
  job.geometry.region = {dec("-2.5"), dec("1"), dec("-1.25"), dec("1.25")};
  job.geometry.width = 640;
  job.geometry.height = 480;
  job.geometry.max_iter = 256;
  job.geometry.precision = Precision::p32;
  const auto want = cli::lcd_reference(cli::reference_counts(job), 640, 480, 256, Palette::fire);
  const auto got = png_rgb565(png);
  REQUIRE(got.size() == want.size());
  size_t differ = 0;
  for (size_t i = 0; i < got.size(); ++i) differ += got[i] != want[i];
  CHECK_MESSAGE(differ == 0, differ << " pixels differ from the host's scaled rendering");
  // A snapshot on its own on --port sim is of a fresh cluster: it says so.
  r = run_picocray({"--port", "sim", "display", "snapshot", "-o", dir / "blank.png"});
  CHECK_MESSAGE(r.status == 0, describe(r));
  CHECK(r.err.find("fresh simulated cluster") != std::string::npos);
  // The snapshot path is checked with the other outputs, before anything renders.
  r = run_picocray({"--port", "sim:3", "render", "--region", "-2,1,-1,1", "--size", "64x48",
                    "--snapshot", counts, "--raw", counts});
  CHECK_MESSAGE(r.status == 2, describe(r));
}

TEST_CASE("display cli: touch is for sim ports, it reports each view's depth") {
  SimServer sim({"--listen", "127.0.0.1:0", "--nodes", "2"});
  Run r = run_picocray({"--port", sim.address, "display", "touch", "10,10"});
  CHECK_MESSAGE(r.status == 2, describe(r));
  CHECK(r.err.find("--port sim") != std::string::npos);
  r = run_picocray({"--port", "sim:2", "display", "touch", "320,10"});
  CHECK_MESSAGE(r.status == 2, describe(r));
  TempDir dir;
  // One panel: several ports are refused with one line, not the first taken silently.
  for (std::vector<std::string> sub :
       {std::vector<std::string>{"touch", "1,1"}, std::vector<std::string>{"snapshot"}}) {
    std::vector<std::string> args = {"--port", "sim:2,sim:2", "display"};
    args.insert(args.end(), sub.begin(), sub.end());
    args.insert(args.end(), {"-o", dir / "x.png"});
    r = run_picocray(args);
    CHECK_MESSAGE(r.status == 2, describe(r));
    CHECK(count_lines(r.err) == 1);
    CHECK(r.out.empty());
  }
  r = run_picocray({"--port", "sim:2", "display", "touch", "160,106", "160,121", "5,5:900", "-o",
                    dir / "t.png"});
  REQUIRE_MESSAGE(r.status == 0, describe(r));
  CHECK(r.out == "160,106:50 depth 1\n160,121:50 depth 2\n5,5:900 depth 1\n");
  CHECK(png_rgb565(dir / "t.png").size() == 320u * 240u);
}
