// `--port emu:N`: the built board image on a cluster of emulated RP2040s (firmware/emu, Node),
// started as a child process and reached over its TCP host link (docs/emulator.md).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "link.h"

namespace picocray::cli {

// "emu" or "emu:N".
bool is_emu_port(const std::string& port);
// Starts the emulator with N secondaries (emu = 2; 1 to 8) and connects to it; the child ends with
// the link. Throws CliError: kExitUsage for a bad N, kExitPort when the image, node or the
// emulator's packages are missing or it does not come up.
std::unique_ptr<Link> open_emu(const std::string& port);

// The image: --firmware (which sets PICOCRAY_FIRMWARE), else PICOCRAY_FIRMWARE, else
// build/firmware-pico/picocray.elf in the source tree picocray was built from.
std::string emu_firmware_path();
// The command line that runs the emulator (node firmware/emu/main.js ...), checked: throws
// CliError(kExitPort) naming what is missing.
std::vector<std::string> emu_command(uint32_t secondaries, const std::string& listen, bool once);

}  // namespace picocray::cli
