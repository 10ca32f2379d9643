#include "render_job.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>

#include "image.h"
#include "interrupt.h"
#include "job.h"
#include "palette.h"
#include "picocray/tile_block.h"
#include "progress.h"
#include "util.h"
#include "view.h"

namespace picocray::cli {

const char* precision_name(Precision p) {
  return p == Precision::p32 ? "32" : p == Precision::p64 ? "64" : "128";
}

void add_render_options(CLI::App& app, RenderOptions& o) {
  app.add_option("--region", o.region, "X0,X1,Y0,Y1 as decimals within [-4, 4]; row 0 is Y1");
  app.add_option("--center", o.center,
                 "CX,CY: the view's centre (with --span, instead of --region)");
  app.add_option("--span", o.span, "The view's width; its height follows from --size");
  app.add_option("--size", o.size, "Image size WxH, each side 1 to 16384")->capture_default_str();
  app.add_option("--iterations", o.iterations, "Escape-count cap, 1 to 65535")
      ->capture_default_str();
  app.add_option("-o,--output", o.output, "PNG file to write (with --frames: holds %04d)");
  app.add_option("--raw", o.raw, "Counts as a 16-bit binary PGM (P5, maxval 65535)");
  app.add_option("--meta", o.meta, "Job facts as JSON (region, timing, bytes)");
  app.add_option("--precision", o.precision, "auto, 32, 64 or 128 bits")->capture_default_str();
  app.add_option("--tile", o.tile, "Tile size WxH, each side 1 to 64")->capture_default_str();
  app.add_option("--palette", o.palette, "classic, gray, fire or ocean; 'list' prints them")
      ->capture_default_str();
  app.add_option("--nodes", o.nodes,
                 "Only these nodes, e.g. 0,2-3 (indexes as `nodes` lists them)");
  app.add_option("--frames", o.frames, "With --zoom-to: this many frames, 2 to 100000");
  app.add_option("--zoom-to", o.zoom_to, "CX,CY,SPAN: the last frame's view (geometric zoom)");
  app.add_flag("--verify", o.verify, "Check every count against the host reference");
  app.add_flag("--json", o.json, "Print the job facts as JSON on stdout");
  app.add_flag("--no-controller", o.no_controller, "Leave the controller's core out of the work");
  app.add_flag("--quiet", o.quiet, "No progress bar, errors only");
}

RenderOptions parse_render_words(std::vector<std::string> words) {
  if (!words.empty() && words[0] == "render") words.erase(words.begin());
  CLI::App app{"render job"};
  app.set_help_flag();
  RenderOptions o;
  add_render_options(app, o);
  std::reverse(words.begin(), words.end());  // CLI11 takes the words last first
  try {
    app.parse(words);
  } catch (const CLI::ParseError& e) {
    throw CliError(kExitUsage, e.what());
  }
  return o;
}

namespace {

Precision parse_precision(const std::string& p, const Region& r, uint16_t w, uint16_t h) {
  if (p == "auto") return choose_precision(r.x0, r.x1, r.y0, r.y1, w, h);
  if (p == "32") return Precision::p32;
  if (p == "64") return Precision::p64;
  if (p == "128") return Precision::p128;
  throw CliError(kExitUsage, "--precision '" + p + "' must be auto, 32, 64 or 128");
}

}  // namespace

RenderPlan plan_render(const RenderOptions& o) {
  const bool zoom = o.frames != 0 || !o.zoom_to.empty();
  if (!o.region.empty() && (!o.center.empty() || !o.span.empty()))
    throw CliError(kExitUsage, "--region and --center/--span exclude each other");
  if (o.center.empty() != o.span.empty())
    throw CliError(kExitUsage, "--center and --span go together");
  if (o.region.empty() && o.center.empty())
    throw CliError(kExitUsage, "render needs --region X0,X1,Y0,Y1 or --center CX,CY --span WIDTH");
  if (zoom && (o.frames == 0 || o.zoom_to.empty()))
    throw CliError(kExitUsage, "--frames and --zoom-to go together");
  if (zoom && (o.frames < 2 || o.frames > 100000))
    throw CliError(kExitUsage, "--frames must be 2 to 100000, got " + std::to_string(o.frames));

  View start;
  Region region{};
  if (!o.region.empty()) {
    region = parse_region(o.region);
    start = view_of(region);
  } else {
    start = parse_view(o.center, o.span);
  }
  RenderRequest q;
  parse_size(o.size, &q.geometry.width, &q.geometry.height, kMaxImageSide);
  if (static_cast<uint32_t>(q.geometry.width) * q.geometry.height > kMaxImagePixels)
    throw CliError(kExitUsage, "--size '" + o.size + "' has more than 67108864 pixels");
  if (o.iterations < 1 || o.iterations > kMaxIterations)
    throw CliError(kExitUsage,
                   "--iterations must be 1 to 65535, got " + std::to_string(o.iterations));
  q.geometry.max_iter = static_cast<uint16_t>(o.iterations);
  uint16_t tw = 0, th = 0;
  try {
    parse_size(o.tile, &tw, &th, kMaxTileSide);
  } catch (const CliError&) {
    throw CliError(kExitUsage, "--tile '" + o.tile + "' must be WxH with each side 1 to 64");
  }
  q.geometry.tile_w = static_cast<uint8_t>(tw);
  q.geometry.tile_h = static_cast<uint8_t>(th);
  if (o.precision != "auto" && o.precision != "32" && o.precision != "64" && o.precision != "128")
    throw CliError(kExitUsage, "--precision '" + o.precision + "' must be auto, 32, 64 or 128");
  if (!palette_exists(o.palette))
    throw CliError(kExitUsage,
                   "--palette '" + o.palette + "' is not one of classic, gray, fire, ocean");
  q.node_mask = ~0ull;
  q.flags = o.no_controller ? 0 : RenderRequest::kRenderUseController;
  if (o.output.empty() && o.raw.empty() && o.meta.empty() && !o.verify && !o.json)
    throw CliError(kExitUsage,
                   "render needs somewhere to put the result: -o FILE.png, --raw "
                   "FILE.pgm, --meta FILE.json, --json or --verify");
  if (!o.nodes.empty())
    parse_index_list(o.nodes, "--nodes", UINT32_MAX);  // syntax now, range later

  RenderPlan plan;
  plan.palette = o.palette;
  plan.nodes = o.nodes;
  plan.verify = o.verify;
  plan.quiet = o.quiet;
  for (const std::string* p : {&o.output, &o.raw, &o.meta}) {
    if (p->empty()) continue;
    if (zoom && !has_frame_pattern(*p))
      throw CliError(kExitUsage, "with --frames, '" + *p + "' needs a %04d for the frame number");
    check_writable(zoom ? frame_path(*p, 0) : *p);
  }

  std::vector<View> views;
  if (zoom)
    views = zoom_path(start, parse_view3(o.zoom_to, "--zoom-to"), static_cast<uint32_t>(o.frames));
  else
    views.push_back(start);
  for (size_t k = 0; k < views.size(); ++k) {
    RenderFrame f;
    f.job = q;
    Region r = !zoom && !o.region.empty() ? region
                                          : region_of(views[k], q.geometry.width, q.geometry.height,
                                                      zoom ? "frame " + std::to_string(k)
                                                           : std::string("--center/--span"));
    f.job.geometry.region.x0 = r.x0;
    f.job.geometry.region.x1 = r.x1;
    f.job.geometry.region.y0 = r.y0;
    f.job.geometry.region.y1 = r.y1;
    f.job.geometry.precision = parse_precision(o.precision, r, q.geometry.width, q.geometry.height);
    auto name = [&](const std::string& p) {
      return p.empty() || !zoom ? p : frame_path(p, static_cast<uint32_t>(k));
    };
    f.png = name(o.output);
    f.raw = name(o.raw);
    f.meta = name(o.meta);
    plan.frames.push_back(f);
  }
  return plan;
}

void apply_node_list(RenderPlan& p, uint32_t node_count) {
  if (p.nodes.empty()) return;
  uint64_t mask = 0;
  for (uint32_t i : parse_index_list(p.nodes, "--nodes", node_count)) mask |= 1ull << i;
  for (auto& f : p.frames) f.job.node_mask = mask;
}

namespace {

nlohmann::json job_meta(const Session& s, const RenderRequest& job, const RenderResult& res,
                        bool verified) {
  const bool sim = s.simulated();
  const double pixels = static_cast<double>(job.geometry.width) * job.geometry.height;
  nlohmann::json per_node = nlohmann::json::array();
  for (uint8_t k = 0; k < res.summary.node_count; ++k) {
    const NodeTiles& t = res.summary.per_node[k];
    per_node.push_back({{"node", t.node == kControllerNode ? nlohmann::json("controller")
                                                           : nlohmann::json(t.node)},
                        {"tiles", t.tiles}});
  }
  const HelloReply& d = s.client->device();
  return {
      {"region",
       {{"x0", short_coord(job.geometry.region.x0)},
        {"x1", short_coord(job.geometry.region.x1)},
        {"y0", short_coord(job.geometry.region.y0)},
        {"y1", short_coord(job.geometry.region.y1)}}},
      {"width", job.geometry.width},
      {"height", job.geometry.height},
      {"iterations", job.geometry.max_iter},
      {"precision", std::stoi(precision_name(job.geometry.precision))},
      {"tile", {job.geometry.tile_w, job.geometry.tile_h}},
      {"tiles", res.summary.tiles},
      {"total_iterations", res.summary.iterations},
      {"nodes_used", res.summary.node_count},
      {"per_node", per_node},
      {"wall_s", res.wall_s},
      {sim ? "modelled_s" : "device_s", res.summary.elapsed_us / 1e6},
      {"i2c_bytes", res.summary.i2c_bytes},
      {"i2c_bytes_per_pixel", static_cast<double>(res.summary.i2c_bytes) / pixels},
      {"retries", res.summary.retries},
      {"integrity_errors", res.summary.integrity_errors},
      {"verified", verified},
      {"port", s.link->name()},
      {"firmware", std::to_string(d.fw_major) + "." + std::to_string(d.fw_minor) + "." +
                       std::to_string(d.fw_patch)},
  };
}

void verify_counts(const RenderRequest& job, const std::vector<uint16_t>& counts) {
  auto ref = reference_counts(job);
  for (size_t i = 0; i < ref.size(); ++i) {
    if (ref[i] != counts[i]) {
      size_t x = i % job.geometry.width, y = i / job.geometry.width;
      throw CliError(kExitMismatch, "verify failed: pixel (" + std::to_string(x) + ", " +
                                        std::to_string(y) + ") is " + std::to_string(counts[i]) +
                                        " from the cluster, " + std::to_string(ref[i]) +
                                        " from the host reference; no file written");
    }
  }
  spdlog::info("verify: all {} counts match the host reference", ref.size());
}

}  // namespace

RenderOutcome execute_plan(Session& s, const RenderPlan& p, const std::string& label) {
  RenderOutcome out;
  const size_t n = p.frames.size();
  for (size_t k = 0; k < n; ++k) {
    const RenderFrame& f = p.frames[k];
    const RenderRequest& job = f.job;
    std::string what =
        n > 1 ? label + " frame " + std::to_string(k + 1) + "/" + std::to_string(n) : label;
    spdlog::info("{}: {}x{}, {} iterations, {}-bit, {} tiles on {}", what, job.geometry.width,
                 job.geometry.height, job.geometry.max_iter, precision_name(job.geometry.precision),
                 tile_count(job.geometry), s.link->name());
    ProgressBar bar(!p.quiet, what);
    RenderResult res =
        run_render(*s.client, job, [&bar](uint32_t d, uint32_t t) { bar.update(d, t); });
    bar.clear();
    if (p.verify) verify_counts(job, res.counts);
    nlohmann::json meta = job_meta(s, job, res, p.verify);
    if (n > 1) meta["frame"] = k;

    std::vector<std::string> written;
    try {
      throw_if_interrupted();
      if (!f.png.empty()) {
        write_atomic(f.png, encode_png(res.counts, job.geometry.width, job.geometry.height,
                                       job.geometry.max_iter, p.palette));
        written.push_back(f.png);
      }
      if (!f.raw.empty()) {
        write_atomic(f.raw, encode_pgm(res.counts, job.geometry.width, job.geometry.height));
        written.push_back(f.raw);
      }
      if (!f.meta.empty()) {
        std::string text = meta.dump(2) + "\n";
        write_atomic(f.meta, std::vector<uint8_t>(text.begin(), text.end()));
        written.push_back(f.meta);
      }
    } catch (...) {
      for (const auto& w : written) ::unlink(w.c_str());
      throw;
    }
    spdlog::info("{}: {} tiles, wall {:.3f} s, {} {:.3f} s, {:.3f} I2C bytes/pixel", what,
                 res.summary.tiles, res.wall_s,
                 s.simulated() ? "modelled hardware time" : "device time",
                 res.summary.elapsed_us / 1e6,
                 static_cast<double>(res.summary.i2c_bytes) /
                     (static_cast<double>(job.geometry.width) * job.geometry.height));
    out.metas.push_back(std::move(meta));
    out.tiles += res.summary.tiles;
    out.wall_s += res.wall_s;
  }
  return out;
}

}  // namespace picocray::cli
