// picocray render: a region of the Mandelbrot set, computed across the cluster, to PNG and PGM.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "command.h"
#include "image.h"
#include "job.h"
#include "palette.h"
#include "util.h"

namespace picocray::cli {

namespace {

struct RenderOptions {
  std::string region;
  std::string size = "640x480";
  long iterations = 256;
  std::string output;
  std::string raw;
  std::string meta;
  std::string precision = "auto";
  std::string tile = "32x32";
  std::string palette = "classic";
  bool verify = false;
  bool json = false;
  bool no_controller = false;
};

const char* precision_name(Precision p) {
  return p == Precision::p32 ? "32" : p == Precision::p64 ? "64" : "128";
}

RenderRequest build_job(const RenderOptions& o) {
  if (o.region.empty()) throw CliError(kExitUsage, "render needs --region X0,X1,Y0,Y1");
  Region reg = parse_region(o.region);
  RenderRequest q;
  q.x0 = reg.x0;
  q.x1 = reg.x1;
  q.y0 = reg.y0;
  q.y1 = reg.y1;
  parse_size(o.size, &q.width, &q.height, kMaxImageSide);
  if (static_cast<uint32_t>(q.width) * q.height > kMaxImagePixels)
    throw CliError(kExitUsage, "--size '" + o.size + "' has more than 67108864 pixels");
  if (o.iterations < 1 || o.iterations > kMaxIterations)
    throw CliError(kExitUsage, "--iterations must be 1 to 65535, got " + std::to_string(o.iterations));
  q.max_iter = static_cast<uint16_t>(o.iterations);
  uint16_t tw = 0, th = 0;
  try {
    parse_size(o.tile, &tw, &th, kMaxTileSide);
  } catch (const CliError&) {
    throw CliError(kExitUsage, "--tile '" + o.tile + "' must be WxH with each side 1 to 64");
  }
  q.tile_w = static_cast<uint8_t>(tw);
  q.tile_h = static_cast<uint8_t>(th);
  if (o.precision == "auto")
    q.precision = choose_precision(q.x0, q.x1, q.y0, q.y1, q.width, q.height);
  else if (o.precision == "32")
    q.precision = Precision::p32;
  else if (o.precision == "64")
    q.precision = Precision::p64;
  else if (o.precision == "128")
    q.precision = Precision::p128;
  else
    throw CliError(kExitUsage, "--precision '" + o.precision + "' must be auto, 32, 64 or 128");
  if (!palette_exists(o.palette))
    throw CliError(kExitUsage, "--palette '" + o.palette + "' is not one of classic, gray, fire, ocean");
  q.node_mask = ~0ull;
  q.flags = o.no_controller ? 0 : RenderRequest::kRenderUseController;
  return q;
}

int run_render_command(const Globals& g, const RenderOptions& o) {
  RenderRequest job = build_job(o);
  if (o.output.empty() && o.raw.empty() && !o.verify && !o.json)
    throw CliError(kExitUsage, "render needs somewhere to put the result: -o FILE.png, --raw FILE.pgm, --json or --verify");
  for (const std::string* p : {&o.output, &o.raw, &o.meta})
    if (!p->empty()) check_writable(*p);

  Session s = connect(g);
  spdlog::info("rendering {}x{}, {} iterations, {}-bit, {} tiles on {}", job.width, job.height,
               job.max_iter, precision_name(job.precision), tile_count(job), s.link->name());
  RenderResult res = run_render(*s.client, job);

  bool verified = false;
  if (o.verify) {
    auto ref = reference_counts(job);
    for (size_t i = 0; i < ref.size(); ++i) {
      if (ref[i] != res.counts[i]) {
        size_t x = i % job.width, y = i / job.width;
        throw CliError(kExitMismatch, "verify failed: pixel (" + std::to_string(x) + ", " +
                                          std::to_string(y) + ") is " + std::to_string(res.counts[i]) +
                                          " from the cluster, " + std::to_string(ref[i]) +
                                          " from the host reference; no file written");
      }
    }
    verified = true;
    spdlog::info("verify: all {} counts match the host reference", ref.size());
  }

  const bool sim = s.simulated();
  double device_s = res.summary.elapsed_us / 1e6;
  nlohmann::json meta = {
      {"region", {{"x0", short_coord(job.x0)}, {"x1", short_coord(job.x1)},
                  {"y0", short_coord(job.y0)}, {"y1", short_coord(job.y1)}}},
      {"width", job.width},
      {"height", job.height},
      {"iterations", job.max_iter},
      {"precision", std::stoi(precision_name(job.precision))},
      {"tile", {job.tile_w, job.tile_h}},
      {"tiles", res.summary.tiles},
      {"total_iterations", res.summary.iterations},
      {"nodes_used", res.summary.node_count},
      {"wall_s", res.wall_s},
      {sim ? "modelled_s" : "device_s", device_s},
      {"i2c_bytes", res.summary.i2c_bytes},
      {"i2c_bytes_per_pixel", static_cast<double>(res.summary.i2c_bytes) / (job.width * job.height)},
      {"retries", res.summary.retries},
      {"integrity_errors", res.summary.integrity_errors},
      {"verified", verified},
      {"port", s.link->name()},
      {"firmware", std::to_string(s.client->device().fw_major) + "." +
                       std::to_string(s.client->device().fw_minor) + "." +
                       std::to_string(s.client->device().fw_patch)},
  };
  if (!o.output.empty())
    write_atomic(o.output, encode_png(res.counts, job.width, job.height, job.max_iter, o.palette));
  if (!o.raw.empty()) write_atomic(o.raw, encode_pgm(res.counts, job.width, job.height));
  if (!o.meta.empty()) {
    std::string text = meta.dump(2) + "\n";
    write_atomic(o.meta, std::vector<uint8_t>(text.begin(), text.end()));
  }
  if (o.json) std::printf("%s\n", meta.dump(2).c_str());
  spdlog::info("{} tiles, wall {:.3f} s, {} {:.3f} s, {:.3f} I2C bytes/pixel", res.summary.tiles,
               res.wall_s, sim ? "modelled hardware time" : "device time", device_s,
               static_cast<double>(res.summary.i2c_bytes) / (job.width * job.height));
  return 0;
}

}  // namespace

void add_render_command(CLI::App& app, Globals& g) {
  auto o = std::make_shared<RenderOptions>();
  auto* cmd = app.add_subcommand("render", "Render a region of the Mandelbrot set on the cluster");
  cmd->footer(
      "Example:\n  picocray --port sim render --region -2.5,1,-1.25,1.25 --size 640x480 \\\n"
      "      --iterations 256 -o m.png --raw m.pgm --verify");
  cmd->add_option("--region", o->region, "X0,X1,Y0,Y1 as decimals within [-4, 4]; row 0 is Y1");
  cmd->add_option("--size", o->size, "Image size WxH, each side 1 to 16384")->capture_default_str();
  cmd->add_option("--iterations", o->iterations, "Escape-count cap, 1 to 65535")->capture_default_str();
  cmd->add_option("-o,--output", o->output, "PNG file to write");
  cmd->add_option("--raw", o->raw, "Counts as a 16-bit binary PGM (P5, maxval 65535)");
  cmd->add_option("--meta", o->meta, "Job facts as JSON (region, timing, bytes)");
  cmd->add_option("--precision", o->precision, "auto, 32, 64 or 128 bits")->capture_default_str();
  cmd->add_option("--tile", o->tile, "Tile size WxH, each side 1 to 64")->capture_default_str();
  cmd->add_option("--palette", o->palette, "classic, gray, fire or ocean")->capture_default_str();
  cmd->add_flag("--verify", o->verify, "Check every count against the host reference");
  cmd->add_flag("--json", o->json, "Print the job facts as JSON on stdout");
  cmd->add_flag("--no-controller", o->no_controller, "Leave the controller's core out of the work");
  cmd->callback([&g, o]() { g.exit_code = run_render_command(g, *o); });
}

}  // namespace picocray::cli
