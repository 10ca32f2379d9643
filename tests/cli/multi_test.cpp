// Several clusters in one command: --port repeated or as a list, one render shared out among the
// clusters in tile-subset chunks, a cluster that drops out mid-render, and nodes/info/selftest over
// every cluster given.
#include <doctest/doctest.h>
#include <unistd.h>

#include <deque>
#include <nlohmann/json.hpp>
#include <string>

#include "multi_render.h"
#include "picocray_run.h"
#include "process.h"

using picocray::test::describe;
using picocray::test::file_exists;
using picocray::test::read_file;
using picocray::test::Run;
using picocray::test::run_picocray;
using picocray::test::SimServer;
using picocray::test::TempDir;

namespace {

const std::vector<std::string> kOverview = {"render", "--region", "-2.5,1,-1.25,1.25", "--size",
                                            "640x480"};

std::vector<std::string> with(std::vector<std::string> head, const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

// The overview over an in-process sim:4 and the faulted server `other` (--verify, a PGM and a
// meta in dir), its meta checked for two clusters, 300 tiles between them and a PGM equal to a
// one-cluster render's. Returns the meta.
nlohmann::json overview_beside(const TempDir& dir, const std::string& other,
                               const std::vector<std::string>& extra = {}) {
  Run r = run_picocray(
      with(with({"--port", "sim:4", "--port", other}, extra),
           with(kOverview, {"--verify", "--raw", dir / "m.pgm", "--meta", dir / "m.json"})));
  REQUIRE_MESSAGE(r.status == 0, describe(r));
  auto meta = nlohmann::json::parse(read_file(dir / "m.json"));
  INFO(meta.dump(2));
  REQUIRE(meta["clusters"].size() == 2);
  CHECK(meta["clusters"][0]["tiles"].get<uint32_t>() +
            meta["clusters"][1]["tiles"].get<uint32_t>() ==
        300);
  Run one = run_picocray(with({"--port", "sim:4"}, with(kOverview, {"--raw", dir / "one.pgm"})));
  REQUIRE_MESSAGE(one.status == 0, describe(one));
  CHECK_MESSAGE(read_file(dir / "m.pgm") == read_file(dir / "one.pgm"),
                "the PGM over two clusters differs from the one-cluster render");
  meta["stderr"] = r.err;
  return meta;
}

}  // namespace

TEST_CASE("several clusters: chunks are runs of the queue, at most 64 ranges, large ones first") {
  using picocray::cli::chunk_size;
  using picocray::cli::take_chunk;
  std::deque<uint32_t> q;
  for (uint32_t t = 0; t < 300; ++t) q.push_back(t);
  picocray::TileSubset c = take_chunk(&q, 40);
  REQUIRE(c.count == 1);
  CHECK(c.ranges[0].first == 0);
  CHECK(c.ranges[0].count == 40);
  CHECK(q.front() == 40);
  // Every other tile: 64 ranges of one tile each, then the chunk stops.
  std::deque<uint32_t> sparse;
  for (uint32_t t = 0; t < 400; t += 2) sparse.push_back(t);
  c = take_chunk(&sparse, 1000);
  CHECK(c.count == picocray::kMaxTileRanges);
  CHECK(sparse.size() == 200 - picocray::kMaxTileRanges);
  CHECK(sparse.front() == 2 * picocray::kMaxTileRanges);
  // What was asked for, rounded up; at least two tiles a worker of the cluster.
  CHECK(chunk_size(75, 4) == 75);
  CHECK(chunk_size(150.0 / 3, 4) == 50);
  CHECK(chunk_size(49.2, 4) == 50);
  CHECK(chunk_size(3, 4) == 10);
}

TEST_CASE("several clusters: one render over two equals a one-cluster render, each share shown") {
  TempDir dir;
  Run one = run_picocray(with({"--port", "sim:4"}, with(kOverview, {"--raw", dir / "one.pgm"})));
  REQUIRE_MESSAGE(one.status == 0, describe(one));
  Run two = run_picocray(with({"--port", "sim:4", "--port", "sim:4"},
                              with(kOverview, {"--verify", "-o", dir / "m.png", "--raw",
                                               dir / "m.pgm", "--meta", dir / "m.json"})));
  REQUIRE_MESSAGE(two.status == 0, describe(two));
  CHECK_MESSAGE(read_file(dir / "m.pgm") == read_file(dir / "one.pgm"),
                "the PGM over two clusters differs from the one-cluster render");
  CHECK(file_exists(dir / "m.png"));
  auto meta = nlohmann::json::parse(read_file(dir / "m.json"));
  INFO(meta.dump(2));
  REQUIRE(meta["clusters"].size() == 2);
  CHECK(meta["tiles"] == 300);
  CHECK(meta["verified"] == true);
  uint64_t tiles = 0, pixels = 0, iterations = 0;
  for (const auto& c : meta["clusters"]) {
    CHECK(c["tiles"].get<uint32_t>() > 0);  // both clusters took part
    CHECK(c["failed"].is_null());
    CHECK(c["modelled_s"].get<double>() > 0);
    tiles += c["tiles"].get<uint64_t>();
    pixels += c["pixels"].get<uint64_t>();
    iterations += c["iterations"].get<uint64_t>();
  }
  CHECK(tiles == 300);
  CHECK(pixels == 640u * 480u);
  CHECK(iterations == meta["total_iterations"].get<uint64_t>());
  CHECK(meta["ports"] == nlohmann::json({"sim:4", "sim:4"}));
}

TEST_CASE(
    "several clusters: a cluster whose link is cut half way has its tiles finished by the "
    "other") {
  TempDir dir;
  // The overview's tiles are about 60 kB on the link: this cluster's is cut in its first chunk.
  SimServer cut({"--listen", "127.0.0.1:0", "--nodes", "4", "--fault", "link-cut=6000"});
  auto meta = overview_beside(dir, cut.address);
  INFO(meta.dump(2));
  CHECK(meta["stderr"].get<std::string>().find("failed") != std::string::npos);  // its warning
  CHECK(meta["clusters"][0]["failed"].is_null());
  CHECK(meta["clusters"][1]["failed"].is_string());
  CHECK(meta["clusters"][1]["tiles"].get<uint32_t>() > 0);  // what came before the cut stays
}

TEST_CASE(
    "several clusters: a cluster whose link stalls is overtaken: the other copies its tiles, no "
    "timeout waited out") {
  TempDir dir;
  // The link stays open but goes silent in the first chunk. --timeout is far longer than the
  // render takes, so the render can only pass by overtaking the stalled cluster, not by giving
  // up on it.
  SimServer stalled({"--listen", "127.0.0.1:0", "--nodes", "4", "--fault", "link-stall=6000"});
  auto meta = overview_beside(dir, stalled.address, {"--timeout", "600"});
  INFO(meta.dump(2));
  const auto& live = meta["clusters"][0];
  const auto& stall = meta["clusters"][1];
  CHECK(live["failed"].is_null());
  CHECK(stall["failed"].is_null());  // overtaken, not failed
  CHECK(stall["overtaken"].get<uint32_t>() >= 1);
  CHECK(live["copies"].get<uint32_t>() >= 1);
  CHECK(meta["verified"] == true);
}

TEST_CASE("several clusters: when every cluster fails, exit 3 naming each, and no file") {
  TempDir dir;
  Run r = run_picocray(with({"--port", "sim:2,sim:2", "--fault", "link-cut=5000"},
                            with(kOverview, {"-o", dir / "m.png"})));
  INFO(describe(r));
  CHECK(r.status == 3);
  CHECK(r.err.find("every cluster failed") != std::string::npos);
  CHECK(picocray::test::count_lines(r.err) == 3);  // two warnings, one error line
  CHECK_FALSE(file_exists(dir / "m.png"));
}

TEST_CASE("several clusters: a real port named twice is exit 2 before anything opens") {
  TempDir dir;
  const std::string link = dir / "tty";
  REQUIRE(::symlink("/dev/null", link.c_str()) == 0);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--port", "tcp://127.0.0.1:9,tcp://127.0.0.1:9", "nodes"},
        std::vector<std::string>{"--port", "/dev/null", "--port", link, "nodes"}}) {
    Run r = run_picocray(args);
    INFO(describe(r));
    CHECK(r.status == 2);
    CHECK(r.err.find("twice") != std::string::npos);
    CHECK(picocray::test::count_lines(r.err) == 1);
  }
  Run sims = run_picocray({"--port", "sim:1,sim:1", "nodes", "--json"});  // two clusters
  REQUIRE_MESSAGE(sims.status == 0, describe(sims));
  CHECK(nlohmann::json::parse(sims.out).size() == 2);
}

