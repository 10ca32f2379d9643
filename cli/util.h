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
  kExitFailure = 1,   // anything not listed below
  kExitUsage = 2,     // bad arguments
  kExitPort = 3,      // no device, or the port could not be opened
  kExitTimeout = 4,   // the device stopped answering
  kExitProtocol = 5,  // not a PicoCray, or an incompatible protocol version
  kExitCluster = 6,   // the cluster reported a fault or refused the job
  kExitMismatch = 7,  // --verify found a count that differs from the host reference
  kExitInterrupted = 130,
};

// An error that ends the command: one line for stderr and the exit code.
struct CliError : std::runtime_error {
  CliError(int code, const std::string& what) : std::runtime_error(what), exit_code(code) {}
  int exit_code;
};

using picocray::Region;  // geometry.h

// Splits at every sep; "a,,b" gives an empty middle field.
std::vector<std::string> split(const std::string& s, char sep);
// Splits a batch line the way a shell would for simple cases: whitespace separates words, '...'
// and "..." quote (no escapes inside single quotes; \" and \\ inside double quotes), a backslash
// outside quotes escapes the next character, and a # that starts a word starts a comment. Throws
// CliError(kExitUsage) on an open quote.
std::vector<std::string> split_shell(const std::string& line);

// An index list such as "0,2-3" (for --nodes); sorted, without repeats. `what` names the option
// in the error. Every index must be below `limit` (UINT32_MAX: the syntax alone).
std::vector<uint32_t> parse_index_list(const std::string& s, const std::string& what,
                                       uint32_t limit);
// A comma-separated list of positive integers (for --nodes-sweep).
std::vector<uint32_t> parse_count_list(const std::string& s, const std::string& what, uint32_t min,
                                       uint32_t max);

// Output paths of frame sequences: true when the path holds one %d, %0Nd (N 1..9) conversion.
// Throws CliError(kExitUsage) on any other % (write %% for a literal one).
bool has_frame_pattern(const std::string& path);
// The path with the conversion replaced by k (and %% by %).
std::string frame_path(const std::string& pattern, uint32_t k);

bool stderr_is_tty();

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
