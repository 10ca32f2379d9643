// picocray completion bash, and the hidden `picocray man`: the shell completion script and the
// man page, generated from the command definitions (help_export.h); CMake runs both at build
// time and `cmake --install` installs what they print.
#include <cstdio>

#include "command.h"
#include "help_export.h"
#include "options.h"

namespace picocray::cli {

void add_completion_commands(CLI::App& app, Globals& g) {
  auto shell = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("completion", "Print a shell completion script (bash)");
  set_choices(cmd->add_option("shell", *shell, "The shell: bash")
                  ->required()
                  ->check(CLI::IsMember({"bash"})),
              {"bash"});
  cmd->footer(
      "Example:\n"
      "  source <(picocray completion bash)\n"
      "  picocray completion bash > ~/.local/share/bash-completion/completions/picocray\n");
  // The callback holds the option's storage: CLI11 writes to it when it parses.
  cmd->callback([&app, &g, shell]() {
    std::fputs(bash_completion(app).c_str(), stdout);
    g.exit_code = kExitOk;
  });

  auto* man = app.add_subcommand("man", "Print the man page (roff); used by the build");
  man->group("");  // hidden: the build's tool, not the user's
  man->callback([&app, &g]() {
    std::fputs(man_page(app, g.version).c_str(), stdout);
    g.exit_code = kExitOk;
  });
}

}  // namespace picocray::cli
