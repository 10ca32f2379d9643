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
  std::string via = "request";  // --bootsel: request, baud or vendor
};

// --bootsel --via baud|vendor: a USB request to the controller's USB device instead of the
// protocol's RESET. A board that takes it goes into the boot ROM, so its port goes away.
int bootsel_by_usb(const Globals& g, Session s, const std::string& via) {
  const UsbBootsel how = via == "baud" ? UsbBootsel::baud_1200 : UsbBootsel::reset_interface;
  const char* what =
      via == "baud" ? "the line coding set to 1200 baud" : "the reset interface's BOOTSEL request";
  if (!s.link->usb_bootsel(how))
    throw CliError(kExitUsage, "--via " + via +
                                   " needs a USB serial port, an emu port (or for baud an "
                                   "rfc2217:// port), not " +
                                   s.link->name() + " (--via request works on any port)");
  spdlog::info("sent {}; waiting for the controller to leave its port", what);
  const auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::milliseconds(static_cast<int>(g.timeout_s * 1000 * s.link->time_scale()));
  uint8_t buf[256];
  try {
    while (std::chrono::steady_clock::now() < deadline) {
      throw_if_interrupted();
      s.link->read(buf, sizeof buf, 100);
    }
  } catch (const CliError& e) {
    if (e.exit_code != kExitPort) throw;
    std::printf("rebooted into BOOTSEL by %s: the controller left its port\n", what);
    return kExitOk;
  }
  throw CliError(kExitTimeout, "the controller was still on its port " +
                                   std::to_string(static_cast<int>(g.timeout_s)) + " s after " +
                                   what + ": not in BOOTSEL");
}

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
  if (o.via != "request" && !o.bootsel)
    throw CliError(kExitUsage, "--via chooses how --bootsel asks; it goes with --bootsel only");
  Session s = connect(g);
  if (o.bootsel && o.via != "request") return bootsel_by_usb(g, std::move(s), o.via);
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
  cmd->add_option("--via", o->via,
                  "How --bootsel asks: request (the protocol's RESET), baud (the serial port "
                  "set to 1200 baud) or vendor (the reset interface's request, as picotool)")
      ->check(CLI::IsMember({"request", "baud", "vendor"}))
      ->default_str("request");
  cmd->footer(
      "After --controller (and --bootsel on the simulator) it waits, up to --timeout, until the\n"
      "controller answers the handshake again. --via baud and --via vendor are USB requests, for\n"
      "a USB serial port or an emu port; they wait until the controller has left its port.\n"
      "Examples:\n  picocray --port sim reset --all\n  picocray reset --bootsel\n"
      "  picocray --port /dev/ttyACM0 reset --bootsel --via baud\n");
  cmd->callback([&g, o]() { g.exit_code = run_reset(g, *o); });
}

}  // namespace picocray::cli
