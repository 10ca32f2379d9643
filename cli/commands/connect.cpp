#include <spdlog/spdlog.h>

#include "command.h"

namespace picocray::cli {

Session connect(const Globals& g) {
  Session s;
  s.link = open_link(g.port, g.sim);
  s.client = std::make_unique<Client>(*s.link, static_cast<int>(g.timeout_s * 1000));
  const HelloReply& h = s.client->hello();
  spdlog::debug("connected to {}: {} firmware {}.{}.{}, protocol {}.{}, {} nodes", s.link->name(),
                h.board, h.fw_major, h.fw_minor, h.fw_patch, h.proto_major, h.proto_minor,
                h.node_count);
  return s;
}

}  // namespace picocray::cli
