// CLI-level tests: they run the built picocray (PICOCRAY_BIN) as a user or a script would and
// check exit codes, what goes to stdout and stderr, the files left behind, and the examples.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "picocray_run.h"
#include "process.h"

using picocray::test::count_lines;
using picocray::test::file_exists;
using picocray::test::list_dir;
using picocray::test::Process;
using picocray::test::read_file;
using picocray::test::Run;
using picocray::test::TempDir;
using picocray::test::write_file;

using picocray::test::connect_loopback;
using picocray::test::describe;
using picocray::test::kBin;
using picocray::test::kExamples;
using picocray::test::run_picocray;
using picocray::test::SimServer;

TEST_CASE("bad input: one line on stderr, exit 2, no file") {
  TempDir dir;
  const std::string out = dir / "out.png";
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"X0 >= X1", {"--region", "1,0,-1,1", "-o", out}},
      {"a region with three numbers", {"--region", "-2,1,-1", "-o", out}},
      {"size 0x0", {"--region", "-2,1,-1,1", "--size", "0x0", "-o", out}},
      {"size 16385x10", {"--region", "-2,1,-1,1", "--size", "16385x10", "-o", out}},
      {"iterations 0", {"--region", "-2,1,-1,1", "--iterations", "0", "-o", out}},
      {"iterations 65536", {"--region", "-2,1,-1,1", "--iterations", "65536", "-o", out}},
      {"-o in a missing directory", {"--region", "-2,1,-1,1", "-o", dir / "missing/out.png"}},
      {"--center without --span", {"--center", "-0.5,0", "-o", out}},
      {"--frames without a %04d",
       {"--center", "-0.5,0", "--span", "3", "--frames", "3", "--zoom-to", "-1,0,0.1", "-o", out}},
      {"--nodes beyond the cluster", {"--region", "-2,1,-1,1", "--nodes", "0,8", "-o", out}},
  };
  for (const auto& [name, args] : cases) {
    CAPTURE(name);
    std::vector<std::string> argv = {"--port", "sim:8", "render"};
    argv.insert(argv.end(), args.begin(), args.end());
    Run r = run_picocray(argv);
    INFO(describe(r));
    CHECK(r.status == 2);
    CHECK(count_lines(r.err) == 1);
    CHECK(r.out.empty());
    CHECK(list_dir(dir.path()).empty());
  }
}

TEST_CASE("usage errors from the parser and the globals exit 2") {
  CHECK(run_picocray({"--port", "sim", "render", "--bogus"}).status == 2);
  CHECK(run_picocray({"--log-level", "loud", "--port", "sim", "nodes"}).status == 2);
  CHECK(run_picocray({"--timeout", "0", "--port", "sim", "nodes"}).status == 2);
  CHECK(run_picocray({}).status == 2);
  Run r = run_picocray({"--port", "sim:65", "nodes"});
  CHECK(r.status == 2);
  CHECK(count_lines(r.err) == 1);
}

TEST_CASE("--version and --help with an example on every command") {
  Run v = run_picocray({"--version"});
  CHECK(v.status == 0);
  CHECK(v.out.rfind("picocray ", 0) == 0);
  for (const char* cmd :
       {"info", "nodes", "render", "batch", "reset", "bench", "selftest", "ports", "sim"}) {
    CAPTURE(cmd);
    Run h = run_picocray({cmd, "--help"});
    CHECK(h.status == 0);
    CHECK(h.out.find("Example") != std::string::npos);
    CHECK(h.out.find("picocray") != std::string::npos);
  }
}

TEST_CASE("stdout and stderr are kept apart") {
  Run r = run_picocray({"--port", "sim", "-vv", "nodes", "--json"});
  INFO(describe(r));
  REQUIRE(r.status == 0);
  auto nodes = nlohmann::json::parse(r.out);  // throws unless stdout is exactly JSON
  REQUIRE(nodes.is_array());
  CHECK(nodes.size() == 8);
  for (const auto& n : nodes)
    for (const char* key : {"index", "address", "unique_id", "state", "cores", "firmware",
                            "tiles_done", "integrity_errors", "retries", "last_seen_ms"})
      CHECK(n.contains(key));
  CHECK(!r.err.empty());                        // -vv logs something...
  CHECK(r.err.find('{') == std::string::npos);  // ...but no JSON
  CHECK(r.err.find('[') == std::string::npos);

  Run info = run_picocray({"--port", "sim:3", "info", "--json"});
  REQUIRE(info.status == 0);
  auto doc = nlohmann::json::parse(info.out);
  CHECK(doc["node_count"] == 3);
  CHECK(doc["simulated"] == true);
  CHECK(doc["link"]["host"]["crc_errors"] == 0);
  CHECK(doc["link"]["device"].contains("frames_in"));
  CHECK(info.err.empty());
}

