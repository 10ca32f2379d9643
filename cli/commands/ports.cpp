// picocray ports: the serial ports on this machine, and which of them is a PicoCray.
#include "ports.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "command.h"

namespace picocray::cli {

namespace {

std::string usb_id(const PortInfo& p) {
  if (p.vid < 0) return "-";
  char b[16];
  std::snprintf(b, sizeof b, "%04x:%04x", p.vid, p.pid);
  return b;
}

int run_ports(const Globals& g, bool probe, bool json) {
  auto ports = list_ports();
  const int probe_ms = std::min(static_cast<int>(g.timeout_s * 1000), 1000);
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& p : ports) {
    nlohmann::json j = {
        {"path", p.path},
        {"transport", p.transport},
        {"vid", p.vid >= 0 ? nlohmann::json(p.vid) : nlohmann::json(nullptr)},
        {"pid", p.pid >= 0 ? nlohmann::json(p.pid) : nlohmann::json(nullptr)},
        {"usb_id", p.vid >= 0 ? nlohmann::json(usb_id(p)) : nlohmann::json(nullptr)},
        {"serial", p.serial},
        {"manufacturer", p.manufacturer},
        {"product", p.product},
        {"description", p.description},
        {"picocray", looks_like_picocray(p)}};
    if (probe) {
      std::string what;
      bool answered = probe_port(p.path, probe_ms, &what);
      j["answered"] = answered;
      j["probe"] = what;
      if (answered) j["picocray"] = true;
    }
    arr.push_back(j);
  }
  if (json) {
    std::printf("%s\n", arr.dump(2).c_str());
    return kExitOk;
  }
  if (ports.empty()) {
    std::fprintf(stderr, "no serial ports seen\n");
    return kExitOk;
  }
  std::printf("%-22s %-9s %-16s %-20s %s\n", "PORT", "USB_ID", "SERIAL", "PRODUCT", "PICOCRAY");
  for (const auto& j : arr) {
    std::string product = j["product"].get<std::string>();
    if (product.empty()) product = j["description"].get<std::string>();
    std::string mark = j["picocray"].get<bool>() ? "yes" : "-";
    if (probe) mark = j["answered"].get<bool>() ? "answers" : "no answer";
    std::printf(
        "%-22s %-9s %-16s %-20s %s\n", j["path"].get<std::string>().c_str(),
        j["usb_id"].is_null() ? "-" : j["usb_id"].get<std::string>().c_str(),
        j["serial"].get<std::string>().empty() ? "-" : j["serial"].get<std::string>().c_str(),
        product.c_str(), mark.c_str());
  }
  return kExitOk;
}

}  // namespace

void add_ports_command(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("ports", "The serial ports on this machine; which are PicoCrays");
  auto probe = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--probe", *probe, "Try the PicoCray handshake on each port (1 s at most each)");
  cmd->add_flag("--json", *json, "A JSON array of ports on stdout");
  cmd->footer(
      "A PicoCray controller shows USB ID 2e8a:xxxx and a product string naming PicoCray;\n"
      "--port auto (the default) picks the one such port.\n"
      "Example:\n  picocray ports --probe\n");
  cmd->callback([&g, probe, json]() { g.exit_code = run_ports(g, *probe, *json); });
}

}  // namespace picocray::cli
