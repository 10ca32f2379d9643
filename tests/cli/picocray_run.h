// What the CLI tests share: running the built picocray, describing a run for a failure message,
// a `picocray sim` server in the background, and raw loopback connections to one.
#pragma once
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <map>
#include <string>
#include <vector>

#include "process.h"

namespace picocray::test {

inline const std::string kBin = PICOCRAY_BIN;
inline const std::string kExamples = PICOCRAY_EXAMPLES;

inline Run run_picocray(std::vector<std::string> args, const std::string& stdin_text = "",
                        const std::map<std::string, std::string>& env = {},
                        const std::string& cwd = "") {
  args.insert(args.begin(), kBin);
  return run(args, stdin_text, env, cwd);
}

// picocray through /bin/sh, for redirections and umask: `script` is run with "$P" the binary.
inline Run run_shell(const std::string& script) {
  return run({"/bin/sh", "-c", script}, "", {{"P", kBin}});
}

inline std::string describe(const Run& r) {
  return "exit " + std::to_string(r.status) + "\n--- stdout:\n" + r.out + "--- stderr:\n" + r.err;
}

// Starts `picocray sim ...` and returns its address from the first stdout line.
struct SimServer {
  explicit SimServer(std::vector<std::string> args)
      : proc([&] {
          args.insert(args.begin(), {kBin, "sim"});
          return args;
        }()) {
    address = proc.read_out_line();
  }
  Process proc;
  std::string address;
};

// A raw TCP connection to a `picocray sim` address (tcp://127.0.0.1:PORT), for tests that send
// bytes no client would.
inline int connect_loopback(const std::string& address) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1))));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

}  // namespace picocray::test
