// Shared pieces of the host tool: exit codes, errors, argument parsing, atomic file output.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "picocray/kernel.h"

namespace picocray::cli {

// Exit codes (docs/cli.md). Scripts branch on these.
enum Exit : int {
  kExitOk = 0,
  kExitFailure = 1,      // anything not listed below
  kExitUsage = 2,        // bad arguments
  kExitPort = 3,         // no device, or the port could not be opened
  kExitTimeout = 4,      // the device stopped answering
  kExitProtocol = 5,     // not a PicoCray, or an incompatible protocol version
  kExitCluster = 6,      // the cluster reported a fault or refused the job
  kExitMismatch = 7,     // --verify found a count that differs from the host reference
  kExitInterrupted = 130,
};

// An error that ends the command: one line for stderr and the exit code.
struct CliError : std::runtime_error {
  CliError(int code, const std::string& what) : std::runtime_error(what), exit_code(code) {}
  int exit_code;
};

struct Region {
  Coord x0, x1, y0, y1;
};

// "X0,X1,Y0,Y1" as decimals.
Region parse_region(const std::string& s);
// "WxH".
void parse_size(const std::string& s, uint16_t* w, uint16_t* h, uint32_t max_side);
std::string format_coord(const Coord& c, int digits = 40);
// Trims trailing zeros of a decimal for display.
std::string short_coord(const Coord& c);

// Writes a file under a temporary name in the same directory and renames it into place; on any
// failure nothing is left behind and a CliError says what went wrong.
void write_atomic(const std::string& path, const std::vector<uint8_t>& bytes);
// Checks, before any work, that the file could be created there.
void check_writable(const std::string& path);

}  // namespace picocray::cli
