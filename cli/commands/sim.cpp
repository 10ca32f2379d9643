// picocray sim: a simulated cluster served over TCP or a pseudo-terminal, like a real device.
#include <cstdio>
#include <stdexcept>

#include "command.h"
#include "options.h"
#include "sim_server.h"

namespace picocray::cli {

namespace {

struct SimCommandOptions {
  std::string listen = "127.0.0.1:5555";
  std::string pty;
  uint32_t nodes = 8;
  uint64_t seed = 1;
  // In Hz, Hz and bit/s (given as MHz, kHz and kbit/s, fractions allowed); 0: the model's default.
  uint64_t cpu_hz = 0, i2c_hz = 0, usb_bps = 0;
  std::string board = "pico";
  double idle_timeout_s = 60;
};

int run_sim(const Globals& g, const SimCommandOptions& o) {
  sim::Config cfg;
  cfg.nodes = o.nodes;
  cfg.seed = o.seed;
  if (o.board == "pico2") cfg.model = sim::rp2350_model();
  if (o.cpu_hz != 0) cfg.model.cpu_hz = static_cast<uint32_t>(o.cpu_hz);
  if (o.i2c_hz != 0) cfg.model.i2c_hz = static_cast<uint32_t>(o.i2c_hz);
  if (o.usb_bps != 0) cfg.model.usb_bytes_per_s = static_cast<uint32_t>(o.usb_bps / 8);
  cfg.faults = g.sim.faults;
  if (cfg.faults.any()) {
    // Check the faults against this cluster before serving anyone.
    try {
      sim::Simulator probe(cfg);
    } catch (const std::invalid_argument& e) {
      throw CliError(kExitUsage, std::string("--fault: ") + e.what());
    }
  }
  SimServer server(cfg, o.idle_timeout_s);
  std::string where = o.pty.empty() ? server.listen_tcp(o.listen) : server.open_pty(o.pty);
  if (!g.quiet)
    std::fprintf(stderr, "listening on %s (simulated cluster: %u nodes, seed %llu; Ctrl-C stops)\n",
                 where.c_str(), cfg.nodes, static_cast<unsigned long long>(cfg.seed));
  // For scripts: the address to pass to --port, alone on the first line.
  std::printf("%s\n", where.c_str());
  std::fflush(stdout);
  server.run();
  if (!g.quiet) std::fprintf(stderr, "stopped\n");
  return kExitOk;
}

}  // namespace

void add_sim_command(CLI::App& app, Globals& g) {
  auto o = std::make_shared<SimCommandOptions>();
  auto* cmd = app.add_subcommand("sim", "Serve a simulated cluster over TCP or a pseudo-terminal");
  auto* listen =
      cmd->add_option("--listen", o->listen, "HOST:PORT to serve on (port 0: any free one)")
          ->capture_default_str();
  add_text_option(*cmd, "--pty", o->pty,
                  "Serve on a pseudo-terminal instead, with a symlink at PATH")
      ->excludes(listen)
      ->type_name("PATH");
  add_whole_option(*cmd, "--nodes", o->nodes, "Secondaries, 1 to 64", 1, 64, "8");
  add_whole_option(*cmd, "--seed", o->seed, "Seed (unique IDs, back-off)", 0, UINT64_MAX, "1");
  cmd->add_option("--board", o->board,
                  "Boards modelled: pico (RP2040) or pico2 (RP2350: 150 MHz, Cortex-M33 kernels)")
      ->check(CLI::IsMember({"pico", "pico2"}))
      ->capture_default_str();
  add_scaled_option(*cmd, "--cpu-mhz", o->cpu_hz,
                    "Modelled RP2040 clock in MHz, 1 to 1000, fractions allowed (default 125)", 6,
                    1000000, 1000000000, "1 to 1000");
  add_scaled_option(*cmd, "--i2c-khz", o->i2c_hz,
                    "Modelled I2C SCL rate in kHz, 10 to 10000 (default 1000)", 3, 10000, 10000000,
                    "10 to 10000");
  add_scaled_option(*cmd, "--usb-kbps", o->usb_bps,
                    "Modelled USB CDC throughput, kbit/s, 100 to 480000 (default 8000)", 3, 100000,
                    480000000, "100 to 480000");
  cmd->add_option("--idle-timeout", o->idle_timeout_s,
                  "Drop a TCP client that sends nothing this many seconds while no render of its "
                  "runs (0: never)")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
  cmd->footer(
      "stdout gets the address to give --port (tcp://HOST:PORT or the PATH), alone on the first\n"
      "line; stderr gets `listening on ...`. One client at a time: another one gets the answer\n"
      "`busy, one client at a time` (picocray exits 3); a client idle past --idle-timeout is\n"
      "dropped. The cluster keeps running between clients. While its modelled clock waits for the\n"
      "host to compute a tile, the client gets a LOG frame (seq 0) every 0.25 s, so that its\n"
      "--timeout counts only silence. SIGINT or SIGTERM stops it (exit 0).\n"
      "Examples:\n"
      "  picocray sim --listen 127.0.0.1:5555 --nodes 4 &\n"
      "  picocray --port tcp://127.0.0.1:5555 nodes\n"
      "  picocray sim --pty /tmp/picocray0 --nodes 3 & picocray --port /tmp/picocray0 info\n");
  cmd->callback([&g, o]() { g.exit_code = run_sim(g, *o); });
}

}  // namespace picocray::cli
