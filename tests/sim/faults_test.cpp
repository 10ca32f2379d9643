// Injected faults: whatever breaks, a render delivers every tile exactly once with exact counts,
// or the run says why. Seeds make every case repeatable.
#include <doctest/doctest.h>

#include <string>

#include "sim_host.h"

using namespace picocray;
using namespace picocray_test;

namespace {

struct Outcome {
  bool ok = false;
  RenderSummary summary;
  std::vector<std::string> logs;
  sim::Stats stats;
};

// Renders the job under the faults and checks every tile against compute_tile.
Outcome render_with(const std::string& faults, uint64_t seed, const RenderRequest& job,
                    uint32_t nodes = 8) {
  sim::Config cfg = sim_config(nodes, 1);
  std::string err;
  REQUIRE_MESSAGE(sim::parse_faults(faults, &cfg.faults, &err), err);
  cfg.faults.seed = seed;
  SimHost host(cfg);
  host.hello();
  std::vector<uint8_t> body(256);
  Writer w(body.data(), body.size());
  encode(w, job);
  body.resize(w.size());
  Reply reply = host.request(MsgType::render, body);
  Outcome out;
  out.ok = reply.ok();
  REQUIRE_MESSAGE(out.ok, "render under '" << faults << "' seed " << seed << " ended in ERROR");
  out.summary = summary_of(reply);
  const uint32_t total = tile_count(job.geometry);
  std::vector<bool> seen(total, false);
  std::vector<uint16_t> want(kMaxTilePixels);
  for (const Frame& f : reply.streamed) {
    if (f.is(MsgType::log)) {
      Reader r(f.body.data(), f.body.size());
      r.u8();
      char text[256];
      r.str(text, sizeof text);
      out.logs.push_back(text);
      continue;
    }
    if (!f.is(MsgType::tile)) continue;
    Tile t = parse_tile(f);
    REQUIRE(t.h.tile_index < total);
    CHECK_MESSAGE(!seen[t.h.tile_index], "tile " << t.h.tile_index << " arrived twice");
    seen[t.h.tile_index] = true;
    compute_tile(tile_task(job.geometry, t.h.tile_index), want.data());
    for (size_t p = 0; p < t.counts.size(); ++p)
      REQUIRE_MESSAGE(t.counts[p] == want[p], "tile " << t.h.tile_index << " pixel " << p
                                                      << " differs under '" << faults << "'");
  }
  for (uint32_t i = 0; i < total; ++i) CHECK_MESSAGE(seen[i], "tile " << i << " never arrived");
  CHECK(out.summary.tiles == total);
  out.stats = host.sim().stats();
  return out;
}

RenderRequest job() {
  RenderRequest q = make_job(160, 120, 256, "-2.5", "1", "-1.25", "1.25");
  q.geometry.tile_w = 16;
  q.geometry.tile_h = 16;
  return q;
}

}  // namespace

TEST_CASE("fault specs parse, and bad ones say what is allowed") {
  sim::Faults f;
  std::string err;
  CHECK(sim::parse_faults("i2c-corrupt=1e-3,node-dies=3@0.5,seed=9", &f, &err));
  CHECK(f.i2c_corrupt == doctest::Approx(1e-3));
  REQUIRE(f.nodes.size() == 1);
  CHECK(f.nodes[0].node == 3);
  CHECK(f.seed == 9);
  for (const char* bad : {"i2c-corrupt=2", "node-dies=3", "node-dies=x@0.5", "bogus=1",
                          "collide=65", "controller-reboot=0.5", "i2c-nack"}) {
    sim::Faults g;
    err.clear();
    CHECK_MESSAGE(!sim::parse_faults(bad, &g, &err), bad << " was accepted");
    CHECK_MESSAGE(!err.empty(), bad << " gave no reason");
  }
}

TEST_CASE("corrupted bytes on the bus are caught and the render stays exact, seeds 1 to 5") {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    Outcome o = render_with("i2c-corrupt=1e-3", seed, job());
    CHECK_MESSAGE(o.stats.corrupted_bytes > 0, "seed " << seed << " injected no corruption");
    CHECK_MESSAGE(o.summary.integrity_errors > 0, "seed " << seed << " caught nothing");
  }
}

TEST_CASE("NACKed transfers are retried and the render stays exact, seeds 1 to 5") {
  uint32_t retries = 0;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    Outcome o = render_with("i2c-nack=1e-2", seed, job());
    CHECK_MESSAGE(o.stats.nacks_injected > 0, "seed " << seed << " injected no NACK");
    retries += o.summary.retries;
  }
  // Some NACKs fall on enrolment, before the job; over five runs some must hit the job.
  CHECK(retries > 0);
}

TEST_CASE("a node dying half way is dropped and its tiles go to others, seeds 1 to 5") {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    Outcome o = render_with("node-dies=3@0.5", seed, job());
    CHECK(o.summary.nodes_lost == 1);
    CHECK(o.stats.node_faults_fired == 1);
    CHECK(o.summary.flags == 0);
    CHECK_MESSAGE(!o.logs.empty(), "no LOG frame said a node was lost");
  }
}

TEST_CASE("a late node is enrolled during the job and takes tiles, seeds 1 to 5") {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    Outcome o = render_with("node-late=5@0.3", seed, job());
    CHECK(o.stats.node_faults_fired == 1);
    CHECK_MESSAGE(o.summary.node_count == 8 + 1,
                  "seed " << seed << ": " << int(o.summary.node_count) << " nodes took tiles");
  }
}

TEST_CASE("a stuck node's tiles are computed elsewhere") {
  Outcome o = render_with("node-stuck=2@0.2", 1, job());
  CHECK(o.summary.nodes_lost == 1);
}

TEST_CASE("a hung node's tiles are computed elsewhere, and its LOG says it stopped") {
  Outcome o = render_with("node-hangs=2@0.2", 1, job());
  CHECK(o.summary.nodes_lost == 1);
  bool said = false;
  for (const auto& l : o.logs) said = said || l.find("stopped computing") != std::string::npos;
  CHECK(said);
}

TEST_CASE("a node that reboots comes back and the render stays exact") {
  Outcome o = render_with("node-reboot=4@0.4", 1, job());
  CHECK(o.summary.nodes_lost == 1);
}

TEST_CASE("every secondary dying half way: the controller finishes alone, and says so") {
  std::string all;
  for (int n = 0; n < 4; ++n)
    all += (n ? "," : "") + std::string("node-dies=") + std::to_string(n) + "@0.5";
  Outcome o = render_with(all, 1, job(), 4);
  CHECK(o.summary.nodes_lost == 4);
  CHECK(o.summary.flags == RenderSummary::kFinishedOnController);
  bool said = false;
  for (const auto& l : o.logs) said = said || l.find("controller finishes") != std::string::npos;
  CHECK_MESSAGE(said, "no LOG frame said the controller finishes alone");
}

TEST_CASE("noise on the USB link before every frame is skipped on both sides") {
  Outcome o = render_with("link-garbage=40", 3, job());
  CHECK(o.stats.link_garbage_bytes > 0);
}

TEST_CASE("every secondary dying half way with larger tiles still completes on the controller") {
  std::string all;
  for (int n = 0; n < 4; ++n)
    all += (n ? "," : "") + std::string("node-dies=") + std::to_string(n) + "@0.5";
  RenderRequest q = make_job(320, 240, 256, "-2.5", "1", "-1.25", "1.25");
  Outcome o = render_with(all, 1, q, 4);
  CHECK(o.summary.flags == RenderSummary::kFinishedOnController);
}
