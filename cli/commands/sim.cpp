// picocray sim: a simulated cluster served over TCP or a pseudo-terminal, like a real device.
#include <cstdio>
#include <stdexcept>

#include "command.h"
#include "sim_server.h"

namespace picocray::cli {

namespace {

struct SimCommandOptions {
  std::string listen = "127.0.0.1:5555";
  std::string pty;
  uint32_t nodes = 8;
  uint64_t seed = 1;
  uint32_t cpu_mhz = 0, i2c_khz = 0, usb_kbps = 0;  // 0: the model's default
  std::string board = "pico";
};

int run_sim(const Globals& g, const SimCommandOptions& o) {
  sim::Config cfg;
  cfg.nodes = o.nodes;
  cfg.seed = o.seed;
  if (o.board == "pico2") cfg.model = sim::rp2350_model();
  if (o.cpu_mhz != 0) cfg.model.cpu_hz = o.cpu_mhz * 1000000u;
  if (o.i2c_khz != 0) cfg.model.i2c_hz = o.i2c_khz * 1000u;
  if (o.usb_kbps != 0) cfg.model.usb_bytes_per_s = o.usb_kbps * 1000u / 8u;
  cfg.faults = g.sim.faults;
  if (cfg.faults.any()) {
    // Check the faults against this cluster before serving anyone.
    try {
      sim::Simulator probe(cfg);
    } catch (const std::invalid_argument& e) {
      throw CliError(kExitUsage, std::string("--fault: ") + e.what());
    }
  }
  SimServer server(cfg);
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
  cmd->add_option("--pty", o->pty, "Serve on a pseudo-terminal instead, with a symlink at PATH")
      ->excludes(listen);
  cmd->add_option("--nodes", o->nodes, "Secondaries, 1 to 64")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed (unique IDs, back-off)")->capture_default_str();
  cmd->add_option("--board", o->board,
                  "Boards modelled: pico (RP2040) or pico2 (RP2350: 150 MHz, Cortex-M33 kernels)")
      ->check(CLI::IsMember({"pico", "pico2"}))
      ->capture_default_str();
  cmd->add_option("--cpu-mhz", o->cpu_mhz, "Modelled clock (default 125, pico2 150)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--i2c-khz", o->i2c_khz, "Modelled I2C SCL rate (default 1000)")
      ->check(CLI::Range(10, 10000));
  cmd->add_option("--usb-kbps", o->usb_kbps, "Modelled USB CDC throughput, kbit/s (default 8000)")
      ->check(CLI::Range(100, 480000));
  cmd->footer(
      "stdout gets the address to give --port (tcp://HOST:PORT or the PATH), alone on the first\n"
      "line; stderr gets `listening on ...`. One client at a time; the cluster keeps running\n"
      "between clients. SIGINT or SIGTERM stops it (exit 0).\n"
      "Examples:\n"
      "  picocray sim --listen 127.0.0.1:5555 --nodes 4 &\n"
      "  picocray --port tcp://127.0.0.1:5555 nodes\n"
      "  picocray sim --pty /tmp/picocray0 --nodes 3 & picocray --port /tmp/picocray0 info\n");
  cmd->callback([&g, o]() { g.exit_code = run_sim(g, *o); });
}

}  // namespace picocray::cli
