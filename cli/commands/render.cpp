// picocray render: a region of the Mandelbrot set, computed across the cluster, to PNG and PGM.
#include <spdlog/spdlog.h>

#include <cstdio>

#include "command.h"
#include "palette.h"
#include "render_plan.h"

namespace picocray::cli {

namespace {

int run_render_command(const Globals& g, RenderOptions o) {
  if (o.palette == "list") {
    for (const auto& name : palette_names()) std::printf("%s\n", name.c_str());
    return kExitOk;
  }
  if (o.quiet) spdlog::set_level(spdlog::level::err);  // render's own --quiet, as the global -q
  o.quiet = o.quiet || g.quiet;
  RenderPlan plan = plan_render(o);
  if (g.ports.size() > 1 && !o.nodes.empty())
    throw CliError(kExitUsage, "--nodes names one cluster's nodes: give one --port with it");
  std::vector<Session> ss = connect_all(g);
  apply_node_list(plan, ss[0].client->device().node_count);
  RenderOutcome out = run_plan(ss, plan, "render");
  if (o.json) {
    nlohmann::json doc =
        out.metas.size() == 1 && plan.frames.size() == 1 ? out.metas[0] : nlohmann::json(out.metas);
    std::printf("%s\n", doc.dump(2).c_str());
  }
  return kExitOk;
}

}  // namespace

void add_render_command(CLI::App& app, Globals& g) {
  auto o = std::make_shared<RenderOptions>();
  auto* cmd = app.add_subcommand("render", "Render a region of the Mandelbrot set on the cluster");
  add_render_options(*cmd, *o);
  cmd->footer(
      "Examples:\n"
      "  picocray --port sim render --region -2.5,1,-1.25,1.25 --size 640x480 \\\n"
      "      --iterations 256 -o m.png --raw m.pgm --verify\n"
      "  picocray --port sim render --center -0.745,0.11 --span 0.02 --iterations 1024 -o s.png\n"
      "  picocray --port sim render --center -0.5,0 --span 3 --size 320x240 --frames 60 \\\n"
      "      --zoom-to -0.7436447860,0.1318252536,0.00001 -o frames/%04d.png   (frames/ must "
      "exist)\n"
      "  picocray --port sim render --region -2,1,-1,1 -o - | display   (the PNG on stdout)\n");
  cmd->callback([&g, o]() { g.exit_code = run_render_command(g, *o); });
}

}  // namespace picocray::cli