TEST_CASE("render twice gives byte-identical PNG and PGM") {
  TempDir dir;
  for (const char* n : {"1", "2"}) {
    Run r = run_picocray({"--port", "sim", "render", "--region", "-2.5,1,-1.25,1.25", "--size",
                          "320x240", "--iterations", "256", "-o", dir / (std::string(n) + ".png"),
                          "--raw", dir / (std::string(n) + ".pgm"), "--verify"});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK(r.out.empty());
  }
  const std::string png = read_file(dir / "1.png"), pgm = read_file(dir / "1.pgm");
  CHECK(png.size() > 1000);
  CHECK(png == read_file(dir / "2.png"));
  CHECK(pgm.rfind("P5\n320 240\n65535\n", 0) == 0);
  CHECK(pgm == read_file(dir / "2.pgm"));
}

TEST_CASE(
    "PICOCRAY_HOST_KERNEL: the portable fallback renders the same bytes, and a bad name exits 2") {
  // The simulator and --verify both compute through the host kernel; forcing the fallback must
  // change nothing but speed. 32 bits (the whole set), 64 (a 1e-6 close-up) and 128 (1e-20).
  TempDir dir;
  const std::vector<std::vector<std::string>> views = {
      {"--region", "-2.5,1,-1.25,1.25", "--iterations", "256"},
      {"--center", "-0.7436438,0.1318259", "--span", "0.000001", "--iterations", "700"},
      {"--center", "-1.7497219297423015,0", "--span", "1e-20", "--iterations", "300"}};
  for (size_t v = 0; v < views.size(); ++v) {
    CAPTURE(v);
    std::string first;
    for (const char* kernel : {"", "portable", "avx2", "avx512", "avx512ifma"}) {
      CAPTURE(kernel);
      std::vector<std::string> argv = {"--port",  "sim",      "render", "--size",
                                       "160x120", "--verify", "--raw",  dir / "k.pgm"};
      argv.insert(argv.end(), views[v].begin(), views[v].end());
      Run r = run_picocray(argv, "", {{"PICOCRAY_HOST_KERNEL", kernel}});
      INFO(describe(r));
      // A kernel this CPU lacks is refused up front; the portable one always runs.
      if (r.status == 2 && std::string(kernel) != "portable" && *kernel != '\0') {
        CHECK(r.err.find("cannot run") != std::string::npos);
        continue;
      }
      REQUIRE(r.status == 0);
      const std::string pgm = read_file(dir / "k.pgm");
      if (first.empty()) first = pgm;
      CHECK(pgm == first);
    }
  }
  Run r = run_picocray({"--port", "sim", "nodes"}, "", {{"PICOCRAY_HOST_KERNEL", "sse9"}});
  CHECK(r.status == 2);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.err.find("PICOCRAY_HOST_KERNEL=sse9") != std::string::npos);
  CHECK(r.out.empty());
}

TEST_CASE("render: centre and span, palette list, json meta, node list") {
  TempDir dir;
  Run list = run_picocray({"render", "--palette", "list"});
  CHECK(list.status == 0);
  CHECK(list.out == "classic\ngray\nfire\nocean\n");

  Run r = run_picocray({"--port", "sim:4", "render", "--center", "-0.5,0", "--span", "3", "--size",
                        "160x120", "--nodes", "0,2-3", "--no-controller", "--json", "--meta",
                        dir / "m.json"});
  INFO(describe(r));
  REQUIRE(r.status == 0);
  auto meta = nlohmann::json::parse(r.out);
  CHECK(meta["region"]["x0"] == "-2");
  CHECK(meta["region"]["x1"] == "1");
  CHECK(meta["region"]["y0"] == "-1.125");
  CHECK(meta["region"]["y1"] == "1.125");
  CHECK(meta.contains("modelled_s"));
  for (const auto& p : meta["per_node"]) {
    CHECK(p["node"] != 1);
    CHECK(p["node"] != "controller");
  }
  CHECK(nlohmann::json::parse(read_file(dir / "m.json")) == meta);
}

