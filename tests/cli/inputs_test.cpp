// Input checked and said plainly (issue 12, items 2, 10, 11, 12): decimal integers only, limits
// of depth, messages that name what was wrong, nothing empty or ignored taken as something else.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "picocray_run.h"

using namespace picocray::test;

namespace {

Run render(std::vector<std::string> more) {
  std::vector<std::string> a = {"--port", "sim:2", "render", "--size", "32x24"};
  a.insert(a.end(), more.begin(), more.end());
  return run_picocray(a);
}

// A usage error: exit 2, one line on stderr holding `text`, nothing on stdout.
void check_usage(const Run& r, const std::string& text) {
  INFO(describe(r));
  CHECK(r.status == 2);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.err.find(text) != std::string::npos);
  CHECK(r.out.empty());
}

}  // namespace

TEST_CASE("item 2: integers are decimal, never octal or hex") {
  Run r = render({"--region", "-2,1,-1,1", "--iterations", "010", "--json"});
  INFO(describe(r));
  REQUIRE(r.status == 0);
  CHECK(nlohmann::json::parse(r.out)["iterations"] == 10);
  Run nine = render({"--region", "-2,1,-1,1", "--iterations", "09", "--json"});
  REQUIRE(nine.status == 0);
  CHECK(nlohmann::json::parse(nine.out)["iterations"] == 9);
  check_usage(render({"--region", "-2,1,-1,1", "--iterations", "0x10", "--json"}), "'0x10'");
  Run frames = render(
      {"--center", "-0.5,0", "--span", "3", "--frames", "010", "--zoom-to", "-0.5,0,1", "--json"});
  INFO(describe(frames));
  REQUIRE(frames.status == 0);
  CHECK(nlohmann::json::parse(frames.out).size() == 10);
  Run st = run_picocray({"--port", "sim:10", "selftest", "--expect-nodes", "010"});
  INFO(describe(st));
  CHECK(st.status == 0);
}

TEST_CASE("item 10: too deep a view is refused with its limit, a coarse forced precision too") {
  Run deep = render({"--center", "-1.7497219297423015,0", "--span", "2e-37", "--json"});
  check_usage(deep, "too deep");
  CHECK(deep.err.find("at least about") != std::string::npos);
  check_usage(render({"--center", "-0.75,0.1", "--span", "1e-7", "--precision", "32", "--json"}),
              "--precision 32 is too coarse");
  // Coarser than auto would choose, yet distinct pixels: rendered, with a warning.
  Run coarse = render({"--center", "-0.75,0.1", "--span", "1e-4", "--precision", "32", "--json"});
  INFO(describe(coarse));
  CHECK(coarse.status == 0);
  CHECK(coarse.err.find("auto would use 64") != std::string::npos);
}

TEST_CASE("item 11: messages say what was wrong") {
  Run big = render({"--region", "-2,1,-1,1", "--iterations", "99999999999999999999", "--json"});
  check_usage(big, "'99999999999999999999' must be a whole number from 1 to 65535");
  CHECK(big.err.find("9223372036854775807") == std::string::npos);
  Run empty = render({"--region", "-2,1,-1,1", "--iterations", "", "--json"});
  CHECK(empty.status == 2);
  CHECK(empty.err.find("got 0") == std::string::npos);
  Run far = render({"--region", "20,21,0,1", "--json"});
  check_usage(far, "[-4, 4]");
  CHECK(far.err.find("(-16, 16)") == std::string::npos);
  Run span = render({"--center", "0,0", "--span", "", "--json"});
  CHECK(span.status == 2);
  CHECK(span.err.find("go together") == std::string::npos);
  check_usage(run_picocray({"bogus"}), "'bogus' is not a command");
  check_usage(run_picocray({"--port", "tcp://127.0.0.1:99999", "nodes"}), "1 to 65535");

  SimServer sim({"--listen", "127.0.0.1:0", "--nodes", "2", "--cpu-mhz", "133.5"});
  Run info = run_picocray({"--port", sim.address, "info", "--json"});
  INFO(describe(info));
  REQUIRE(info.status == 0);
  CHECK(nlohmann::json::parse(info.out)["cpu_hz"] == 133500000);
  sim.proc.signal(SIGTERM);
  CHECK(sim.proc.wait(20).status == 0);
}

TEST_CASE("item 12: nothing empty or ignored is taken as something else") {
  check_usage(render({"--region", "-2,1,-1,1", "--nodes", "", "--json"}), "--nodes");
  check_usage(run_picocray({"--port", "sim", "bench", "--scenes", ""}), "--scenes");
  check_usage(run_picocray({"--port", "sim:", "nodes"}), "sim:N");
  check_usage(run_picocray({"--port", "", "nodes"}), "--port");
  check_usage(run_picocray({"--port", "tcp://127.0.0.1:9", "--fault", "seed=2", "nodes"}),
              "--fault applies to a simulated cluster");

  TempDir dir;
  write_file(dir / "precious.txt", "keep me");
  REQUIRE(::symlink((dir / "precious.txt").c_str(), (dir / "link").c_str()) == 0);
  Run pty = run_picocray({"sim", "--pty", dir / "link"});
  check_usage(pty, "--pty");
  CHECK(read_file(dir / "precious.txt") == "keep me");
  struct stat st {};
  REQUIRE(::lstat((dir / "link").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
}

TEST_CASE("--port emu with a file that is no RP2040 image: exit 3, one line saying what it is") {
  TempDir dir;
  write_file(dir / "empty.elf", "");
  write_file(dir / "notes.txt", std::string(300, 'x'));
  write_file(dir / "image.uf2", std::string("UF2\n") + std::string(508, '\0'));
  std::string x86 = read_file("/bin/true");  // an ELF, for another machine
  write_file(dir / "host.elf", x86);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty.elf", "is empty"},
      {"notes.txt", "second-stage boot loader"},
      {"image.uf2", "UF2"},
      {"host.elf", "not a 32-bit ARM one"},
      {".", "is not a file"}};
  for (const auto& [file, says] : cases) {
    Run r = run_picocray({"--port", "emu:1", "--firmware", dir / file, "nodes"});
    INFO(file << "\n" << describe(r));
    CHECK(r.status == 3);
    CHECK(count_lines(r.err) == 1);
    CHECK(r.err.find(says) != std::string::npos);
    CHECK(r.out.empty());
  }
}
