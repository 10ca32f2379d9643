// Commands as scripts and users of picotool and esptool expect them (issue 12, items 3, 7, 8, 9,
// 13, 14): stdout failures, batch summaries and JSON lines, resumable sequences, selftest on a
// refused port, bench on the server's model and repeatable, the progress bar's width, --version,
// completion and the man page, and `picocray sim` with a busy or idle client.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "picocray_run.h"

using namespace picocray::test;

TEST_CASE("item 3: a failed write to stdout is exit 1, not 0") {
  TempDir dir;
  write_file(dir / "jobs.txt", "--region -2,1,-1,1 --size 32x32 -o '" + dir / "a.png" + "'\n");
  for (const std::string& cmd : std::vector<std::string>{
           "--port sim:2 nodes --json",
           "--port sim:2 render --region -2,1,-1,1 --size 32x32 --json", "--port sim:2 selftest",
           "--port sim:2 batch - < '" + dir / "jobs.txt" + "'", "--version"}) {
    CAPTURE(cmd);
    Run r = run_shell("exec \"$P\" " + cmd + " > /dev/full");
    INFO(describe(r));
    CHECK(r.status == 1);
    CHECK(r.err.find("cannot write to stdout") != std::string::npos);
  }
}

TEST_CASE("item 7: batch on a directory, quoted summary paths, the tool's own error prefix") {
  TempDir dir;
  Run d = run_picocray({"--port", "sim:2", "batch", dir.path()});
  INFO(describe(d));
  CHECK(d.status == 2);
  CHECK(d.err.find("is a directory") != std::string::npos);

  write_file(dir / "jobs.txt", "--region -2,1,-1,1 --size 32x32 -o '" + dir / "c d.png" +
                                   "'\n--region 1,0,-1,1 -o x.png\n");
  Run r = run_picocray({"--port", "sim:2", "batch", dir / "jobs.txt", "--continue-on-error"});
  INFO(describe(r));
  CHECK(r.status == 2);
  CHECK(r.out.find("ok 1 '" + dir / "c d.png" + "' ") == 0);
  CHECK(r.err.find("picocray: line 2: ") != std::string::npos);
  CHECK(r.err.find("error: line") == std::string::npos);
}

TEST_CASE("batch --json and --skip-existing, zoom frames resume") {
  TempDir dir;
  write_file(dir / "jobs.txt", "--region -2,1,-1,1 --size 32x32 -o '" + dir / "a.png" +
                                   "'\n--region 1,0,-1,1 -o x.png\n");
  Run r =
      run_picocray({"--port", "sim:2", "batch", "--json", dir / "jobs.txt", "--continue-on-error"});
  INFO(describe(r));
  CHECK(r.status == 2);
  REQUIRE(count_lines(r.out) == 2);
  std::istringstream lines(r.out);
  std::string l1, l2;
  std::getline(lines, l1);
  std::getline(lines, l2);
  auto j1 = nlohmann::json::parse(l1), j2 = nlohmann::json::parse(l2);
  CHECK(j1["status"] == "ok");
  CHECK(j1["line"] == 1);
  CHECK(j1["jobs"][0]["width"] == 32);
  CHECK(j2["status"] == "failed");
  CHECK(j2["exit_code"] == 2);

  Run again = run_picocray({"--port", "sim:2", "batch", "--skip-existing", dir / "jobs.txt"});
  INFO(describe(again));
  CHECK(again.out.find("skipped 1 ") == 0);

  // A zoom sequence interrupted after two frames: the rerun renders only the missing ones.
  const std::vector<std::string> zoom = {
      "--port", "sim:2",     "render",   "--center", "-0.5,0",
      "--span", "3",         "--size",   "32x24",    "--frames",
      "4",      "--zoom-to", "-0.7,0,1", "-o",       dir / "f%d.png"};
  Run first = run_picocray(zoom);
  REQUIRE(first.status == 0);
  write_file(dir / "f1.png", "kept");
  ::unlink((dir / "f3.png").c_str());
  auto args = zoom;
  args.insert(args.end(), {"--skip-existing", "--json"});
  Run resume = run_picocray(args);
  INFO(describe(resume));
  REQUIRE(resume.status == 0);
  auto metas = nlohmann::json::parse(resume.out);
  REQUIRE(metas.size() == 1);
  CHECK(metas[0]["frame"] == 3);
  CHECK(read_file(dir / "f1.png") == "kept");
  CHECK(file_exists(dir / "f3.png"));
}

