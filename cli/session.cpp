#include "session.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <set>

#include "emu_port.h"
#include "ports.h"

namespace picocray::cli {

Session connect_port(const Globals& g, const std::string& port) {
  Session s;
  s.link = open_link(port, g.sim);
  // Timeouts are device time: an emulated cluster's are stretched by how much slower it runs.
  const double scale = s.link->time_scale();
  const int timeout_ms = static_cast<int>(g.timeout_s * 1000 * scale);
  s.client = std::make_unique<Client>(*s.link, timeout_ms);
  const HelloReply& h = s.client->hello(
      std::min(timeout_ms, static_cast<int>(kHandshakeMs / kHandshakeTries * scale)),
      kHandshakeTries);
  spdlog::debug("connected to {}: {} firmware {}.{}.{}, protocol {}.{}, {} nodes", s.link->name(),
                h.board, h.fw_major, h.fw_minor, h.fw_patch, h.proto_major, h.proto_minor,
                h.node_count);
  return s;
}

std::vector<std::string> split_port_list(const std::vector<std::string>& items,
                                         const std::string& what) {
  std::vector<std::string> out;
  for (const std::string& item : items) {
    if (item.empty()) throw CliError(kExitUsage, what + " must not be empty");
    size_t start = 0;
    for (;;) {
      const size_t comma = item.find(',', start);
      std::string one = item.substr(start, comma == std::string::npos ? comma : comma - start);
      if (one.empty())
        throw CliError(kExitUsage, what + " '" + item + "' has an empty port in its list");
      out.push_back(one);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  // A real cluster can be opened once; each sim or emu port is a cluster of its own. Device
  // paths are compared by what they name, so a symlink and its target are the same port.
  std::set<std::string> real;
  for (const std::string& p : out) {
    if (in_process_sim(p) || is_emu_port(p)) continue;
    char resolved[PATH_MAX];
    const std::string key =
        p[0] == '/' && ::realpath(p.c_str(), resolved) != nullptr ? std::string(resolved) : p;
    if (out.size() > 1 && !real.insert(key).second)
      throw CliError(kExitUsage, what + " names " + p +
                                     " twice: a cluster can be opened once (only sim and emu "
                                     "ports may repeat, each a cluster of its own)");
  }
  return out;
}

namespace {

Session connect_one(const Globals& g, std::string port) {
  if (port.empty() || port == "auto") {
    port = find_picocray_port(std::min(static_cast<int>(g.timeout_s * 1000), 1000));
    spdlog::info("--port auto: using {}", port);
  }
  return connect_port(g, port);
}

}  // namespace

Session connect(const Globals& g) {
  if (g.ports.size() > 1)
    throw CliError(kExitUsage, std::to_string(g.ports.size()) +
                                   " ports given, and this command works on one cluster: give "
                                   "one --port");
  return connect_one(g, g.port);
}

std::vector<Session> connect_all(const Globals& g) {
  std::vector<Session> out;
  if (g.ports.size() <= 1) {
    out.push_back(connect_one(g, g.port));
    return out;
  }
  for (const std::string& p : g.ports) {
    if (p == "auto")
      throw CliError(kExitUsage,
                     "--port auto finds one cluster: name each port when giving several");
    out.push_back(connect_one(g, p));
  }
  return out;
}

}  // namespace picocray::cli
