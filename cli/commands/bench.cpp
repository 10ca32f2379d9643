// picocray bench: documented scenes, timed on the cluster and on one Pico, as a table, JSON or CSV.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "cluster_render.h"
#include "command.h"
#include "format.h"
#include "multi_render.h"
#include "options.h"
#include "picocray/tile_block.h"
#include "progress.h"
#include "render_plan.h"

namespace picocray::cli {

namespace {

struct Scene {
  const char* name;
  const char* what;
  RenderOptions opts;
};

std::vector<Scene> all_scenes() {
  std::vector<Scene> s(3);
  s[0].name = "overview";
  s[0].what = "the whole set, 32-bit";
  s[0].opts.region = "-2.5,1,-1.25,1.25";
  s[0].opts.size = "640x480";
  s[0].opts.iterations = 256;
  s[1].name = "seahorse";
  s[1].what = "seahorse valley, long escapes, 32-bit";
  s[1].opts.center = "-0.7465,0.09875";
  s[1].opts.span = "0.03";
  s[1].opts.size = "640x480";
  s[1].opts.iterations = 2048;
  s[2].name = "deep";
  s[2].what = "a span of 1e-20 on the real axis near -1.7497, 128-bit";
  s[2].opts.center = "-1.7497219297423015,0";
  s[2].opts.span = "1e-20";
  s[2].opts.size = "320x240";
  s[2].opts.iterations = 1024;
  s[2].opts.precision = "128";
  for (auto& x : s) x.opts.json = true;  // no files: the figures are the output
  return s;
}

struct BenchOptions {
  std::string scenes;
  std::string sweep;
  std::string clusters_sweep;  // copies of the simulated cluster, shared out by modelled clocks
  bool json = false;
  bool csv = false;
  bool no_baseline = false;
  bool verify = false;
  std::string board;  // empty: as the port is
};

struct Row {
  std::string scene;
  uint32_t nodes = 0;
  RenderRequest job;
  RenderResult res;
  std::optional<double> single_s;   // the controller alone (one core), device clock: hardware only
  std::optional<sim::Model> model;  // the simulator's timing model, for the bounds
  // The job's modelled cycles as the in-process simulator counted them: the iterations its
  // kernels ran, which cycle detection makes fewer than the counts (sim::Stats::job_cycles).
  std::optional<double> job_cycles;
  bool verified = false;
};

// The figures a simulated run is judged by (docs/performance.md): what one Pico would take with
// both cores and no bus, and the bounds no schedule can beat.
struct Bounds {
  double single_pico_s, compute_s, bus_s, usb_s, controller_s, bound_s;
};

Bounds bounds_of(const Row& r, const sim::Model& m) {
  const double pixels = static_cast<double>(r.job.geometry.width) * r.job.geometry.height;
  const int p = r.job.geometry.precision == Precision::p32   ? 0
                : r.job.geometry.precision == Precision::p64 ? 1
                                                             : 2;
  // A simulator in another process: the counts as iterations, every one in the plain loop (an
  // upper bound: it knows nothing of the cycles the kernels found).
  const double cycles = r.job_cycles
                            ? *r.job_cycles
                            : static_cast<double>(r.res.summary.iterations) * m.cycles_per_iter[p] +
                                  pixels * m.cycles_per_pixel;
  const bool controller = (r.job.flags & RenderRequest::kRenderUseController) != 0;
  const double cores = 2.0 * r.nodes + (controller ? 1 : 0);
  Bounds b;
  b.single_pico_s = cycles / (2.0 * m.cpu_hz);
  b.compute_s = cycles / (cores * m.cpu_hz);
  // The wires: 9 SCL periods a byte at the period the I2C block makes of the rate asked.
  const double bytes = static_cast<double>(r.res.summary.i2c_bytes);
  b.bus_s = bytes * 9.0 * static_cast<double>(sim::scl_period_cycles(m)) / m.cpu_hz;
  b.usb_s = static_cast<double>(r.res.frame_bytes) / m.usb_bytes_per_s;
  // The controller's core 0 makes every transfer (pico-sdk's blocking calls) and puts every tile
  // frame into TinyUSB's queue, one after the other: the wires, its software per transfer and per
  // data byte (at least all but two bytes a transfer are data), and its CPU per frame byte.
  const double transfers = r.res.summary.i2c_transactions;
  const double data_bytes = std::max(0.0, bytes - 2 * transfers);
  b.controller_s = b.bus_s + transfers * m.i2c_overhead_ns * 1e-9 +
                   data_bytes * std::min(m.i2c_read_byte_ns, m.i2c_write_byte_ns) * 1e-9 +
                   static_cast<double>(r.res.frame_bytes) * m.usb_cpu_ns_per_byte * 1e-9;
  b.bound_s = std::max({b.compute_s, b.bus_s, b.usb_s, b.controller_s});
  return b;
}

nlohmann::json row_json(const Row& r, bool sim) {
  const double pixels = static_cast<double>(r.job.geometry.width) * r.job.geometry.height;
  const double device_s = r.res.summary.elapsed_us / 1e6;
  nlohmann::json share = nlohmann::json::array();
  // By node index, the controller (0xFF) last.
  std::vector<NodeTiles> per(r.res.summary.per_node,
                             r.res.summary.per_node + r.res.summary.node_count);
  std::sort(per.begin(), per.end(),
            [](const NodeTiles& a, const NodeTiles& b) { return a.node < b.node; });
  for (const NodeTiles& t : per) {
    share.push_back(
        {{"node",
          t.node == kControllerNode ? nlohmann::json("controller") : nlohmann::json(t.node)},
         {"tiles", t.tiles},
         {"share",
          r.res.summary.tiles ? static_cast<double>(t.tiles) / r.res.summary.tiles : 0.0}});
  }
  auto opt = [](const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  std::optional<double> speedup, single_modelled, compute, bus, usb, controller_b, bound,
      efficiency;
  if (sim && r.model) {
    Bounds b = bounds_of(r, *r.model);
    single_modelled = b.single_pico_s;
    compute = b.compute_s;
    bus = b.bus_s;
    usb = b.usb_s;
    controller_b = b.controller_s;
    bound = b.bound_s;
    if (device_s > 0) speedup = b.single_pico_s / device_s;
  } else if (r.single_s && device_s > 0) {
    speedup = *r.single_s / device_s;
  }
  // Against the ideal: every core of the cluster over one Pico's two.
  const bool controller = (r.job.flags & RenderRequest::kRenderUseController) != 0;
  const double ideal = (2.0 * r.nodes + (controller ? 1 : 0)) / 2.0;
  if (speedup) efficiency = *speedup / ideal;
  return {{"name", r.scene},
          {"nodes", r.nodes},
          {"width", r.job.geometry.width},
          {"height", r.job.geometry.height},
          {"iterations", r.job.geometry.max_iter},
          {"precision", std::stoi(precision_name(r.job.geometry.precision))},
          {"tiles", r.res.summary.tiles},
          {"total_iterations", r.res.summary.iterations},
          {"wall_s", r.res.wall_s},
          {"pixels_per_s", pixels / r.res.wall_s},
          {"iterations_per_s", static_cast<double>(r.res.summary.iterations) / r.res.wall_s},
          {"i2c_bytes", r.res.summary.i2c_bytes},
          {"i2c_bytes_per_pixel", static_cast<double>(r.res.summary.i2c_bytes) / pixels},
          {"device_s", device_s},
          {"modelled_s", sim ? nlohmann::json(device_s) : nlohmann::json(nullptr)},
          {"single_pico_device_s", opt(r.single_s)},
          {"single_pico_modelled_s", opt(single_modelled)},
          {"speedup", opt(speedup)},
          {"parallel_efficiency", opt(efficiency)},
          {"compute_bound_s", opt(compute)},
          {"bus_bound_s", opt(bus)},
          {"usb_bound_s", opt(usb)},
          {"controller_bound_s", opt(controller_b)},
          {"bound_s", opt(bound)},
          {"modelled_over_bound",
           bound && *bound > 0 ? nlohmann::json(device_s / *bound) : nlohmann::json(nullptr)},
          {"verified", r.verified},
          {"node_share", share}};
}

const char* kCsvColumns =
    "name,nodes,width,height,iterations,precision,tiles,total_iterations,wall_s,pixels_per_s,"
    "iterations_per_s,i2c_bytes,i2c_bytes_per_pixel,device_s,modelled_s,single_pico_modelled_s,"
    "single_pico_device_s,speedup,parallel_efficiency,compute_bound_s,bus_bound_s,usb_bound_s,"
    "bound_s,modelled_over_bound,controller_bound_s";

std::string csv_row(const nlohmann::json& j) {
  std::string out;
  for (const auto& col : split(kCsvColumns, ',')) {
    const auto& v = j.at(col);
    if (!out.empty()) out += ',';
    if (v.is_null()) continue;
    if (v.is_string())
      out += v.get<std::string>();
    else if (v.is_number_float()) {
      char b[32];
      std::snprintf(b, sizeof b, "%.6g", v.get<double>());
      out += b;
    } else {
      out += v.dump();
    }
  }
  return out;
}

void print_table(const std::vector<nlohmann::json>& rows, bool sim) {
  const char* t = sim ? "modelled_s" : "device_s";
  std::printf("%-9s %5s %-9s %5s %4s %6s %8s %8s %8s %8s %10s %10s %7s\n", "SCENE", "NODES", "SIZE",
              "ITER", "BITS", "TILES", "WALL_S", "MPIX/S", "GITER/S", "I2C_B/PX", t,
              sim ? "1PICO_MOD_S" : "1PICO_S", "SPEEDUP");
  for (const auto& j : rows) {
    std::string size =
        std::to_string(j["width"].get<int>()) + "x" + std::to_string(j["height"].get<int>());
    const char* single_key = sim ? "single_pico_modelled_s" : "single_pico_device_s";
    double single = j[single_key].is_null() ? 0 : j[single_key].get<double>();
    double speed = j["speedup"].is_null() ? 0 : j["speedup"].get<double>();
    std::printf("%-9s %5u %-9s %5u %4u %6u %8.3f %8.3f %8.4f %8.3f %10.3f %10.3f %6.2fx\n",
                j["name"].get<std::string>().c_str(), j["nodes"].get<unsigned>(), size.c_str(),
                j["iterations"].get<unsigned>(), j["precision"].get<unsigned>(),
                j["tiles"].get<unsigned>(), j["wall_s"].get<double>(),
                j["pixels_per_s"].get<double>() / 1e6, j["iterations_per_s"].get<double>() / 1e9,
                j["i2c_bytes_per_pixel"].get<double>(), j["device_s"].get<double>(), single, speed);
    std::string shares;
    for (const auto& s : j["node_share"]) {
      std::string who = s["node"].is_string() ? "ctl" : std::to_string(s["node"].get<int>());
      char b[32];
      std::snprintf(b, sizeof b, " %s:%.0f%%", who.c_str(), 100 * s["share"].get<double>());
      shares += b;
    }
    std::printf("          tile share:%s\n", shares.c_str());
  }
  if (sim)
    std::printf(
        "Times are modelled RP2040 hardware time from the simulator's timing model. 1PICO: the "
        "job's modelled cycles on one Pico's two cores, no bus; SPEEDUP = 1PICO / %s.\n",
        t);
  else
    std::printf(
        "1PICO: the same job on the controller alone, which computes on its core 1 only (core 0 "
        "runs the link); SPEEDUP = 1PICO / %s.\n",
        t);
}

// The timing model a simulated cluster runs, for the one-Pico figure and the bounds: the
// simulator's own when it runs in this process; over a link (`picocray sim` behind tcp:// or a
// pseudo-terminal) what INFO says. INFO carries the clock and the I2C rate today; the USB rate and
// the cycle counts arrive with protocol 1.2's InfoReply timing-model fields; until then they are
// the defaults, and `note` says so (the JSON's "timing_model").
sim::Model timing_model_of(Session& s, std::string& note) {
  if (s.link->simulator() != nullptr) {
    note = "the in-process simulator's";
    return s.link->simulator()->config().model;
  }
  sim::Model m;
  InfoReply i = s.client->info();
  if (i.cpu_hz != 0) m.cpu_hz = i.cpu_hz;
  if (i.i2c_hz != 0) m.i2c_hz = i.i2c_hz;
  // TODO(protocol 1.2): take usb_bytes_per_s, cycles_per_iter and cycles_per_pixel from INFO.
  note =
      "the server's clock and I2C rate (INFO); USB rate and cycle counts: the defaults "
      "(INFO carries them from protocol 1.2)";
  return m;
}

// --clusters-sweep: each scene over 1, 2, ... copies of the simulated cluster of --port, shared out
// by their modelled clocks (multi_render.h); the time is the busiest cluster's, modelled.
int run_cluster_sweep(const Globals& g, const BenchOptions& o, const std::vector<Scene>& chosen,
                      const std::vector<RenderPlan>& plans) {
  if (!in_process_sim(g.port))
    throw CliError(kExitUsage,
                   "--clusters-sweep opens copies of a simulated cluster: give --port sim or "
                   "sim:N (over real clusters, render with several --port and --json)");
  const std::vector<uint32_t> counts =
      parse_count_list(o.clusters_sweep, "--clusters-sweep", 1, 16);
  std::vector<nlohmann::json> rows;
  std::map<std::string, double> one;  // per scene: the modelled time on one cluster
  uint32_t nodes = 0;
  for (uint32_t k : counts) {
    std::vector<Session> ss;
    std::vector<Client*> clients;
    std::vector<std::string> ports;
    for (uint32_t i = 0; i < k; ++i) ss.push_back(connect_port(g, g.port));
    for (Session& s : ss) {
      clients.push_back(s.client.get());
      ports.push_back(s.link->name());
    }
    nodes = ss[0].client->device().node_count;
    for (size_t j = 0; j < chosen.size(); ++j) {
      const RenderRequest& job = plans[j].frames[0].job;
      const std::string name = chosen[j].name;
      ProgressBar bar(!g.quiet, "bench " + name + " (" + std::to_string(k) + " clusters)");
      auto progress = [&bar](uint32_t a, uint32_t b) { bar.update(a, b); };
      double t = 0;
      nlohmann::json tiles = nlohmann::json::array();
      if (k == 1 || !one.count(name)) {
        RenderResult r = render_on_cluster(*clients[0], job, progress);
        one[name] = r.summary.elapsed_us / 1e6;
        t = one[name];
        tiles.push_back(r.summary.tiles);
      }
      if (k > 1) {
        MultiRenderResult m = render_on_clusters(clients, ports, job, progress, true);
        t = 0;
        tiles = nlohmann::json::array();
        for (const ClusterShare& c : m.clusters) {
          t = std::max(t, c.summary.elapsed_us / 1e6);
          tiles.push_back(c.tiles);
        }
      }
      const double speedup = one[name] / t;
      rows.push_back({{"name", name},
                      {"clusters", k},
                      {"nodes", nodes},
                      {"modelled_s", t},
                      {"speedup", speedup},
                      {"efficiency", speedup / k},
                      {"tiles_per_cluster", tiles}});
    }
  }
  if (o.json) {
    nlohmann::json doc = {{"port", g.port}, {"time_basis", "modelled"}, {"clusters_sweep", rows}};
    std::printf("%s\n", doc.dump(2).c_str());
  } else if (o.csv) {
    std::printf("name,clusters,nodes,modelled_s,speedup,efficiency\n");
    for (const auto& r : rows)
      std::printf("%s,%u,%u,%.6g,%.6g,%.6g\n", r["name"].get<std::string>().c_str(),
                  r["clusters"].get<uint32_t>(), r["nodes"].get<uint32_t>(),
                  r["modelled_s"].get<double>(), r["speedup"].get<double>(),
                  r["efficiency"].get<double>());
  } else {
    std::printf("%-9s %8s %6s %11s %8s %10s\n", "SCENE", "CLUSTERS", "NODES", "MODELLED_S",
                "SPEEDUP", "EFFICIENCY");
    for (const auto& r : rows)
      std::printf("%-9s %8u %6u %11.3f %7.2fx %10.2f\n", r["name"].get<std::string>().c_str(),
                  r["clusters"].get<uint32_t>(), r["nodes"].get<uint32_t>(),
                  r["modelled_s"].get<double>(), r["speedup"].get<double>(),
                  r["efficiency"].get<double>());
  }
  return kExitOk;
}

int run_bench(const Globals& given, const BenchOptions& o) {
  if (o.json && o.csv) throw CliError(kExitUsage, "--json and --csv exclude each other");
  if (given.ports.size() > 1)
    throw CliError(kExitUsage,
                   "bench measures one cluster: give one --port (a render over "
                   "several clusters reports each one's share with --json)");
  Globals g = given;
  if (!o.board.empty()) {
    if (g.port != "sim" && g.port.rfind("sim:", 0) != 0)
      throw CliError(kExitUsage,
                     "--board models the boards of --port sim; for a served simulator "
                     "give `picocray sim --board`, real boards are what they are");
    g.sim.model = o.board == "pico2" ? sim::rp2350_model() : sim::Model{};
  }
  auto scenes = all_scenes();
  std::vector<Scene> chosen;
  if (o.scenes.empty()) {
    chosen = scenes;
  } else {
    for (const auto& name : split(o.scenes, ',')) {
      auto it = std::find_if(scenes.begin(), scenes.end(),
                             [&](const Scene& s) { return name == s.name; });
      if (it == scenes.end())
        throw CliError(kExitUsage,
                       "--scenes: '" + name + "' is not one of overview, seahorse, deep");
      chosen.push_back(*it);
    }
  }
  std::vector<uint32_t> sweep;
  if (!o.sweep.empty()) sweep = parse_count_list(o.sweep, "--nodes-sweep", 1, 64);
  const bool in_process = in_process_sim(g.port);

  std::vector<RenderPlan> plans;
  for (const auto& s : chosen) plans.push_back(plan_render(s.opts));
  if (!o.clusters_sweep.empty()) {
    if (!o.sweep.empty())
      throw CliError(kExitUsage, "--nodes-sweep and --clusters-sweep exclude each other");
    return run_cluster_sweep(g, o, chosen, plans);
  }

  std::optional<Session> shared;
  if (sweep.empty() || !in_process) shared = connect(g);
  std::vector<nlohmann::json> rows;
  std::map<std::string, double> single;  // per scene: the baseline does not depend on the nodes
  bool sim = false;
  std::string port, firmware, model_note;
  const std::vector<uint32_t> counts = sweep.empty() ? std::vector<uint32_t>{0} : sweep;
  for (uint32_t count : counts) {
    std::optional<Session> own;
    if (!shared) own = connect_port(g, "sim:" + std::to_string(count));
    Session& s = shared ? *shared : *own;
    sim = s.simulated();
    port = s.link->name();
    const HelloReply& d = s.client->device();
    firmware = version_string(d.fw_major, d.fw_minor, d.fw_patch);
    uint64_t mask = ~0ull;
    uint32_t nodes = d.node_count;
    if (count != 0 && shared) {
      if (count > d.node_count)
        throw CliError(kExitUsage, "--nodes-sweep " + std::to_string(count) + ": the cluster has " +
                                       std::to_string(d.node_count) + " nodes");
      mask = count >= 64 ? ~0ull : (1ull << count) - 1;
      nodes = count;
    }
    for (size_t k = 0; k < chosen.size(); ++k) {
      Row r;
      r.scene = chosen[k].name;
      r.nodes = nodes;
      r.job = plans[k].frames[0].job;
      r.job.node_mask = mask;
      const std::string label = "bench " + r.scene + " (" + std::to_string(nodes) + " nodes)";
      spdlog::info("{}: {}", label, chosen[k].what);
      {
        ProgressBar bar(!g.quiet, label);
        r.res = render_on_cluster(*s.client, r.job,
                                  [&bar](uint32_t a, uint32_t b) { bar.update(a, b); });
      }
      if (o.verify) {
        verify_counts(r.job, r.res.counts);
        r.verified = true;
      }
      if (s.link->simulator() != nullptr)
        r.job_cycles = static_cast<double>(s.link->simulator()->stats().job_cycles);
      if (sim) r.model = timing_model_of(s, model_note);
      // On the simulator the one-Pico figure comes from the model; on boards it is measured.
      if (!o.no_baseline && !sim) {
        if (!single.count(r.scene)) {
          RenderRequest one = r.job;
          one.node_mask = 0;
          one.flags = RenderRequest::kRenderUseController;
          ProgressBar bar(!g.quiet, "bench " + r.scene + " (one Pico)");
          RenderResult base = render_on_cluster(
              *s.client, one, [&bar](uint32_t a, uint32_t b) { bar.update(a, b); });
          single[r.scene] = base.summary.elapsed_us / 1e6;
        }
        r.single_s = single[r.scene];
      }
      rows.push_back(row_json(r, sim));
    }
  }

  if (o.json) {
    nlohmann::json doc = {
        {"port", port},
        {"simulated", sim},
        {"modelled_board", o.board.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.board)},
        {"firmware", firmware},
        {"time_basis", sim ? "modelled" : "device"},
        {"timing_model", sim ? nlohmann::json(model_note) : nlohmann::json()},
        {"single_pico", sim ? "one Pico, both cores, no bus: the modelled "
                              "cycles of the job over two cores"
                            : "the controller alone: one core (core 1) computes"},
        {"scenes", rows}};
    std::printf("%s\n", doc.dump(2).c_str());
  } else if (o.csv) {
    std::printf("%s\n", kCsvColumns);
    for (const auto& r : rows) std::printf("%s\n", csv_row(r).c_str());
  } else {
    print_table(rows, sim);
  }
  return kExitOk;
}

}  // namespace

void add_bench_command(CLI::App& app, Globals& g) {
  auto o = std::make_shared<BenchOptions>();
  auto* cmd = app.add_subcommand("bench", "Time documented scenes on the cluster and on one Pico");
  set_choices(add_text_option(*cmd, "--scenes", o->scenes,
                              "Some of overview, seahorse, deep (default: all)"),
              {"overview", "seahorse", "deep"});
  add_text_option(*cmd, "--nodes-sweep", o->sweep,
                  "Node counts, e.g. 1,2,4,8: a scaling table (sim: a fresh sim:N each; "
                  "hardware: the first N nodes)");
  add_text_option(*cmd, "--clusters-sweep", o->clusters_sweep,
                  "Cluster counts, e.g. 1,2,4 (1 to 16): each scene over that many copies of the "
                  "simulated cluster of --port, shared out by their modelled clocks");
  cmd->add_flag("--json", o->json, "One JSON document on stdout");
  cmd->add_flag("--csv", o->csv, "CSV on stdout, one row per scene and node count");
  cmd->add_flag("--no-baseline", o->no_baseline, "Skip the single-Pico run (no speedup)");
  cmd->add_flag("--verify", o->verify,
                "Check every scene's counts against the host reference (exit 7 on a difference)");
  cmd->add_option("--board", o->board,
                  "Boards the simulated cluster models (--port sim): pico (RP2040) or pico2 "
                  "(RP2350: 150 MHz, its Cortex-M33 kernels' cycles)")
      ->check(CLI::IsMember({"pico", "pico2"}));
  cmd->footer(
      "Scenes: overview (-2.5,1,-1.25,1.25, 640x480, 256 iterations), seahorse (centre\n"
      "-0.7465,0.09875, span 0.03, 640x480, 2048 iterations), deep (centre "
      "-1.7497219297423015,0,\n"
      "span 1e-20, 320x240, 1024 iterations, 128-bit). On the simulator times are modelled\n"
      "hardware time, and the single-Pico figure is the same job's modelled cycles over one "
      "Pico's\n"
      "two cores with no bus; on boards it is the controller alone (core 1 computes), measured.\n"
      "Examples:\n  picocray --port sim bench\n  picocray --port sim bench --scenes overview "
      "--nodes-sweep 1,2,4,8 --csv\n"
      "  picocray --port sim:8 bench --scenes overview,seahorse --clusters-sweep 1,2,4\n");
  cmd->callback([&g, o]() { g.exit_code = run_bench(g, *o); });
}

}  // namespace picocray::cli