TEST_CASE("render: a zoom sequence names its frames") {
  TempDir dir;
  Run r = run_picocray({"--port", "sim", "render", "--center", "-0.5,0", "--span", "3", "--size",
                        "64x48", "--frames", "5", "--zoom-to", "-1.7497219297423015,0,1e-12", "-o",
                        dir / "f-%04d.png", "--json"});
  INFO(describe(r));
  REQUIRE(r.status == 0);
  auto metas = nlohmann::json::parse(r.out);
  REQUIRE(metas.size() == 5);
  CHECK(metas[0]["region"]["x0"] == "-2");
  CHECK(metas[4]["precision"] == 64);
  for (int k = 0; k < 5; ++k) CHECK(file_exists(dir / ("f-000" + std::to_string(k) + ".png")));
  CHECK(list_dir(dir.path()).size() == 5);
}

TEST_CASE("an interrupted render exits 130 and leaves no file") {
  for (int sig : {SIGINT, SIGTERM}) {
    CAPTURE(sig);
    TempDir dir;
    Process p({kBin, "--port", "sim", "-v", "render", "--region", "-2.5,1,-1.25,1.25", "--size",
               "4096x4096", "--iterations", "20000", "-o", dir / "big.png", "--raw",
               dir / "big.pgm"});
    // The first info line comes once the session is open and the job is about to start.
    std::string line;
    do line = p.read_err_line();
    while (line.find("render:") == std::string::npos);
    p.signal(sig);
    Run r = p.wait(30);
    INFO(describe(r));
    CHECK(r.status == 130);
    CHECK(r.err.find("interrupted") != std::string::npos);
    CHECK(list_dir(dir.path()).empty());
  }
}

TEST_CASE("a missing port fails within 10 s") {
  Run r = run_picocray({"--port", "/dev/does-not-exist", "nodes"});
  INFO(describe(r));
  CHECK(r.status == 3);
  CHECK(r.seconds < 10);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.err.find("/dev/does-not-exist") != std::string::npos);
}

TEST_CASE("a TCP peer that never answers is a timeout, within the handshake bound") {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(fd, 1) == 0);  // connections complete in the backlog; nobody ever answers
  socklen_t sl = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &sl);
  std::string port = "tcp://127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  Run r = run_picocray({"--port", port, "--timeout", "1", "nodes"});
  ::close(fd);
  INFO(describe(r));
  CHECK(r.status == 4);
  CHECK(r.seconds < 5);
  CHECK(count_lines(r.err) == 1);
}