TEST_CASE("item 8: selftest on a refused port fails every check, skips none") {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t sl = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &sl);
  ::close(fd);  // bound once, now closed: nothing listens there
  Run r =
      run_picocray({"--port", "tcp://127.0.0.1:" + std::to_string(ntohs(a.sin_port)), "selftest"});
  INFO(describe(r));
  CHECK(r.status == 3);
  CHECK(r.out.find("# SKIP") == std::string::npos);
  CHECK(r.out.find("\nok ") == std::string::npos);
}

TEST_CASE("item 9: bench over tcp:// uses the server's clock, modelled figures repeat exactly") {
  auto single = [](const std::vector<std::string>& sim_args) {
    SimServer sim(sim_args);
    Run r = run_picocray({"--port", sim.address, "bench", "--json", "--scenes", "overview"});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    sim.proc.signal(SIGTERM);
    sim.proc.wait(20);
    return nlohmann::json::parse(r.out)["scenes"][0]["single_pico_modelled_s"].get<double>();
  };
  const double at125 = single({"--listen", "127.0.0.1:0", "--nodes", "4"});
  const double at250 = single({"--listen", "127.0.0.1:0", "--nodes", "4", "--cpu-mhz", "250"});
  CHECK(at125 == doctest::Approx(2 * at250).epsilon(1e-9));

  std::vector<nlohmann::json> runs;
  for (int k = 0; k < 3; ++k) {
    Run r = run_picocray(
        {"--port", "sim", "bench", "--json", "--no-baseline", "--scenes", "overview,seahorse"});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    nlohmann::json figures = nlohmann::json::array();
    const nlohmann::json doc = nlohmann::json::parse(r.out);  // outlives the loop over its scenes
    for (const auto& s : doc["scenes"])
      figures.push_back({s["modelled_s"], s["i2c_bytes"], s["node_share"]});
    runs.push_back(figures);
  }
  CHECK(runs[0] == runs[1]);
  CHECK(runs[0] == runs[2]);
}

