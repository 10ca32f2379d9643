#include "session.h"

#include <spdlog/spdlog.h>

#include <algorithm>

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

Session connect(const Globals& g) {
  std::string port = g.port;
  if (port.empty() || port == "auto") {
    port = find_picocray_port(std::min(static_cast<int>(g.timeout_s * 1000), 1000));
    spdlog::info("--port auto: using {}", port);
  }
  return connect_port(g, port);
}

}  // namespace picocray::cli
