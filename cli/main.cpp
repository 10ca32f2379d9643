// picocray: drive a PicoCray cluster from the terminal and from scripts.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "client.h"
#include "commands/command.h"
#include "errors.h"
#include "interrupt.h"
#include "options.h"
#include "output_files.h"
#include "picocray/host_kernels.h"

using namespace picocray;
using namespace picocray::cli;

namespace {

void setup_logging(int verbose, bool quiet, const std::string& level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  if (std::getenv("NO_COLOR") != nullptr || !isatty(STDERR_FILENO))
    sink->set_color_mode(spdlog::color_mode::never);
  auto logger = std::make_shared<spdlog::logger>("picocray", sink);
  logger->set_pattern("%^%l%$: %v");
  spdlog::set_default_logger(logger);
  spdlog::level::level_enum l = spdlog::level::warn;
  if (verbose == 1) l = spdlog::level::info;
  if (verbose >= 2) l = spdlog::level::debug;
  if (quiet) l = spdlog::level::err;
  if (!level.empty()) l = spdlog::level::from_str(level);
  spdlog::set_level(l);
}

int exit_for(ErrorCode c) {
  switch (c) {
    case ErrorCode::bad_job:
    case ErrorCode::no_nodes: return kExitUsage;
    case ErrorCode::bad_request:
    case ErrorCode::unknown_type:
    case ErrorCode::version_mismatch: return kExitProtocol;
    default: return kExitCluster;
  }
}

}  // namespace

// The host version, the protocol it speaks and the source revision it was built from.
std::string version_line() {
  return std::string("picocray ") + PICOCRAY_VERSION + " (protocol " +
         std::to_string(kProtocolMajor) + "." + std::to_string(kProtocolMinor) + ", source " +
         PICOCRAY_REVISION + ")";
}

std::string command_names(const CLI::App& app) {
  std::string s;
  for (const CLI::App* c : app.get_subcommands({}))
    if (!c->get_group().empty()) s += (s.empty() ? "" : ", ") + c->get_name();
  return s;
}

int finish(int code) {
  // Results that did not reach stdout are a failure, whatever the command thought.
  try {
    check_stdout();
  } catch (const CliError& e) {
    std::fprintf(stderr, "picocray: %s\n", e.what());
    return code == kExitOk ? e.exit_code : code;
  }
  return code;
}

