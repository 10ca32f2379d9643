// Output files: every path checked before any work, every file written all-or-nothing.
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "errors.h"

namespace picocray::cli {

// The path that means stdout (`-o -`, `--raw -`).
inline bool is_stdout(const std::string& path) {
  return path == "-";
}

// Checks, before any work, that the file could be written: the path is not a directory, its
// directory exists and is writable (an existing file must be writable), and its name fits in
// NAME_MAX. A symlink is checked as the file it points to. Throws CliError(kExitUsage).
void check_output(const std::string& path, const std::string& what = "");

// The outputs of one command, so that no two of them (nor an output and an input, such as the
// batch's job list) name the same file: symlinks and "." are seen through.
class OutputSet {
 public:
  // Throws CliError(kExitUsage) naming both options when path is already taken.
  void add(const std::string& path, const std::string& what);
  void add_input(const std::string& path, const std::string& what) { add(path, what); }

 private:
  std::vector<std::pair<std::string, std::string>> taken_;  // identity, what
  std::set<std::string> ids_;
};

// Writes the bytes, all or nothing: "-" goes to stdout; a device, FIFO or other file that is not
// a regular file is written directly (never renamed over); a regular file is written under a
// temporary name in the same directory (within NAME_MAX) and renamed into place, with the mode of
// the file it replaces or, for a new one, 0666 less the umask. A symlink is followed: its target
// is written. Throws CliError(kExitFailure) saying what went wrong; nothing is left behind.
void write_output(const std::string& path, const std::vector<uint8_t>& bytes);
// Removes a file write_output made, after a later failure of the same job: regular files only,
// never stdout or a device.
void remove_output(const std::string& path);
// A regular file (or a symlink to one) is there: `--skip-existing` takes the output as done.
bool output_exists(const std::string& path);

// Flushes stdout; a failed write to it (a full disk, /dev/full, a closed pipe) is
// CliError(kExitFailure), so that results lost on the way out never exit 0.
void check_stdout();
struct StdoutError : CliError {
  using CliError::CliError;
};

// Output paths of frame sequences: true when the path holds one %d, %0Nd (N 1..9) conversion.
// Throws CliError(kExitUsage) on any other % (write %% for a literal one).
bool has_frame_pattern(const std::string& path);
// The path with the conversion replaced by k (and %% by %).
std::string frame_path(const std::string& pattern, uint32_t k);

}  // namespace picocray::cli
