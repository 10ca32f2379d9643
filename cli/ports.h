// Serial ports as libserialport sees them, and finding the one PicoCray controller among them.
#pragma once
#include <string>
#include <vector>

namespace picocray::cli {

constexpr int kRaspberryPiVid = 0x2E8A;

struct PortInfo {
  std::string path;
  std::string transport;   // usb, native, bluetooth
  int vid = -1, pid = -1;  // USB only
  std::string serial, manufacturer, product, description;
};

std::vector<PortInfo> list_ports();
// VID 0x2E8A and a product string naming PicoCray.
bool looks_like_picocray(const PortInfo& p);
// Tries the handshake; true when a PicoCray controller answered within timeout_ms. *what gets
// the board name or the reason it failed.
bool probe_port(const std::string& path, int timeout_ms, std::string* what);
// `--port auto`: the one port that looks like a PicoCray (or, failing that, the one Raspberry Pi
// port that answers the handshake). None or several: CliError(kExitPort) listing the candidates.
std::string find_picocray_port(int probe_timeout_ms);

}  // namespace picocray::cli