int main(int argc, char** argv) {
  install_interrupt_handlers();
  CLI::App app{"picocray: drive a PicoCray cluster of Raspberry Pi Picos"};
  app.name("picocray");
  app.set_version_flag("--version", version_line(),
                       "The host version, the protocol it speaks, and the source revision");
  // Global options work after the command name too: `picocray nodes --port sim`.
  app.fallthrough();
  app.footer(
      "Ports: a serial device path, tcp://HOST:PORT (see `picocray sim`), rfc2217://HOST:PORT (a\n"
      "serial port over telnet with RFC 2217, e.g. ser2net), sim or sim:N for an\n"
      "in-process simulated cluster, or auto (the default): the one USB port that is a PicoCray.\n"
      "Several clusters: --port A --port B (or A,B): render shares the image out among them.\n"
      "Exit codes: 0 ok, 1 failure, 2 usage, 3 port, 4 timeout, 5 protocol, 6 cluster,\n"
      "7 verify mismatch, 130 interrupted (docs/cli.md).\n"
      "PICOCRAY_HOST_KERNEL=portable|avx2|avx512|avx512ifma: the host's kernel (default: the "
      "best).\n"
      "Examples:\n"
      "  picocray --port sim nodes\n"
      "  picocray --port sim render --region -2.5,1,-1.25,1.25 -o m.png\n"
      "  picocray sim --listen 127.0.0.1:5555 & picocray --port tcp://127.0.0.1:5555 info\n");
  // The host kernel (--port sim and --verify): a bad PICOCRAY_HOST_KERNEL stops here, not later.
  {
    picocray::host::KernelKind kernel;
    std::string error;
    if (!picocray::host::kernel_from_env(&kernel, &error)) {
      std::fprintf(stderr, "picocray: %s\n", error.c_str());
      return kExitUsage;
    }
  }
  Globals g;
  g.version = version_line();
  if (const char* env = std::getenv("PICOCRAY_PORT")) g.port = env;
  if (g.port.empty()) g.port = "auto";  // PICOCRAY_PORT= (empty) is as if unset
  try {
    g.ports = split_port_list({g.port}, "PICOCRAY_PORT");
  } catch (const CliError& e) {
    std::fprintf(stderr, "picocray: %s\n", e.what());
    return kExitUsage;
  }
  g.port = g.ports[0];
  int verbose = 0;
  std::string level;
  set_choices(
      app.add_option_function<std::vector<std::string>>(
             "-p,--port",
             [&g](const std::vector<std::string>& items) {
               try {
                 g.ports = split_port_list(items, "--port");
               } catch (const CliError& e) {
                 throw CLI::ValidationError(e.what());
               }
               g.port = g.ports[0];
             },
             "Serial device, tcp://HOST:PORT, rfc2217://HOST:PORT, sim, sim:N, emu, emu:N or "
             "auto (env "
             "PICOCRAY_PORT); repeat it, or give a comma list, for several clusters")
          ->type_name("PORT"),
      {"auto", "sim", "sim:1", "sim:4", "sim:8", "emu", "emu:3", "tcp://127.0.0.1:5555"});
  app.add_option("--timeout", g.timeout_s,
                 "Seconds of silence from the device (no frame) before it counts as not answering")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_flag("-v,--verbose", verbose, "More detail on stderr (-vv for debug)");
  app.add_flag("-q,--quiet", g.quiet, "Errors only on stderr, no progress bars");
  set_choices(
      app.add_option("--log-level", level, "trace, debug, info, warn, error, critical or off")
          ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"})),
      {"trace", "debug", "info", "warn", "error", "critical", "off"});
  add_whole_option(app, "--sim-seed", g.sim.seed, "Seed of the simulated cluster (sim ports)", 0,
                   UINT64_MAX);
  app.add_option_function<std::string>(
         "--firmware", [](const std::string& p) { ::setenv("PICOCRAY_FIRMWARE", p.c_str(), 1); },
         "Board image for emu ports and `picocray emu` (env PICOCRAY_FIRMWARE; default: "
         "build/firmware-pico/picocray.elf of this source tree)")
      ->type_name("PATH");
  app.add_option_function<std::string>(
         "--sim-board",
         [&g](const std::string& board) {
           g.sim.model = board == "pico2" ? sim::rp2350_model() : sim::Model{};
         },
         "Boards the simulated cluster models (sim ports): pico (RP2040, the default) or pico2 "
         "(RP2350: 150 MHz, its Cortex-M33 kernels)")
      ->check(CLI::IsMember({"pico", "pico2"}));
  app.add_option_function<std::vector<std::string>>(
         "--fault",
         [&g](const std::vector<std::string>& specs) {
           g.sim.faults_given = true;
           for (const auto& spec : specs) {
             std::string err;
             if (!sim::parse_faults(spec, &g.sim.faults, &err))
               throw CLI::ValidationError("--fault", err);
           }
         },
         "Inject a fault into a simulated cluster (sim ports, `picocray sim`), e.g. "
         "i2c-corrupt=1e-3, node-dies=3@0.5, seed=2; repeatable (docs/reliability.md)")
      ->type_name("SPEC");
  // Logging is set before any command runs (subcommand callbacks run after parsing completes).
  app.parse_complete_callback([&]() { setup_logging(verbose, g.quiet, level); });
  add_info_command(app, g);
  add_nodes_command(app, g);
  add_render_command(app, g);
  add_batch_command(app, g);
  add_reset_command(app, g);
  add_bench_command(app, g);
  add_selftest_command(app, g);
  add_ports_command(app, g);
  add_sim_command(app, g);
  add_emu_command(app, g);
  add_display_command(app, g);
  add_completion_commands(app, g);
  app.require_subcommand(1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return finish(app.exit(e));
  } catch (const CLI::ParseError& e) {
    // A word that is no command: say that, not "a subcommand is required".
    if (app.get_subcommands().empty()) {
      for (const std::string& w : app.remaining()) {
        if (w.empty() || w[0] == '-') continue;
        std::fprintf(stderr, "picocray: '%s' is not a command; the commands are %s (see --help)\n",
                     w.c_str(), command_names(app).c_str());
        return kExitUsage;
      }
    }
    std::fprintf(stderr, "picocray: %s (see --help)\n", e.what());
    return kExitUsage;
  } catch (const CliError& e) {
    std::fprintf(stderr, "picocray: %s\n", e.what());
    return finish(e.exit_code);
  } catch (const DeviceError& e) {
    std::fprintf(stderr, "picocray: the cluster refused: %s (%s)\n", e.what(), error_name(e.code));
    return exit_for(e.code);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "picocray: %s\n", e.what());
    return kExitFailure;
  }
  return finish(g.exit_code);
}
