// Exit codes and the error that ends a command: what scripts branch on.
#pragma once
#include <stdexcept>
#include <string>

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

}  // namespace picocray::cli