TEST_CASE("picocray sim over TCP: nodes, render, garbage, a second client, SIGTERM") {
  TempDir dir;
  SimServer sim({"--listen", "127.0.0.1:0", "--nodes", "4"});
  REQUIRE(std::regex_match(sim.address, std::regex("tcp://127\\.0\\.0\\.1:[0-9]+")));
  Run nodes = run_picocray({"--port", sim.address, "nodes", "--json"});
  INFO(describe(nodes));
  REQUIRE(nodes.status == 0);
  CHECK(nlohmann::json::parse(nodes.out).size() == 4);

  // A client that sends garbage must not hurt the cluster; while it is connected, a second
  // client is turned away; once it has gone, the next one is served.
  {
    int fd = connect_loopback(sim.address);
    std::string junk;
    for (int i = 0; i < 5000; ++i) junk += static_cast<char>((i * 7919) & 0xFF);
    CHECK(::send(fd, junk.data(), junk.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(junk.size()));
    Run second = run_picocray({"--port", sim.address, "nodes"});
    INFO(describe(second));
    CHECK(second.status == 3);
    CHECK(count_lines(second.err) == 1);
    ::close(fd);
  }
  Run r = run_picocray({"--port", sim.address, "render", "--region", "-2.5,1,-1.25,1.25", "--size",
                        "320x240", "-o", dir / "tcp.png", "--verify", "--json"});
  INFO(describe(r));
  REQUIRE(r.status == 0);
  CHECK(file_exists(dir / "tcp.png"));
  CHECK(nlohmann::json::parse(r.out).contains("modelled_s"));  // the capability says simulated

  Run info = run_picocray({"--port", sim.address, "info", "--json"});
  REQUIRE(info.status == 0);
  CHECK(nlohmann::json::parse(info.out)["node_count"] == 4);

  sim.proc.signal(SIGTERM);
  Run end = sim.proc.wait(20);
  INFO(describe(end));
  CHECK(end.status == 0);
}

TEST_CASE("picocray sim on a pseudo-terminal") {
  TempDir dir;
  const std::string link = dir / "picocray0";
  SimServer sim({"--pty", link, "--nodes", "3"});
  CHECK(sim.address == link);
  REQUIRE(file_exists(link));
  Run nodes = run_picocray({"--port", link, "nodes", "--json"});
  INFO(describe(nodes));
  REQUIRE(nodes.status == 0);
  CHECK(nlohmann::json::parse(nodes.out).size() == 3);
  Run r = run_picocray(
      {"--port", link, "render", "--region", "-2,1,-1,1", "--size", "96x64", "--verify"});
  INFO(describe(r));
  CHECK(r.status == 0);
  sim.proc.signal(SIGINT);
  Run end = sim.proc.wait(20);
  INFO(describe(end));
  CHECK(end.status == 0);
  CHECK_FALSE(file_exists(link));  // the symlink goes with the server
}

TEST_CASE("batch: one failing job among good ones") {
  TempDir dir;
  write_file(dir / "jobs.txt",
             "# two good jobs around a bad one\n"
             "--region -2.5,1,-1.25,1.25 --size 96x64 -o " +
                 dir / "a.png" +
                 "\n"
                 "\n"
                 "--region 1,0,-1,1 -o " +
                 dir / "bad.png" +
                 "\n"
                 "render --center -0.7453,0.1127 --span 0.0065 --size 96x64 -o '" +
                 dir / "c d.png" + "'  # quoted\n");
  Run r = run_picocray({"--port", "sim", "batch", dir / "jobs.txt", "--continue-on-error"});
  INFO(describe(r));
  CHECK(r.status != 0);
  CHECK(file_exists(dir / "a.png"));
  CHECK(file_exists(dir / "c d.png"));
  CHECK_FALSE(file_exists(dir / "bad.png"));
  CHECK(std::regex_search(r.out,
                          std::regex("^ok 2 .*a\\.png [0-9]+ [0-9.]+\n", std::regex::multiline)));
  CHECK(std::regex_search(r.out, std::regex("^FAILED 4 .*X0 < X1", std::regex::multiline)));
  CHECK(std::regex_search(r.out, std::regex("^ok 5 ", std::regex::multiline)));
  CHECK(count_lines(r.out) == 3);

  // Without --continue-on-error it stops at the first failure.
  ::unlink((dir / "c d.png").c_str());
  Run stop = run_picocray({"--port", "sim", "batch", dir / "jobs.txt"});
  CHECK(stop.status == 2);
  CHECK(count_lines(stop.out) == 2);
  CHECK_FALSE(file_exists(dir / "c d.png"));

  // From stdin.
  Run in = run_picocray({"--port", "sim", "batch", "-"},
                        "--region -2,1,-1,1 --size 32x32 -o " + dir / "s.png" + "\n");
  CHECK(in.status == 0);
  CHECK(file_exists(dir / "s.png"));
}

TEST_CASE("selftest: TAP on stdout, JUnit XML without failures") {
  TempDir dir;
  Run r = run_picocray({"--port", "sim", "selftest", "--junit", dir / "out.xml"});
  INFO(describe(r));
  CHECK(r.status == 0);
  CHECK(r.out.rfind("TAP version 13\n", 0) == 0);
  CHECK(r.out.find("\nok 1 - handshake\n") != std::string::npos);
  CHECK(r.out.find("not ok") == std::string::npos);
  const std::string xml = read_file(dir / "out.xml");
  REQUIRE(xml.rfind("<?xml", 0) == 0);
  size_t testcases = 0;
  for (size_t p = 0; (p = xml.find("<testcase ", p)) != std::string::npos; ++p) ++testcases;
  CHECK(testcases >= 3);
  std::smatch m;
  REQUIRE(std::regex_search(
      xml, m, std::regex("<testsuite [^>]*tests=\"([0-9]+)\"[^>]*failures=\"([0-9]+)\"")));
  CHECK(std::stoul(m[1]) == testcases);
  CHECK(m[2] == "0");
  CHECK(xml.find("<failure") == std::string::npos);
  CHECK(list_dir(dir.path()).size() == 1);  // written atomically: no temporary left

  Run bad = run_picocray({"--port", "/dev/does-not-exist", "selftest"});
  CHECK(bad.status == 3);
  CHECK(bad.out.find("not ok 1 - handshake") != std::string::npos);
}

TEST_CASE("bench --json is one document with every scene") {
  Run r = run_picocray({"--port", "sim", "bench", "--json"});
  INFO(describe(r));
  REQUIRE(r.status == 0);
  auto doc = nlohmann::json::parse(r.out);
  REQUIRE(doc["scenes"].size() == 3);
  for (const auto& s : doc["scenes"])
    for (const char* key :
         {"name", "nodes", "width", "height", "iterations", "precision", "wall_s", "modelled_s",
          "single_pico_modelled_s", "speedup", "i2c_bytes_per_pixel"})
      CHECK(s.contains(key));
  CHECK(doc["scenes"][2]["precision"] == 128);
  CHECK(doc["scenes"][0]["speedup"].get<double>() > 1.0);
  CHECK(doc["scenes"][0]["verified"] == false);
  // Every bound is a lower bound of the modelled time, and the largest is bound_s.
  for (const auto& s : doc["scenes"]) {
    const double t = s["modelled_s"].get<double>(), bound = s["bound_s"].get<double>();
    for (const char* key :
         {"compute_bound_s", "bus_bound_s", "usb_bound_s", "controller_bound_s"}) {
      INFO(s["name"] << " " << key);
      CHECK(s[key].get<double>() <= bound);
    }
    CHECK(bound <= t);
  }

  Run checked =
      run_picocray({"--port", "sim", "bench", "--scenes", "overview", "--verify", "--json"});
  INFO(describe(checked));
  REQUIRE(checked.status == 0);
  CHECK(nlohmann::json::parse(checked.out)["scenes"][0]["verified"] == true);

  Run csv = run_picocray(
      {"--port", "sim", "bench", "--scenes", "overview", "--nodes-sweep", "1,2", "--csv"});
  INFO(describe(csv));
  REQUIRE(csv.status == 0);
  CHECK(count_lines(csv.out) == 3);
  CHECK(csv.out.rfind("name,nodes,", 0) == 0);
  CHECK(csv.out.find("\noverview,1,") != std::string::npos);
  CHECK(csv.out.find("\noverview,2,") != std::string::npos);
}

TEST_CASE("reset: re-enumerate and reboot the simulated controller") {
  for (const char* kind : {"--all", "--controller", "--bootsel"}) {
    CAPTURE(kind);
    Run r = run_picocray({"--port", "sim:3", "reset", kind});
    INFO(describe(r));
    CHECK(r.status == 0);
    CHECK(r.out.find("3 nodes") != std::string::npos);
  }
  CHECK(run_picocray({"--port", "sim", "reset"}).status == 2);
  CHECK(run_picocray({"--port", "sim:3", "reset", "--nodes", "5"}).status == 2);
}

TEST_CASE("ports --json is a JSON array") {
  Run r = run_picocray({"ports", "--json"});
  INFO(describe(r));
  CHECK(r.status == 0);
  CHECK(nlohmann::json::parse(r.out).is_array());
}

TEST_CASE("examples run against the simulator") {
  const std::map<std::string, std::string> env = {{"PICOCRAY", kBin},     {"PICOCRAY_PORT", "sim"},
                                                  {"FRAMES", "4"},        {"SIZE", "64x48"},
                                                  {"SCENES", "overview"}, {"SWEEP", "1,2"}};
  TempDir dir;
  SUBCASE("batch-render.sh") {
    Run r =
        picocray::test::run({"/bin/sh", kExamples + "/batch-render.sh", "", dir / "out"}, "", env);
    INFO(describe(r));
    CHECK(r.status == 0);
    CHECK(file_exists(dir / "out/overview.png"));
    CHECK(file_exists(dir / "out/summary.txt"));
  }
  SUBCASE("zoom-movie.sh") {
    Run r = picocray::test::run({"/bin/sh", kExamples + "/zoom-movie.sh", dir / "zoom"}, "", env);
    INFO(describe(r));
    CHECK(r.status == 0);
    CHECK(file_exists(dir / "zoom/frame-0003.png"));
  }
  SUBCASE("ci-rig.sh") {
    Run r = picocray::test::run({"/bin/sh", kExamples + "/ci-rig.sh", dir / "ci"}, "", env);
    INFO(describe(r));
    CHECK(r.status == 0);
    CHECK(read_file(dir / "ci/selftest.xml").find("failures=\"0\"") != std::string::npos);
    CHECK(read_file(dir / "ci/golden.xml").find("failures=\"0\"") != std::string::npos);
  }
  SUBCASE("plot-bench.sh") {
    Run r =
        picocray::test::run({"/bin/sh", kExamples + "/plot-bench.sh", dir / "bench.png"}, "", env);
    INFO(describe(r));
    CHECK(r.status == 0);
    CHECK(read_file(dir / "bench.csv").rfind("name,nodes,", 0) == 0);
  }
}

TEST_CASE("picocray sim keeps serving after 1 MiB of random bytes, and renders exactly") {
  TempDir dir;
  SimServer sim({"--listen", "127.0.0.1:0", "--nodes", "4"});
  {
    int fd = connect_loopback(sim.address);
    std::string noise(1 << 20, '\0');
    uint64_t x = 0x9E3779B97F4A7C15ull;  // seeded: the same bytes every run
    for (char& c : noise) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      c = static_cast<char>(x >> 56);
    }
    size_t sent = 0;
    while (sent < noise.size()) {
      ssize_t n = ::send(fd, noise.data() + sent, noise.size() - sent, MSG_NOSIGNAL);
      REQUIRE_MESSAGE(n > 0, "the server stopped taking bytes after " << sent);
      sent += static_cast<size_t>(n);
    }
    ::close(fd);
  }
  Run r = run_picocray({"--port", sim.address, "render", "--region", "-2.5,1,-1.25,1.25", "--size",
                        "320x240", "-o", dir / "after-noise.png", "--verify"});
  INFO(describe(r));
  CHECK(r.status == 0);
  CHECK(file_exists(dir / "after-noise.png"));
  sim.proc.signal(SIGTERM);
  CHECK(sim.proc.wait(20).status == 0);
}

