// What every command shares: the global options and a session with the cluster.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "client.h"
#include "link.h"

namespace picocray::cli {

struct Globals {
  std::string port;  // --port or PICOCRAY_PORT; "auto" finds the one PicoCray on USB
  // Every cluster given: --port repeated or a comma list (PICOCRAY_PORT too); port is the first.
  std::vector<std::string> ports;
  double timeout_s = 10;  // --timeout
  SimOptions sim;         // for sim ports
  bool quiet = false;     // -q: errors only, no progress bars
  int exit_code = 0;      // set by the command that ran
  std::string version;    // `picocray --version`'s line
};

// The handshake waits at most this long in all (or --timeout per try when shorter): a port with no
// PicoCray behind it fails fast. It is asked up to kHandshakeTries times, since a lossy link loses
// a HELLO or its answer as it loses any other frame (a controller answers within a millisecond).
constexpr int kHandshakeMs = 3000;
constexpr int kHandshakeTries = 3;

struct Session {
  std::unique_ptr<Link> link;
  std::unique_ptr<Client> client;
  // Figures from the device are modelled hardware time when the cluster is a simulator, whether
  // in-process or behind `picocray sim`.
  bool simulated() const { return client->simulated(); }
};

// Opens the port (resolving "auto") and completes the handshake. A command that works on one
// cluster gets CliError(kExitUsage) when several ports were given.
Session connect(const Globals& g);
// Every port given, in order, each with its handshake done (render, nodes, info, selftest, batch).
std::vector<Session> connect_all(const Globals& g);
// "a,b" and "c" as {a, b, c}; an empty item is CliError(kExitUsage) naming `what`.
std::vector<std::string> split_port_list(const std::vector<std::string>& items,
                                         const std::string& what);
// The same for an explicit port (bench sweeps open sim:N ports of their own).
Session connect_port(const Globals& g, const std::string& port);

}  // namespace picocray::cli