TEST_CASE("item 13: the progress bar fits a 40-column terminal") {
  int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  REQUIRE(master >= 0);
  REQUIRE(::grantpt(master) == 0);
  REQUIRE(::unlockpt(master) == 0);
  int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
  REQUIRE(slave >= 0);
  winsize ws{};
  ws.ws_row = 24;
  ws.ws_col = 40;
  REQUIRE(::ioctl(slave, TIOCSWINSZ, &ws) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(slave, 2);
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::execl(kBin.c_str(), kBin.c_str(), "--port", "sim:2", "render", "--region", "-2,1,-1,1",
            "--size", "640x480", "--tile", "16x16", "--verify", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(slave);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(master, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  int st = 0;
  ::waitpid(pid, &st, 0);
  ::close(master);
  CHECK(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 0);
  size_t updates = 0;
  for (size_t p = 0; (p = text.find('\r', p)) != std::string::npos; ++p) {
    size_t end = text.find("\x1b[K", p);
    if (end == std::string::npos) break;
    std::string line = text.substr(p + 1, end - p - 1);
    if (line.empty()) continue;
    ++updates;
    INFO(line);
    CHECK(line.size() <= 39);
  }
  CHECK(updates > 0);
}

TEST_CASE("item 14: docs and help: zoom example, per_node order, --log-level critical") {
  const std::string doc = read_file(std::string(PICOCRAY_EXAMPLES) + "/../docs/cli.md");
  size_t zoom = doc.find("-o frames/%04d.png");
  REQUIRE(zoom != std::string::npos);
  size_t block = doc.rfind("```", zoom);
  CHECK(doc.substr(block, zoom - block).find("mkdir -p frames") != std::string::npos);
  Run h = run_picocray({"--help"});
  CHECK(h.out.find("error, critical or off") != std::string::npos);
  Run r = run_picocray(
      {"--port", "sim:8", "render", "--region", "-2,1,-1,1", "--size", "256x256", "--json"});
  REQUIRE(r.status == 0);
  auto per = nlohmann::json::parse(r.out)["per_node"];
  REQUIRE(per.size() >= 2);
  for (size_t k = 0; k + 1 < per.size(); ++k) {
    if (per[k + 1]["node"].is_string()) continue;  // the controller, last
    REQUIRE(per[k]["node"].is_number());
    CHECK(per[k]["node"].get<int>() < per[k + 1]["node"].get<int>());
  }
  CHECK(per.back()["node"] == "controller");
}

TEST_CASE("--version names the host version, protocol and source revision") {
  Run v = run_picocray({"--version"});
  INFO(describe(v));
  CHECK(v.status == 0);
  CHECK(std::regex_match(v.out, std::regex("picocray [0-9]+\\.[0-9]+\\.[0-9]+ \\(protocol "
                                           "[0-9]+\\.[0-9]+, source [^ )]+\\)\n")));
}

TEST_CASE("bash completion and the man page come from the command definitions") {
  Run c = run_shell(
      "source_it() { . /dev/stdin; }; \"$P\" completion bash > /tmp/.pc-completion-$$ && "
      "bash -c '. /tmp/.pc-completion-'$$'; "
      "COMP_WORDS=(picocray ren); COMP_CWORD=1; _picocray; echo \"${COMPREPLY[*]}\"; "
      "COMP_WORDS=(picocray render --pal); COMP_CWORD=2; _picocray; echo \"${COMPREPLY[*]}\"; "
      "COMP_WORDS=(picocray render --palette f); COMP_CWORD=3; _picocray; "
      "echo \"${COMPREPLY[*]}\"; COMP_WORDS=(picocray bench --sc); COMP_CWORD=2; _picocray; "
      "echo \"${COMPREPLY[*]}\"'; rc=$?; rm -f /tmp/.pc-completion-$$; exit $rc");
  INFO(describe(c));
  REQUIRE(c.status == 0);
  CHECK(c.out == "render\n--palette\nfire\n--scenes\n");

  Run m = run_picocray({"man"});
  REQUIRE(m.status == 0);
  CHECK(m.out.find(".TH PICOCRAY 1") != std::string::npos);
  for (const char* cmd : {"info", "nodes", "render", "batch", "reset", "bench", "selftest", "ports",
                          "sim", "completion"})
    CHECK(m.out.find(std::string(".SS ") + cmd + "\n") != std::string::npos);
  if (::access("/usr/bin/man", X_OK) != 0) {
    MESSAGE("man is not installed: the page's rendering is not checked");
    return;
  }
  TempDir dir;
  write_file(dir / "picocray.1", m.out);
  Run shown = run_shell("MANWIDTH=100 man -l '" + dir / "picocray.1" + "' 2>&1 | cat");
  INFO(describe(shown));
  CHECK(shown.out.find("PICOCRAY(1)") != std::string::npos);
  CHECK(shown.out.find("--zoom-to") != std::string::npos);
}

TEST_CASE("picocray sim: a second client is told busy, an idle client is dropped") {
  SimServer sim({"--listen", "127.0.0.1:0", "--nodes", "2", "--idle-timeout", "1"});
  int fd = connect_loopback(sim.address);
  Run second = run_picocray({"--port", sim.address, "nodes"});
  INFO(describe(second));
  CHECK(second.status == 3);
  CHECK(second.err.find("busy, one client at a time") != std::string::npos);
  // The first client says nothing: after the idle time the server hangs up on it.
  char c;
  CHECK(::recv(fd, &c, 1, 0) == 0);
  ::close(fd);
  Run next = run_picocray({"--port", sim.address, "nodes", "--json"});
  INFO(describe(next));
  CHECK(next.status == 0);
  sim.proc.signal(SIGTERM);
  CHECK(sim.proc.wait(20).status == 0);
}
