// Real components: Debian's ser2net serving a `picocray sim --pty` terminal, as a rig's serial port
// is served on a board-farm exporter, in raw TCP and in RFC 2217 (telnet) mode; picocray lists the
// nodes and renders exactly through it. Skipped, saying so, where ser2net is not installed.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "picocray_run.h"
#include "process.h"

using picocray::test::describe;
using picocray::test::Process;
using picocray::test::read_file;
using picocray::test::Run;
using picocray::test::run_picocray;
using picocray::test::SimServer;
using picocray::test::TempDir;
using picocray::test::write_file;

namespace {

std::string find_ser2net() {
  for (const char* p : {"/usr/sbin/ser2net", "/usr/bin/ser2net", "/usr/local/sbin/ser2net"})
    if (::access(p, X_OK) == 0) return p;
  return "";
}

// A port nobody listens on now: bound to 0, read back, closed (ser2net binds it a moment later).
uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool accepts(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// One ser2net connection: a simulated cluster's pseudo-terminal as its serial device. A new client
// takes over from one still closing (kickolduser), so back-to-back runs never find it busy.
std::string connection(const std::string& name, const std::string& accepter,
                       const std::string& pty) {
  char real[PATH_MAX];
  REQUIRE(::realpath(pty.c_str(), real) != nullptr);
  return "connection: &" + name + "\n  accepter: " + accepter + "\n  connector: serialdev," + real +
         ",115200n81,local\n  options:\n    kickolduser: true\n";
}

// ser2net in front of two simulated clusters' pseudo-terminals: one served as raw TCP, the other
// as telnet with RFC 2217. Ready once both ports accept (a bounded retry, not a guessed delay).
struct Ser2netRig {
  TempDir dir;
  std::unique_ptr<SimServer> raw_sim, telnet_sim;
  std::unique_ptr<Process> ser2net;
  uint16_t raw_port = 0, telnet_port = 0;

  explicit Ser2netRig(const std::string& bin) {
    raw_sim = std::make_unique<SimServer>(
        std::vector<std::string>{"--pty", dir / "raw-cluster", "--nodes", "4"});
    telnet_sim = std::make_unique<SimServer>(
        std::vector<std::string>{"--pty", dir / "telnet-cluster", "--nodes", "4"});
    raw_port = free_port();
    telnet_port = free_port();
    write_file(
        dir / "ser2net.yaml",
        connection("raw", "tcp,127.0.0.1," + std::to_string(raw_port), raw_sim->address) +
            connection("rfc2217", "telnet(rfc2217),tcp,127.0.0.1," + std::to_string(telnet_port),
                       telnet_sim->address));
    ser2net = std::make_unique<Process>(
        std::vector<std::string>{bin, "-n", "-d", "-c", dir / "ser2net.yaml"});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!(accepts(raw_port) && accepts(telnet_port))) {
      REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline,
                      "ser2net did not listen on ports " << raw_port << " and " << telnet_port
                                                         << " within 10 s");
      ::poll(nullptr, 0, 20);  // between tries of the bounded retry
    }
  }
  ~Ser2netRig() {
    ser2net->signal(SIGTERM);
    ser2net->wait(10);
    for (auto* s : {raw_sim.get(), telnet_sim.get()}) {
      s->proc.signal(SIGTERM);
      s->proc.wait(10);
    }
  }
};

void nodes_and_render(const std::string& port, const TempDir& dir) {
  Run nodes = run_picocray({"--port", port, "nodes", "--json"});
  REQUIRE_MESSAGE(nodes.status == 0, describe(nodes));
  auto arr = nlohmann::json::parse(nodes.out);
  CHECK(arr.size() == 4);
  Run r = run_picocray({"--port", port, "render", "--region", "-2.5,1,-1.25,1.25", "--size",
                        "320x240", "--verify", "--raw", dir / "through.pgm", "--json"});
  REQUIRE_MESSAGE(r.status == 0, describe(r));
  CHECK(nlohmann::json::parse(r.out)["verified"] == true);
  CHECK(nlohmann::json::parse(r.out)["port"] == port);
}

}  // namespace

TEST_CASE("ser2net: raw TCP and RFC 2217 in front of picocray sim --pty, nodes and --verify") {
  const std::string bin = find_ser2net();
  if (bin.empty()) {
    MESSAGE("SKIPPED: ser2net is not installed (Debian package ser2net; scripts/setup.sh)");
    return;
  }
  Ser2netRig rig(bin);
  nodes_and_render("tcp://127.0.0.1:" + std::to_string(rig.raw_port), rig.dir);
  const std::string telnet = "rfc2217://127.0.0.1:" + std::to_string(rig.telnet_port);
  nodes_and_render(telnet, rig.dir);
  // The same through two clusters, one of them behind ser2net.
  Run local = run_picocray({"--port", "sim:4", "render", "--region", "-2.5,1,-1.25,1.25", "--size",
                            "320x240", "--raw", rig.dir / "local.pgm"});
  REQUIRE_MESSAGE(local.status == 0, describe(local));
  Run two = run_picocray({"--port", "sim:4", "--port", telnet, "render", "--region",
                          "-2.5,1,-1.25,1.25", "--size", "320x240", "--verify", "--raw",
                          rig.dir / "two.pgm", "--meta", rig.dir / "two.json"});
  REQUIRE_MESSAGE(two.status == 0, describe(two));
  CHECK(read_file(rig.dir / "two.pgm") == read_file(rig.dir / "local.pgm"));
  auto meta = nlohmann::json::parse(read_file(rig.dir / "two.json"));
  CHECK(meta["clusters"][1]["port"] == telnet);
  CHECK(meta["clusters"][1]["failed"].is_null());
}