TEST_CASE("faults on a sim port: renders stay exact for seeds 1 to 5") {
  for (const char* fault :
       {"i2c-corrupt=1e-3", "i2c-nack=1e-2", "node-dies=3@0.5", "node-late=5@0.3"}) {
    for (int seed = 1; seed <= 5; ++seed) {
      Run r = run_picocray({"--port", "sim", "render", "--region", "-2.5,1,-1.25,1.25", "--size",
                            "640x480", "--iterations", "256", "--fault", fault, "--fault",
                            "seed=" + std::to_string(seed), "--verify"});
      INFO(fault << " seed " << seed << ": " << describe(r));
      CHECK(r.status == 0);
    }
  }
}

TEST_CASE("faults that cannot be survived fail clearly and leave no file") {
  TempDir dir;
  Run r = run_picocray({"--port", "sim", "render", "--region", "-2.5,1,-1.25,1.25", "--size",
                        "320x240", "--fault", "controller-reboot=@0.5", "-o", dir / "x.png"});
  INFO(describe(r));
  CHECK(r.status == 3);
  CHECK(r.err.find("rebooted") != std::string::npos);
  CHECK_FALSE(file_exists(dir / "x.png"));
  Run bad = run_picocray({"--port", "sim:4", "nodes", "--fault", "node-dies=7@0.5"});
  CHECK(bad.status == 2);
  CHECK(count_lines(bad.err) == 1);
}

TEST_CASE("bytes lost on the USB link: the render asks again and stays exact") {
  TempDir dir;
  for (int seed = 1; seed <= 3; ++seed) {
    Run r =
        run_picocray({"--port", "sim", "--timeout", "1", "render", "--region", "-2.5,1,-1.25,1.25",
                      "--size", "320x240", "--fault", "link-drop=1e-4", "--fault",
                      "seed=" + std::to_string(seed), "--verify", "-o", dir / "drop.png"});
    INFO("seed " << seed << ": " << describe(r));
    CHECK(r.status == 0);
    CHECK(file_exists(dir / "drop.png"));
  }
}
