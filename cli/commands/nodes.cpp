// picocray nodes: the secondaries the controller has enrolled.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "command.h"
#include "format.h"

namespace picocray::cli {

namespace {

const char* state_name(NodeState s) {
  switch (s) {
    case NodeState::idle: return "idle";
    case NodeState::busy: return "busy";
    case NodeState::lost: return "lost";
  }
  return "unknown";
}

std::string hex_uid(uint64_t uid) {
  char b[20];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(uid));
  return b;
}

nlohmann::json nodes_json(const std::vector<NodeEntry>& nodes) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& n : nodes) {
    char addr[8];
    std::snprintf(addr, sizeof addr, "0x%02x", n.address);
    arr.push_back({{"index", n.index},
                   {"address", addr},
                   {"unique_id", hex_uid(n.unique_id)},
                   {"state", state_name(n.state)},
                   {"cores", n.cores},
                   {"firmware", version_string(n.fw_major, n.fw_minor, n.fw_patch)},
                   {"tiles_done", n.tiles_done},
                   {"integrity_errors", n.integrity_errors},
                   {"retries", n.retries},
                   {"last_seen_ms", n.last_seen_ms}});
  }
  return arr;
}

// The table; with several clusters a PORT column comes first (`width` wide), else none.
void print_table(const std::vector<std::pair<std::string, std::vector<NodeEntry>>>& clusters) {
  size_t width = 0;
  if (clusters.size() > 1)
    for (const auto& c : clusters) width = std::max(width, c.first.size());
  const int w = static_cast<int>(width);
  if (w > 0) std::printf("%-*s ", w, "PORT");
  std::printf("%-5s %-7s %-16s %-5s %-5s %-8s %8s %7s %7s %10s\n", "INDEX", "ADDRESS", "UNIQUE_ID",
              "STATE", "CORES", "FIRMWARE", "TILES", "ERRORS", "RETRIES", "LAST_SEEN");
  for (const auto& [port, nodes] : clusters) {
    for (const auto& n : nodes) {
      std::string fw = version_string(n.fw_major, n.fw_minor, n.fw_patch);
      if (w > 0) std::printf("%-*s ", w, port.c_str());
      std::printf("%-5u 0x%02x    %-16s %-5s %-5u %-8s %8u %7u %7u %8ums\n", n.index, n.address,
                  hex_uid(n.unique_id).c_str(), state_name(n.state), n.cores, fw.c_str(),
                  n.tiles_done, n.integrity_errors, n.retries, n.last_seen_ms);
    }
  }
}

int run_nodes(const Globals& g, bool json) {
  std::vector<Session> ss = connect_all(g);
  std::vector<std::pair<std::string, std::vector<NodeEntry>>> clusters;
  for (Session& s : ss) clusters.emplace_back(s.link->name(), s.client->nodes());
  if (!json) {
    print_table(clusters);
    return 0;
  }
  if (clusters.size() == 1) {
    std::printf("%s\n", nodes_json(clusters[0].second).dump(2).c_str());
    return 0;
  }
  // Several clusters: one object per cluster, its port and its nodes.
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& [port, nodes] : clusters)
    arr.push_back({{"port", port}, {"nodes", nodes_json(nodes)}});
  std::printf("%s\n", arr.dump(2).c_str());
  return 0;
}

}  // namespace

void add_nodes_command(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("nodes", "List the secondaries the controller has enrolled");
  cmd->footer("Example:\n  picocray --port sim nodes --json\n");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json,
                "A JSON array of nodes on stdout (several ports: one {port, nodes} object each)");
  cmd->callback([&g, json]() { g.exit_code = run_nodes(g, *json); });
}

}  // namespace picocray::cli
