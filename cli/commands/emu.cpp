// picocray emu: the board image on a cluster of emulated RP2040s, served over TCP like
// `picocray sim` (docs/emulator.md).
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "command.h"
#include "emu_port.h"

namespace picocray::cli {

namespace {

struct EmuCommandOptions {
  std::string listen = "127.0.0.1:5556";
  uint32_t nodes = 2;
  bool display = false;
};

int run_emu(const EmuCommandOptions& o) {
  auto argv = emu_command(o.nodes, o.listen, /*once=*/false);
  if (o.display) argv.push_back("--display");
  pid_t pid = ::fork();
  if (pid < 0)
    throw CliError(kExitFailure, std::string("emu: fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // it ends with picocray
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
    throw CliError(kExitPort, "emu: could not run node (the nodejs package)");
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? kExitOk : kExitFailure;
}

}  // namespace

void add_emu_command(CLI::App& app, Globals& g) {
  auto o = std::make_shared<EmuCommandOptions>();
  auto* cmd = app.add_subcommand(
      "emu", "Serve the built board image on emulated RP2040s over TCP (emulated, not modelled)");
  cmd->add_option("--listen", o->listen, "HOST:PORT to serve on (port 0: any free one)")
      ->capture_default_str();
  cmd->add_option("--nodes", o->nodes, "Secondaries, 1 to 8")
      ->check(CLI::Range(1, 8))
      ->capture_default_str();
  cmd->add_flag("--display", o->display,
                "Give the emulated controller its LCD, a virtual ILI9341 (never touched)");
  cmd->footer(
      "Prints \"listening HOST:PORT\" on stdout once the emulated controller has enumerated;\n"
      "one client at a time. Ctrl-C stops it.\n"
      "Example:\n"
      "  picocray emu --listen 127.0.0.1:5556 & picocray --port tcp://127.0.0.1:5556 nodes\n");
  cmd->callback([o, &g]() { g.exit_code = run_emu(*o); });
}

}  // namespace picocray::cli
