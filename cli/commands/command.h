// What every command shares: the global options and opening a session with the cluster.
#pragma once
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "client.h"
#include "link.h"

namespace picocray::cli {

struct Globals {
  std::string port;        // --port or PICOCRAY_PORT
  double timeout_s = 10;   // --timeout
  SimOptions sim;          // for sim ports
  int exit_code = 0;       // set by the command that ran
};

struct Session {
  std::unique_ptr<Link> link;
  std::unique_ptr<Client> client;
  bool simulated() const { return link->simulator() != nullptr; }
};

// Opens the port and completes the handshake.
Session connect(const Globals& g);

// Each command adds itself to the app; its callback stores the exit code in g.exit_code.
void add_nodes_command(CLI::App& app, Globals& g);
void add_render_command(CLI::App& app, Globals& g);

}  // namespace picocray::cli
