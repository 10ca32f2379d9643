// --timeout counts silence, never a render's length: a tile the host computes for seconds (while
// the simulated cluster's clock waits for it) passes with a short --timeout on every kind of
// simulator port, and a device that really goes silent is still a timeout.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "picocray_run.h"
#include "process.h"

using picocray::test::describe;
using picocray::test::kBin;
using picocray::test::Process;
using picocray::test::Run;
using picocray::test::run_picocray;
using picocray::test::SimServer;
using picocray::test::TempDir;

namespace {

// One 64x64 tile inside the main cardioid at 128 bits and 20000 iterations: seconds of host
// computing before the cluster's clock can move past it, and no frame meanwhile.
std::vector<std::string> heavy_render(const std::string& port, const std::string& timeout) {
  return {"--port",      port,     "--timeout",       timeout,        "render",
          "--center",    "0,0",    "--span",          "0.1",          "--size",
          "64x64",       "--tile", "64x64",           "--iterations", "20000",
          "--precision", "128",    "--no-controller", "--nodes",      "0",
          "--json"};
}

void check_rendered(const Run& r) {
  INFO(describe(r));
  REQUIRE(r.status == 0);
  CHECK(r.err.find("no answer") == std::string::npos);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["tiles"] == 1);
}

}  // namespace

TEST_CASE("--timeout counts silence: a heavy tile passes on sim, over TCP and on a pty") {
  auto args = heavy_render("sim", "0.5");
  args.push_back("--verify");
  Run in_process = run_picocray(args);
  check_rendered(in_process);
  CHECK(nlohmann::json::parse(in_process.out)["verified"] == true);

  // `picocray sim` speaks between frames while its clock waits: the client hears it.
  SimServer tcp({"--listen", "127.0.0.1:0", "--nodes", "2"});
  check_rendered(run_picocray(heavy_render(tcp.address, "1")));
  TempDir dir;
  SimServer pty({"--pty", dir / "picocray0", "--nodes", "2"});
  check_rendered(run_picocray(heavy_render(pty.address, "1")));
  for (SimServer* s : {&tcp, &pty}) {
    s->proc.signal(SIGTERM);
    CHECK(s->proc.wait(20).status == 0);
  }
}

TEST_CASE("a server stopped mid-render is a timeout, exit 4, and nothing on stdout") {
  SimServer sim({"--listen", "127.0.0.1:0", "--nodes", "2"});
  auto args = heavy_render(sim.address, "1");
  args.insert(args.begin(), {kBin, "-v"});
  Process client(args);
  // The render's first info line comes once the session is open and the job is about to start.
  std::string line;
  do line = client.read_err_line();
  while (line.find("render:") == std::string::npos);
  sim.proc.signal(SIGSTOP);  // a device that stops answering, its connection open
  Run r = client.wait(60);
  sim.proc.signal(SIGCONT);
  INFO(describe(r));
  CHECK(r.status == 4);
  CHECK(r.out.empty());
  CHECK(r.err.find("no answer within 1.0 s") != std::string::npos);
  // Three silent tries of the render, each a second of silence and at most a second for its cancel.
  CHECK(r.seconds < 3 * (1 + 1) + 5);
  sim.proc.signal(SIGTERM);
  CHECK(sim.proc.wait(20).status == 0);
}

TEST_CASE("a simulated link that loses every byte is a timeout at the handshake") {
  Run r = run_picocray({"--port", "sim", "--timeout", "1", "--fault", "link-drop=1", "nodes"});
  INFO(describe(r));
  CHECK(r.status == 4);
  CHECK(r.seconds < 5);
  CHECK(picocray::test::count_lines(r.err) == 1);
}
