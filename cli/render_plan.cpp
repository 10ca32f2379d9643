#include "render_plan.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cluster_render.h"
#include "format.h"
#include "image.h"
#include "interrupt.h"
#include "lcd_image.h"
#include "multi_render.h"
#include "options.h"
#include "output_files.h"
#include "palette.h"
#include "parse.h"
#include "picocray/tile_block.h"
#include "progress.h"
#include "view.h"

namespace picocray::cli {

const char* precision_name(Precision p) {
  return p == Precision::p32 ? "32" : p == Precision::p64 ? "64" : "128";
}

void add_render_options(CLI::App& app, RenderOptions& o) {
  add_text_option(app, "--region", o.region, "X0,X1,Y0,Y1 as decimals within [-4, 4]; row 0 is Y1");
  add_text_option(app, "--center", o.center,
                  "CX,CY: the view's centre (with --span, instead of --region)");
  add_text_option(app, "--span", o.span, "The view's width; its height follows from --size");
  add_text_option(app, "--size", o.size, "Image size WxH, each side 1 to 16384")
      ->capture_default_str();
  add_whole_option(app, "--iterations", o.iterations, "Escape-count cap, 1 to 65535", 1,
                   kMaxIterations, "256");
  add_text_option(app, "-o,--output", o.output,
                  "PNG file to write, - for stdout (with --frames: holds %04d)")
      ->type_name("FILE");
  add_text_option(app, "--raw", o.raw,
                  "Counts as a 16-bit binary PGM (P5, maxval 65535); - for stdout")
      ->type_name("FILE");
  add_text_option(app, "--meta", o.meta, "Job facts as JSON (region, timing, bytes)")
      ->type_name("FILE");
  set_choices(add_text_option(app, "--precision", o.precision, "auto, 32, 64 or 128 bits")
                  ->capture_default_str(),
              {"auto", "32", "64", "128"});
  add_text_option(app, "--tile", o.tile, "Tile size WxH, each side 1 to 64")->capture_default_str();
  set_choices(add_text_option(app, "--palette", o.palette,
                              "classic, gray, fire or ocean; 'list' prints them")
                  ->capture_default_str(),
              {"classic", "gray", "fire", "ocean", "list"});
  add_text_option(app, "--nodes", o.nodes,
                  "Only these nodes, e.g. 0,2-3 (indexes as `nodes` lists them)");
  add_whole_option(app, "--frames", o.frames, "With --zoom-to: this many frames, 2 to 100000", 2,
                   100000);
  add_text_option(app, "--zoom-to", o.zoom_to,
                  "CX,CY,SPAN: the last frame's view (geometric zoom)");
  app.add_flag("--skip-existing", o.skip_existing,
               "Skip frames whose output files all exist already (resume a sequence)");
  app.add_flag("--verify", o.verify, "Check every count against the host reference");
  app.add_flag("--json", o.json, "Print the job facts as JSON on stdout");
  app.add_flag("--no-controller", o.no_controller, "Leave the controller's core out of the work");
  app.add_flag("--quiet", o.quiet, "No progress bar, errors only");
  app.add_flag("--display", o.display,
               "Draw the render on the controller's LCD too, scaled to fit, in --palette");
  app.add_option("--snapshot", o.snapshot,
                 "After the render, read the controller's LCD back into this 320x240 PNG "
                 "(implies --display; the same session, so it works on --port sim too)")
      ->type_name("FILE.png");
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

namespace {

// Fraction bits of the kernels' fixed point: 32, 64 and 128 bits.
int frac_bits(Precision p) {
  return p == Precision::p32 ? 27 : p == Precision::p64 ? 59 : Coord::kFracBits;
}

// log2 of the pixel step in units of 2^-123 (the smaller of the two axes); -1 when it is zero.
int step_log2(const Region& r, uint16_t w, uint16_t h) {
  bool overflow = false;
  Coord sx = fx::mul_div(fx::sub(r.x1, r.x0), 1, w, &overflow);
  Coord sy = fx::mul_div(fx::sub(r.y1, r.y0), 1, h, &overflow);
  const Coord& s = fx::cmp(sx, sy) < 0 ? sx : sy;
  for (int i = 3; i >= 0; --i)
    for (int b = 31; b >= 0; --b)
      if ((s.w[i] >> b) & 1u) return i * 32 + b;
  return -1;
}

// Pixels closer together than the last place of the precision get the same coordinate: flat
// blocks. That is refused (exit 2) with the limit; a forced precision coarser than auto's choice
// is warned about.
void check_depth(const Region& r, uint16_t w, uint16_t h, Precision used, bool forced,
                 const std::string& what) {
  const int top = step_log2(r, w, h);
  const int need = Coord::kFracBits - frac_bits(used);  // one unit of the last place
  if (top < need) {
    const double smallest = std::ldexp(1.0, -frac_bits(used)) * std::max(w, h);
    char lim[64];
    std::snprintf(lim, sizeof lim, "%.2g", smallest);
    if (!forced || used == Precision::p128)
      throw CliError(kExitUsage, what +
                                     " is too deep for 128-bit fixed point: neighbouring "
                                     "pixels would get the same coordinate (the span must be "
                                     "at least about " +
                                     std::string(lim) + " at this size)");
    throw CliError(kExitUsage, what + ": --precision " + precision_name(used) +
                                   " is too coarse for this view (neighbouring pixels would get "
                                   "the same coordinate; it needs a span of at least about " +
                                   lim + "); use --precision auto");
  }
  Precision best = choose_precision(r.x0, r.x1, r.y0, r.y1, w, h);
  if (forced && frac_bits(used) < frac_bits(best))
    spdlog::warn(
        "{}: --precision {} is coarse for this view (fewer than 2^10 units of the last "
        "place per pixel); auto would use {} bits",
        what, precision_name(used), precision_name(best));
}

}  // namespace

RenderPlan plan_render(const RenderOptions& o, OutputSet* outputs) {
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
  if (o.display || !o.snapshot.empty()) {
    q.flags |= RenderRequest::kRenderDisplay;
    q.display_palette = static_cast<uint8_t>(palette_id(o.palette));
  }
  if (o.output.empty() && o.raw.empty() && o.meta.empty() && !o.verify && !o.json && !o.display)
    throw CliError(kExitUsage,
                   "render needs somewhere to put the result: -o FILE.png, --raw "
                   "FILE.pgm, --meta FILE.json, --json, --verify or --display");
  if (!o.nodes.empty())
    parse_index_list(o.nodes, "--nodes", UINT32_MAX);  // syntax now, range later

  RenderPlan plan;
  plan.palette = o.palette;
  plan.nodes = o.nodes;
  plan.verify = o.verify;
  plan.quiet = o.quiet;
  plan.skip_existing = o.skip_existing;
  plan.display = o.display || !o.snapshot.empty();
  plan.snapshot = o.snapshot;
  // Every output checked now, for every frame: writable, not a directory, no two the same file.
  OutputSet own;
  OutputSet& taken = outputs != nullptr ? *outputs : own;
  if (o.json) taken.add("-", "--json");
  const std::pair<const std::string*, const char*> outs[] = {
      {&o.output, "-o"}, {&o.raw, "--raw"}, {&o.meta, "--meta"}};
  if (!o.snapshot.empty()) {
    check_output(o.snapshot, "--snapshot");
    taken.add(o.snapshot, "--snapshot");
  }
  for (const auto& [p, what] : outs) {
    if (p->empty()) continue;
    if (zoom && !has_frame_pattern(*p))
      throw CliError(kExitUsage, std::string("with --frames, ") + what + " '" + *p +
                                     "' needs a %04d for the frame number");
    const uint32_t n = zoom ? static_cast<uint32_t>(o.frames) : 1;
    for (uint32_t k = 0; k < n; ++k) {
      const std::string path = zoom ? frame_path(*p, k) : *p;
      check_output(path, what);
      taken.add(path, what);
    }
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
    check_depth(r, q.geometry.width, q.geometry.height, f.job.geometry.precision,
                o.precision != "auto",
                zoom                ? "frame " + std::to_string(k)
                : !o.region.empty() ? "--region " + o.region
                                    : "--span " + o.span);
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

// By node index, the controller (0xFF) last.
nlohmann::json per_node_json(const RenderSummary& summary) {
  nlohmann::json per_node = nlohmann::json::array();
  std::vector<NodeTiles> per(summary.per_node, summary.per_node + summary.node_count);
  std::sort(per.begin(), per.end(),
            [](const NodeTiles& a, const NodeTiles& b) { return a.node < b.node; });
  for (const NodeTiles& t : per) {
    per_node.push_back({{"node", t.node == kControllerNode ? nlohmann::json("controller")
                                                           : nlohmann::json(t.node)},
                        {"tiles", t.tiles}});
  }
  return per_node;
}

nlohmann::json region_json(const RenderRequest& job) {
  return {{"x0", short_coord(job.geometry.region.x0)},
          {"x1", short_coord(job.geometry.region.x1)},
          {"y0", short_coord(job.geometry.region.y0)},
          {"y1", short_coord(job.geometry.region.y1)}};
}

std::string firmware_of(const Session& s) {
  const HelloReply& d = s.client->device();
  return version_string(d.fw_major, d.fw_minor, d.fw_patch);
}

// The job's own facts, the same in every render's meta: its region, grid and precision.
nlohmann::json job_fields(const RenderRequest& job) {
  return {
      {"region", region_json(job)},
      {"width", job.geometry.width},
      {"height", job.geometry.height},
      {"iterations", job.geometry.max_iter},
      {"precision", std::stoi(precision_name(job.geometry.precision))},
      {"tile", {job.geometry.tile_w, job.geometry.tile_h}},
  };
}

nlohmann::json job_meta(const Session& s, const RenderRequest& job, const RenderResult& res,
                        bool verified) {
  const bool sim = s.simulated();
  const double pixels = static_cast<double>(job.geometry.width) * job.geometry.height;
  nlohmann::json per_node = per_node_json(res.summary);
  nlohmann::json meta = job_fields(job);
  meta.update({
      {"tiles", res.summary.tiles},
      {"rounds", res.rounds},
      {"tiles_computed", res.tiles_computed},
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
      {"firmware", firmware_of(s)},
  });
  return meta;
}

// A job over several clusters: the single-cluster fields where they add up (the device time is
// the busiest cluster's), and each cluster's share.
nlohmann::json multi_meta(const std::vector<Session>& ss, const RenderRequest& job,
                          const MultiRenderResult& res, bool verified) {
  const double pixels = static_cast<double>(job.geometry.width) * job.geometry.height;
  bool sim = true;
  for (const Session& s : ss) sim = sim && s.simulated();
  const char* time_key = sim ? "modelled_s" : "device_s";
  nlohmann::json clusters = nlohmann::json::array(), ports = nlohmann::json::array();
  uint32_t rounds = 0, computed = 0, retries = 0, integrity = 0;
  uint64_t i2c = 0;
  double device_s = 0;
  for (size_t k = 0; k < ss.size(); ++k) {
    const ClusterShare& c = res.clusters[k];
    rounds += c.rounds;
    computed += c.tiles_computed;
    i2c += c.summary.i2c_bytes;
    retries += c.summary.retries;
    integrity += c.summary.integrity_errors;
    device_s = std::max(device_s, c.summary.elapsed_us / 1e6);
    ports.push_back(c.port);
    clusters.push_back(
        {{"port", c.port},
         {"firmware", firmware_of(ss[k])},
         {"tiles", c.tiles},
         {"pixels", c.pixels},
         {"share", static_cast<double>(c.pixels) / pixels},
         {"iterations", c.iterations},
         {"requests", c.requests},
         {"copies", c.copies},
         {"overtaken", c.overtaken},
         {"rounds", c.rounds},
         {"tiles_computed", c.tiles_computed},
         {"wall_s", c.wall_s},
         {ss[k].simulated() ? "modelled_s" : "device_s", c.summary.elapsed_us / 1e6},
         {"i2c_bytes", c.summary.i2c_bytes},
         {"per_node", per_node_json(c.summary)},
         {"failed", c.failed.empty() ? nlohmann::json() : nlohmann::json(c.failed)}});
  }
  nlohmann::json meta = job_fields(job);
  meta.update({
      {"tiles", res.tiles},
      {"rounds", rounds},
      {"tiles_computed", computed},
      {"total_iterations", res.iterations},
      {"wall_s", res.wall_s},
      {time_key, device_s},
      {"i2c_bytes", i2c},
      {"i2c_bytes_per_pixel", static_cast<double>(i2c) / pixels},
      {"retries", retries},
      {"integrity_errors", integrity},
      {"verified", verified},
      {"ports", ports},
      {"clusters", clusters},
  });
  return meta;
}

// One frame's counts and its job facts, from one cluster or several.
struct FrameResult {
  std::vector<uint16_t> counts;
  nlohmann::json meta;
  uint32_t tiles = 0;
  double wall_s = 0;
};

FrameResult render_frame(std::vector<Session>& ss, const RenderRequest& job, ProgressBar& bar,
                         bool verify, const std::string& what);

}  // namespace

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

namespace {

FrameResult render_frame(std::vector<Session>& ss, const RenderRequest& job, ProgressBar& bar,
                         bool verify, const std::string& what) {
  FrameResult fr;
  auto progress = [&bar](uint32_t d, uint32_t t) { bar.update(d, t); };
  if (ss.size() == 1) {
    Session& s = ss[0];
    RenderResult res = render_on_cluster(*s.client, job, progress);
    bar.clear();
    if (verify) verify_counts(job, res.counts);
    fr.meta = job_meta(s, job, res, verify);
    fr.tiles = res.summary.tiles;
    fr.wall_s = res.wall_s;
    fr.counts = std::move(res.counts);
    spdlog::info("{}: {} tiles, wall {:.3f} s, {} {:.3f} s, {:.3f} I2C bytes/pixel", what,
                 res.summary.tiles, res.wall_s,
                 s.simulated() ? "modelled hardware time" : "device time",
                 res.summary.elapsed_us / 1e6,
                 static_cast<double>(res.summary.i2c_bytes) /
                     (static_cast<double>(job.geometry.width) * job.geometry.height));
    return fr;
  }
  std::vector<Client*> clients;
  std::vector<std::string> ports;
  for (Session& s : ss) {
    if (s.client->minor() < 2)
      throw CliError(kExitProtocol,
                     s.link->name() + " speaks protocol 1." + std::to_string(s.client->minor()) +
                         ": a render over several clusters needs 1.2 (tile subsets)");
    clients.push_back(s.client.get());
    ports.push_back(s.link->name());
  }
  bool in_process = true;  // every cluster simulated here: hand out by their modelled clocks
  for (Session& s : ss) in_process = in_process && s.link->simulator() != nullptr;
  MultiRenderResult res = render_on_clusters(clients, ports, job, progress, in_process);
  bar.clear();
  if (verify) verify_counts(job, res.counts);
  fr.meta = multi_meta(ss, job, res, verify);
  fr.tiles = res.tiles;
  fr.wall_s = res.wall_s;
  fr.counts = std::move(res.counts);
  for (const ClusterShare& c : res.clusters)
    spdlog::info("{}: {}: {} tiles ({:.1f}%) in {} requests, wall {:.3f} s{}", what, c.port,
                 c.tiles, 100.0 * c.tiles / std::max<uint32_t>(res.tiles, 1), c.requests, c.wall_s,
                 c.failed.empty() ? "" : ", then failed: " + c.failed);
  return fr;
}

}  // namespace

RenderOutcome run_plan(Session& s, const RenderPlan& p, const std::string& label) {
  std::vector<Session> one;
  one.push_back(std::move(s));
  try {
    RenderOutcome out = run_plan(one, p, label);
    s = std::move(one[0]);
    return out;
  } catch (...) {
    s = std::move(one[0]);
    throw;
  }
}

RenderOutcome run_plan(std::vector<Session>& ss, const RenderPlan& p, const std::string& label) {
  RenderOutcome out;
  if (p.display && ss.size() > 1)
    throw CliError(kExitUsage,
                   "--display mirrors a render on one controller's LCD: give one --port, not " +
                       std::to_string(ss.size()));
  if (p.display && !ss[0].client->has_display())
    throw CliError(kExitCluster,
                   "--display: the controller has no display (it needs an LCD that "
                   "answered at start-up, and protocol 1.5)");
  const size_t n = p.frames.size();
  for (size_t k = 0; k < n; ++k) {
    const RenderFrame& f = p.frames[k];
    const RenderRequest& job = f.job;
    std::string what =
        n > 1 ? label + " frame " + std::to_string(k + 1) + "/" + std::to_string(n) : label;
    if (p.skip_existing) {
      bool any = false, all = true;
      for (const std::string* path : {&f.png, &f.raw, &f.meta}) {
        if (path->empty()) continue;
        any = true;
        all = all && output_exists(*path);
      }
      if (any && all) {
        spdlog::info("{}: skipped, its files exist (--skip-existing)", what);
        ++out.frames_skipped;
        continue;
      }
    }
    std::string where;
    for (const Session& s : ss) where += (where.empty() ? "" : ", ") + s.link->name();
    spdlog::info("{}: {}x{}, {} iterations, {}-bit, {} tiles on {}", what, job.geometry.width,
                 job.geometry.height, job.geometry.max_iter, precision_name(job.geometry.precision),
                 tile_count(job.geometry), where);
    ProgressBar bar(!p.quiet, what);
    FrameResult res = render_frame(ss, job, bar, p.verify, what);
    nlohmann::json& meta = res.meta;
    if (n > 1) meta["frame"] = k;

    std::vector<std::string> written;
    try {
      throw_if_interrupted();
      if (!f.png.empty()) {
        write_output(f.png, encode_png(res.counts, job.geometry.width, job.geometry.height,
                                       job.geometry.max_iter, p.palette));
        written.push_back(f.png);
      }
      if (!f.raw.empty()) {
        write_output(f.raw, encode_pgm(res.counts, job.geometry.width, job.geometry.height));
        written.push_back(f.raw);
      }
      if (!f.meta.empty()) {
        std::string text = meta.dump(2) + "\n";
        write_output(f.meta, std::vector<uint8_t>(text.begin(), text.end()));
        written.push_back(f.meta);
      }
    } catch (...) {
      for (const auto& w : written) remove_output(w);
      throw;
    }
    out.metas.push_back(std::move(meta));
    out.tiles += res.tiles;
    ++out.frames_rendered;
    out.wall_s += res.wall_s;
  }
  if (!p.snapshot.empty()) write_output(p.snapshot, encode_lcd_png(ss[0].client->display_read()));
  return out;
}

}  // namespace picocray::cli
