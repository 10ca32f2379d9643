#include "picocray/faults.h"

#include <cstdlib>

namespace picocray::sim {

bool Faults::any() const {
  return i2c_corrupt > 0 || i2c_nack > 0 || link_drop > 0 || link_garbage > 0 || collide > 0 ||
         link_cut > 0 || link_stall > 0 || controller_reboot_at >= 0 || !nodes.empty();
}

Faults::LinkEnd Faults::link_end() const {
  if (link_stall > 0 && (link_cut == 0 || link_stall < link_cut)) return {link_stall, true};
  return {link_cut, false};
}

namespace {

bool parse_number(const std::string& s, double lo, double hi, double* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !(v >= lo && v <= hi)) return false;
  *out = v;
  return true;
}

bool parse_count(const std::string& s, uint64_t hi, uint64_t* out) {
  if (s.empty() || s.size() > 20 || s.find_first_not_of("0123456789") != std::string::npos)
    return false;
  uint64_t v = std::strtoull(s.c_str(), nullptr, 10);
  if (v > hi) return false;
  *out = v;
  return true;
}

// Every fault's name, once: the parser and its error message both read these.
struct NodeFaultName {
  const char* name;
  NodeFault::Kind kind;
};
constexpr NodeFaultName kNodeFaults[] = {{"node-dies", NodeFault::Kind::dies},
                                         {"node-late", NodeFault::Kind::late},
                                         {"node-stuck", NodeFault::Kind::stuck},
                                         {"node-hangs", NodeFault::Kind::hangs},
                                         {"node-reboot", NodeFault::Kind::reboot}};
constexpr const char* kLinkAndBusFaults[] = {"i2c-corrupt",  "i2c-nack",          "collide",
                                             "link-garbage", "link-drop",         "link-cut",
                                             "link-stall",   "controller-reboot", "seed"};

std::string fault_names() {
  std::string s;
  for (const char* n : kLinkAndBusFaults) s += std::string(s.empty() ? "" : ", ") + n;
  for (const NodeFaultName& n : kNodeFaults) s += std::string(", ") + n.name;
  return s;
}

bool parse_one(const std::string& item, Faults* f, std::string* error) {
  size_t eq = item.find('=');
  if (eq == std::string::npos) {
    *error = "fault '" + item + "' needs NAME=VALUE";
    return false;
  }
  std::string name = item.substr(0, eq), value = item.substr(eq + 1);
  auto bad = [&](const char* allowed) {
    *error = "fault '" + item + "': " + allowed;
    return false;
  };
  if (name == "i2c-corrupt" || name == "i2c-nack" || name == "link-drop") {
    double v;
    if (!parse_number(value, 0, 1, &v)) return bad("RATE must be a number from 0 to 1");
    (name == "i2c-corrupt" ? f->i2c_corrupt : name == "i2c-nack" ? f->i2c_nack : f->link_drop) = v;
    return true;
  }
  if (name == "link-garbage" || name == "collide") {
    uint64_t v;
    if (!parse_count(value, name == "collide" ? 64 : 65536, &v))
      return bad(name == "collide" ? "N must be 0 to 64" : "BYTES must be 0 to 65536");
    (name == "collide" ? f->collide : f->link_garbage) = static_cast<uint32_t>(v);
    return true;
  }
  if (name == "link-cut" || name == "link-stall") {
    uint64_t v;
    if (!parse_count(value, UINT64_MAX, &v) || v == 0)
      return bad("BYTES must be a whole number from 1");
    (name == "link-cut" ? f->link_cut : f->link_stall) = v;
    return true;
  }
  if (name == "seed") {
    uint64_t v;
    if (!parse_count(value, UINT64_MAX, &v)) return bad("S must be a whole number");
    f->seed = v;
    return true;
  }
  if (name == "controller-reboot") {
    double v;
    if (value.empty() || value[0] != '@' || !parse_number(value.substr(1), 0, 1, &v))
      return bad("the value must be @F with F from 0 to 1");
    f->controller_reboot_at = v;
    return true;
  }
  NodeFault nf;
  const NodeFaultName* known = nullptr;
  for (const NodeFaultName& n : kNodeFaults)
    if (name == n.name) known = &n;
  if (known == nullptr) {
    *error = "unknown fault '" + name + "': allowed are " + fault_names();
    return false;
  }
  nf.kind = known->kind;
  size_t at = value.find('@');
  uint64_t node;
  if (at == std::string::npos || !parse_count(value.substr(0, at), 63, &node) ||
      !parse_number(value.substr(at + 1), 0, 1, &nf.at))
    return bad("the value must be N@F with N a node index 0 to 63 and F from 0 to 1");
  nf.node = static_cast<uint32_t>(node);
  f->nodes.push_back(nf);
  return true;
}

}  // namespace

bool parse_faults(const std::string& spec, Faults* faults, std::string* error) {
  size_t start = 0;
  for (;;) {
    size_t comma = spec.find(',', start);
    std::string item =
        spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!parse_one(item, faults, error)) return false;
    if (comma == std::string::npos) return true;
    start = comma + 1;
  }
}

}  // namespace picocray::sim