TEST_CASE("several clusters: nodes, info and selftest cover every port, lists and PICOCRAY_PORT") {
  TempDir dir;
  Run nodes = run_picocray({"--port", "sim:2,sim:3", "nodes", "--json"});
  REQUIRE_MESSAGE(nodes.status == 0, describe(nodes));
  auto arr = nlohmann::json::parse(nodes.out);
  REQUIRE(arr.size() == 2);
  CHECK(arr[0]["port"] == "sim:2");
  CHECK(arr[0]["nodes"].size() == 2);
  CHECK(arr[1]["nodes"].size() == 3);
  // One port: the plain array, as before.
  Run single = run_picocray({"--port", "sim:2", "nodes", "--json"});
  REQUIRE_MESSAGE(single.status == 0, describe(single));
  CHECK(nlohmann::json::parse(single.out).at(0).contains("unique_id"));

  Run info = run_picocray({"info", "--json"}, "", {{"PICOCRAY_PORT", "sim:1,sim:2"}});
  REQUIRE_MESSAGE(info.status == 0, describe(info));
  auto docs = nlohmann::json::parse(info.out);
  REQUIRE(docs.size() == 2);
  CHECK(docs[1]["node_count"] == 2);

  Run table = run_picocray({"--port", "sim:1", "--port", "sim:2", "nodes"});
  REQUIRE_MESSAGE(table.status == 0, describe(table));
  CHECK(table.out.rfind("PORT ", 0) == 0);
  CHECK(picocray::test::count_lines(table.out) == 4);

  Run st =
      run_picocray({"--port", "sim:2", "--port", "sim:3", "selftest", "--junit", dir / "s.xml"});
  REQUIRE_MESSAGE(st.status == 0, describe(st));
  CHECK(st.out.find("ok 1 - sim:2: handshake") != std::string::npos);
  CHECK(st.out.find("sim:3: golden render 32-bit") != std::string::npos);
  const std::string xml = read_file(dir / "s.xml");
  CHECK(xml.find("name=\"picocray selftest sim:2\"") != std::string::npos);
  CHECK(xml.find("name=\"picocray selftest sim:3\"") != std::string::npos);

  Run bad = run_picocray({"--port", "sim:2,,sim:3", "nodes"});
  CHECK(bad.status == 2);
  Run reset = run_picocray({"--port", "sim:2", "--port", "sim:3", "reset", "--all"});
  CHECK(reset.status == 2);
  CHECK(reset.err.find("give one --port") != std::string::npos);
  Run bench = run_picocray({"--port", "sim,sim", "bench"});
  CHECK(bench.status == 2);
  CHECK(bench.err.find("give one --port") != std::string::npos);
}

