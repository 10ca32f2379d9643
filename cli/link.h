// The byte stream to a controller: a serial port, a pseudo-terminal, raw TCP, or the simulator.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "picocray/sim.h"

namespace picocray::cli {

// The USB requests, besides the protocol's RESET, that put a board into BOOTSEL (docs/hardware.md):
// the CDC line coding set to 1200 baud, and the SDK reset interface's BOOTSEL request.
enum class UsbBootsel { baud_1200, reset_interface };

class Link {
 public:
  virtual ~Link() = default;
  // Writes all bytes or throws CliError.
  virtual void write(const uint8_t* data, size_t len) = 0;
  // Waits up to timeout_ms; returns the bytes read (0 on timeout). Throws when the link is gone.
  virtual size_t read(uint8_t* buf, size_t cap, int timeout_ms) = 0;
  virtual std::string name() const = 0;
  // Wall time per unit of device time, which the session's timeouts are stretched by: 1 but for
  // an emulated cluster (emu ports), which runs about 100 times slower than boards.
  virtual double time_scale() const { return 1.0; }
  // Wall time (ns, since the link opened) during which the device's own clock stood still: a
  // simulator in this process computing a tile on the host. The device was not silent then, only
  // not yet simulated, so the session's silence clock leaves it out. 0 for anything else.
  virtual uint64_t paused_ns() { return 0; }
  // The simulator behind the link, for modelled figures; null for real hardware.
  virtual sim::Simulator* simulator() { return nullptr; }
  // Sends a BOOTSEL request to the USB device behind the link; false when the port has none (a
  // simulator, raw TCP). Throws CliError when the request cannot be sent.
  virtual bool usb_bootsel(UsbBootsel how) {
    (void)how;
    return false;
  }
};

struct SimOptions {
  uint32_t nodes = 8;
  uint64_t seed = 1;
  sim::Model model;
  sim::Faults faults;         // --fault, for sim ports and `picocray sim`
  bool faults_given = false;  // --fault appeared at all (even only seed=)
  // The simulated controller's USB link has no host holding it open: with its LCD, it goes
  // standalone (`display touch`).
  bool no_host = false;
};

// A kind of port: how its --port text is recognised and opened. Kinds are tried in order; a
// device path is what no kind claims. A new kind (e.g. emu:N) is one more entry in port_kinds().
struct PortKind {
  const char* syntax;  // for messages: "sim, sim:N"
  bool (*claims)(const std::string& port);
  std::unique_ptr<Link> (*open)(const std::string& port, const SimOptions& sim);
  bool simulated_in_process;  // takes --fault and --sim-seed
};
const std::vector<PortKind>& port_kinds();

// port: "sim", "sim:N", "emu:N", "tcp://HOST:PORT", "rfc2217://HOST:PORT" (rfc2217.h), or a
// device path. CliError(kExitUsage) on a port text
// no kind accepts, or --fault given for a port that is not simulated here.
std::unique_ptr<Link> open_link(const std::string& port, const SimOptions& sim);
// Connects to spec, "SCHEME" "HOST:PORT" (a bracketed IPv6 host allowed), giving up after 3 s;
// returns the socket. CliError(kExitUsage) on a malformed spec, kExitPort when no connection.
int connect_tcp(const std::string& spec, const std::string& scheme);
// True for a port simulated in this process (sim, sim:N).
bool in_process_sim(const std::string& port);

}  // namespace picocray::cli
