// The commands: each lives in its own file and adds itself to the app. Its callback stores the
// exit code in g.exit_code; errors leave as CliError or DeviceError, which main() reports.
#pragma once
#include <CLI/CLI.hpp>

#include "errors.h"
#include "parse.h"
#include "session.h"

namespace picocray::cli {

void add_info_command(CLI::App& app, Globals& g);
void add_nodes_command(CLI::App& app, Globals& g);
void add_render_command(CLI::App& app, Globals& g);
void add_batch_command(CLI::App& app, Globals& g);
void add_reset_command(CLI::App& app, Globals& g);
void add_bench_command(CLI::App& app, Globals& g);
void add_selftest_command(CLI::App& app, Globals& g);
void add_ports_command(CLI::App& app, Globals& g);
void add_sim_command(CLI::App& app, Globals& g);
void add_emu_command(CLI::App& app, Globals& g);
void add_display_command(CLI::App& app, Globals& g);
// `completion bash` and the hidden `man`: generated from the definitions above.
void add_completion_commands(CLI::App& app, Globals& g);

}  // namespace picocray::cli