// A compute-bound view (the seahorse valley): 8 nodes are modelled far faster than 2 there (on
// the bus-bound overview at this size they are not).
TEST_CASE("several clusters: simulated ones share by their modelled clocks, the same every run") {
  auto shares = [] {
    Run r = run_picocray({"--port", "sim:2,sim:8", "render", "--center", "-0.7465,0.09875",
                          "--span", "0.03", "--size", "320x240", "--iterations", "2048", "--tile",
                          "16x16", "--json"});
    REQUIRE_MESSAGE(r.status == 0, describe(r));
    auto meta = nlohmann::json::parse(r.out);
    return std::make_pair(meta["clusters"][0]["tiles"].get<uint32_t>(),
                          meta["clusters"][1]["tiles"].get<uint32_t>());
  };
  const auto first = shares();
  CHECK(first == shares());
  CHECK_MESSAGE(first.second > first.first, "the 8-node cluster got " << first.second
                                                                      << " tiles, the 2-node one "
                                                                      << first.first);
}

TEST_CASE("several clusters: bench --clusters-sweep, modelled, one row per scene and count") {
  Run r = run_picocray(
      {"--port", "sim:2", "bench", "--scenes", "overview", "--clusters-sweep", "1,2", "--csv"});
  REQUIRE_MESSAGE(r.status == 0, describe(r));
  CHECK(r.out.rfind("name,clusters,nodes,modelled_s,speedup,efficiency\noverview,1,2,", 0) == 0);
  CHECK(r.out.find("\noverview,2,2,") != std::string::npos);
  Run tcp = run_picocray({"--port", "tcp://127.0.0.1:9", "bench", "--clusters-sweep", "2"});
  CHECK(tcp.status == 2);
}
