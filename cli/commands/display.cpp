// picocray display: the controller's LCD. `snapshot` reads what the panel shows (DISPLAY_READ);
// `touch` touches a simulated panel from the simulator's side, never over the link, so that the
// standalone mode can be driven and checked.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <tuple>

#include "command.h"
#include "format.h"
#include "lcd_image.h"
#include "options.h"
#include "output_files.h"

namespace picocray::cli {

namespace {

struct TouchOptions {
  std::vector<std::string> points;  // X,Y or X,Y:MS
  std::string output;
};

int run_snapshot(const Globals& g, const std::string& output) {
  check_output(output, "-o");
  if (g.ports.size() > 1)
    throw CliError(kExitUsage,
                   "display snapshot reads one controller's LCD: give one --port, not " +
                       std::to_string(g.ports.size()));
  if (in_process_sim(g.port))
    spdlog::warn(
        "--port {} starts a fresh simulated cluster for this command, so its panel shows no "
        "earlier render: use `render --display --snapshot FILE.png` (one session), or serve one "
        "cluster with `picocray sim --listen` and give its tcp:// address",
        g.port);
  Session s = connect(g);
  write_output(output, encode_lcd_png(s.client->display_read()));
  return kExitOk;
}

sim::Touch parse_touch(const std::string& text) {
  sim::Touch t;
  std::string xy = text;
  const size_t colon = text.find(':');
  if (colon != std::string::npos) {
    xy = text.substr(0, colon);
    t.hold_ms = static_cast<uint32_t>(parse_whole(text.substr(colon + 1), "touch hold", 1, 60000));
  }
  const size_t comma = xy.find(',');
  if (comma == std::string::npos)
    throw CliError(kExitUsage, "touch '" + text + "' must be X,Y or X,Y:MS");
  t.x = static_cast<uint16_t>(parse_whole(xy.substr(0, comma), "touch X", 0, 319));
  t.y = static_cast<uint16_t>(parse_whole(xy.substr(comma + 1), "touch Y", 0, 239));
  return t;
}

// Waits until the standalone controller has taken `touches` touches and has nothing to draw.
// Waits until the standalone controller has drawn its view and taken `touches` touches. As
// everywhere, --timeout counts silence, not the whole wait: a deep view on a loaded host takes
// as long as it takes while the cluster keeps working (bus bytes, cycles, the host computing a
// tile for it); only timeout_ms with none of that is a timeout.
void await_shown(sim::Simulator& sim, uint32_t touches, int timeout_ms) {
  auto shown = [&](const sim::Stats& s) {
    return s.standalone && s.standalone_views > 0 && !s.standalone_busy &&
           s.touches_done >= touches;
  };
  auto work = [&] {
    const sim::Stats s = sim.stats();
    return std::make_tuple(s.i2c_bytes, s.compute_cycles, s.standalone_views, s.touches_done,
                           sim.paused_ns());
  };
  auto last = work();
  auto quiet_since = std::chrono::steady_clock::now();
  for (;;) {
    if (sim.wait_stats(shown, std::min(timeout_ms, 250))) return;
    const auto now = std::chrono::steady_clock::now();
    if (const auto w = work(); w != last) {
      last = w;
      quiet_since = now;
    } else if (now - quiet_since >= std::chrono::milliseconds(timeout_ms)) {
      throw CliError(kExitTimeout,
                     "the simulated controller's display did not settle: no work for " +
                         seconds(timeout_ms) + " s");
    }
  }
}

int run_touch(const Globals& g, const TouchOptions& o) {
  if (g.ports.size() > 1)
    throw CliError(kExitUsage,
                   "display touch starts one simulated controller: give one --port, "
                   "not " +
                       std::to_string(g.ports.size()));
  if (!in_process_sim(g.port))
    throw CliError(kExitUsage,
                   "display touch needs --port sim or sim:N: it touches the simulated panel "
                   "from the simulator's side");
  std::vector<sim::Touch> touches;
  for (const auto& p : o.points) touches.push_back(parse_touch(p));
  if (!o.output.empty()) check_output(o.output, "-o");
  SimOptions opt = g.sim;
  opt.no_host = true;  // nobody holds the link: the controller goes standalone
  auto link = open_link(g.port, opt);
  sim::Simulator& sim = *link->simulator();
  const int timeout_ms = static_cast<int>(g.timeout_s * 1000);
  await_shown(sim, 0, timeout_ms);
  for (uint32_t k = 0; k < touches.size(); ++k) {
    sim.touch(touches[k]);
    await_shown(sim, k + 1, timeout_ms);
    const sim::Stats s = sim.stats();
    std::printf("%u,%u:%u depth %u\n", touches[k].x, touches[k].y, touches[k].hold_ms,
                s.standalone_depth);
  }
  if (!o.output.empty()) {
    Client client(*link, timeout_ms);
    client.hello();
    write_output(o.output, encode_lcd_png(client.display_read()));
  }
  return kExitOk;
}

}  // namespace

void add_display_command(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("display", "The controller's LCD: read it back, touch it (sim)");
  cmd->require_subcommand(1);
  auto snap_out = std::make_shared<std::string>();
  auto* snap = cmd->add_subcommand("snapshot", "Read what the LCD shows into a 320x240 PNG");
  add_text_option(*snap, "-o,--output", *snap_out, "PNG file to write, - for stdout")
      ->required()
      ->type_name("FILE");
  snap->footer(
      "Example:\n"
      "  picocray --port tcp://127.0.0.1:5555 render --region -2,1,-1,1 --display\n"
      "  picocray --port tcp://127.0.0.1:5555 display snapshot -o lcd.png\n");
  snap->callback([&g, snap_out]() { g.exit_code = run_snapshot(g, *snap_out); });

  auto o = std::make_shared<TouchOptions>();
  auto* touch = cmd->add_subcommand(
      "touch", "Start a simulated controller standalone, touch its panel, and snapshot it");
  touch
      ->add_option("points", o->points,
                   "Touches in order: X,Y (panel pixel; a tap, 50 ms) or X,Y:MS (held MS ms; "
                   "800 or more is a long press)")
      ->required();
  add_text_option(*touch, "-o,--output", o->output,
                  "PNG of the LCD after the last touch, - for stdout")
      ->type_name("FILE");
  touch->footer(
      "stdout: one line per touch, `X,Y:MS depth D`, once the view it asked for is drawn.\n"
      "Only on --port sim or sim:N: the simulated controller has nobody on its link, goes\n"
      "standalone after 3 s (modelled) and draws the overview; each tap zooms in 4x around\n"
      "it, a long press zooms out 4x (docs/hardware.md).\n"
      "Example:\n"
      "  picocray --port sim display touch 230,100 160,120 160,120:1000 -o lcd.png\n");
  touch->callback([&g, o]() { g.exit_code = run_touch(g, *o); });
}

}  // namespace picocray::cli
