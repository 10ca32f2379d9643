// picocray reset: re-enumerate the secondaries, reset some of them, or reboot the controller.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "command.h"
#include "interrupt.h"
#include "options.h"

namespace picocray::cli {

namespace {

struct ResetOptions {
  bool all = false;
  std::string nodes;
  bool controller = false;
  bool bootsel = false;
};

// After a reboot: the same port until the controller answers HELLO again. A USB device goes away
// and comes back, so a link that fails is opened afresh.
Session wait_for_controller(const Globals& g, Session s) {
  const std::string port = s.link->name();
  const double scale = s.link->time_scale();  // device time: an emulated cluster's is slower
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int>(g.timeout_s * 1000 * scale));
  std::string last = "no answer";
  while (std::chrono::steady_clock::now() < deadline) {
    throw_if_interrupted();
    try {
      if (!s.link) {
        s.link = open_link(port, g.sim);
        s.client = std::make_unique<Client>(*s.link, static_cast<int>(g.timeout_s * 1000 * scale));
      }
      s.client->hello(static_cast<int>(500 * scale));
      return s;
    } catch (const CliError& e) {
      if (e.exit_code == kExitInterrupted) throw;
      last = e.what();
      if (e.exit_code == kExitPort) {
        s.client.reset();
        s.link.reset();
        // Give USB time to re-enumerate before the next attempt.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    }
  }
  throw CliError(kExitTimeout, "the controller did not answer again within " +
                                   std::to_string(static_cast<int>(g.timeout_s)) + " s (" + last +
                                   ")");
}

int run_reset(const Globals& g, const ResetOptions& o) {
  int chosen = o.all + !o.nodes.empty() + o.controller + o.bootsel;
  if (chosen != 1)
    throw CliError(kExitUsage,
                   "reset needs exactly one of --all, --nodes LIST, --controller, --bootsel");
  Session s = connect(g);
  ResetRequest q;
  if (o.all || !o.nodes.empty()) {
    q.kind = o.all ? ResetKind::enumerate : ResetKind::nodes;
    if (!o.nodes.empty())
      for (uint32_t i : parse_index_list(o.nodes, "--nodes", s.client->device().node_count))
        q.node_mask |= 1ull << i;
    s.client->reset(q);
    auto nodes = s.client->nodes();
    unsigned lost = 0;
    for (const auto& n : nodes) lost += n.state == NodeState::lost;
    std::printf("%s: %zu nodes enrolled, %u lost\n", o.all ? "re-enumerated" : "nodes reset",
                nodes.size(), lost);
    return kExitOk;
  }
  const bool sim = s.simulated();
  q.kind = o.controller ? ResetKind::controller : ResetKind::bootsel;
  try {
    s.client->reset(q);
  } catch (const CliError& e) {
    // The controller may be gone before its answer arrives: that is the reboot.
    if (e.exit_code != kExitPort && e.exit_code != kExitTimeout) throw;
    spdlog::info("no answer to RESET ({}): taking it as the reboot", e.what());
  }
  if (o.bootsel && !sim) {
    std::printf(
        "rebooted into BOOTSEL: the controller is now a USB drive (RPI-RP2); copy a .uf2 "
        "onto it\n");
    return kExitOk;
  }
  spdlog::info("waiting for the controller to answer again");
  s = wait_for_controller(g, std::move(s));
  std::printf("%s: the controller answers again, %u nodes\n",
              o.bootsel ? "rebooted (BOOTSEL on the simulator is a plain reboot)" : "rebooted",
              s.client->device().node_count);
  return kExitOk;
}

}  // namespace

void add_reset_command(CLI::App& app, Globals& g) {
  auto o = std::make_shared<ResetOptions>();
  auto* cmd =
      app.add_subcommand("reset", "Re-enumerate nodes, reset some, or reboot the controller");
  cmd->add_flag("--all", o->all, "Reset every secondary and enumerate afresh");
  add_text_option(*cmd, "--nodes", o->nodes, "Reset these secondaries, e.g. 0,2-3");
  cmd->add_flag("--controller", o->controller,
                "Reboot the controller; wait until it answers again");
  cmd->add_flag("--bootsel", o->bootsel,
                "Reboot the controller into BOOTSEL (USB drive) for new firmware");
  cmd->footer(
      "After --controller (and --bootsel on the simulator) it waits, up to --timeout, until the\n"
      "controller answers the handshake again.\n"
      "Examples:\n  picocray --port sim reset --all\n  picocray reset --bootsel\n");
  cmd->callback([&g, o]() { g.exit_code = run_reset(g, *o); });
}

}  // namespace picocray::cli
