// The session's side of a render that goes wrong, on an in-process simulated cluster: what the
// host does when the device goes silent, when its frames are held up, and when the controller is
// still busy with an earlier render of the same session. A link in front of the simulator loses
// or holds the device's bytes at points fixed by what the host writes, never by a clock.
#include "client.h"

#include <doctest/doctest.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "cluster_render.h"
#include "link.h"
#include "view.h"

using picocray::JobGeometry;
using picocray::MsgType;
using picocray::Precision;
using picocray::RenderRequest;
using picocray::RenderSummary;
using picocray::Writer;
using picocray::cli::Client;
using picocray::cli::CliError;
using picocray::cli::kExitTimeout;
using picocray::cli::Link;
using picocray::cli::open_link;
using picocray::cli::SimOptions;

namespace {

// The simulator behind a link that can go deaf: from the host's next write on, the device's bytes
// are lost (or held back), until the write after that (or for good). While deaf, the host learns
// nothing of the simulator's pauses either, as over a cable that has gone quiet.
class DeafLink final : public Link {
 public:
  enum class Mode { lose, hold };
  explicit DeafLink(std::unique_ptr<Link> inner) : inner_(std::move(inner)) {}
  void deafen_after_next_write(Mode mode, bool for_good) {
    armed_ = true;
    mode_ = mode;
    for_good_ = for_good;
  }
  // The host's next write never reaches the device (a request lost on the way).
  void lose_next_write() { drop_write_ = true; }
  void write(const uint8_t* data, size_t len) override {
    if (drop_write_) {
      drop_write_ = false;
      return;
    }
    inner_->write(data, len);
    if (armed_) {
      armed_ = false;
      deaf_ = true;
      paused_at_ = inner_->paused_ns();
    } else if (deaf_ && !for_good_) {
      deaf_ = false;
      hidden_ns_ += inner_->paused_ns() - paused_at_;
    }
  }
  size_t read(uint8_t* buf, size_t cap, int timeout_ms) override {
    if (!deaf_ && !held_.empty()) {
      size_t n = std::min(cap, held_.size());
      std::copy(held_.begin(), held_.begin() + static_cast<long>(n), buf);
      held_.erase(held_.begin(), held_.begin() + static_cast<long>(n));
      return n;
    }
    size_t n = inner_->read(buf, cap, timeout_ms);
    if (!deaf_) return n;
    if (mode_ == Mode::hold) held_.insert(held_.end(), buf, buf + n);
    lost_ += mode_ == Mode::lose ? n : 0;
    return 0;
  }
  std::string name() const override { return inner_->name(); }
  uint64_t paused_ns() override { return (deaf_ ? paused_at_ : inner_->paused_ns()) - hidden_ns_; }
  size_t lost() const { return lost_; }

 private:
  std::unique_ptr<Link> inner_;
  bool armed_ = false, deaf_ = false, for_good_ = false, drop_write_ = false;
  Mode mode_ = Mode::lose;
  std::vector<uint8_t> held_;
  size_t lost_ = 0;
  uint64_t paused_at_ = 0, hidden_ns_ = 0;
};

RenderRequest job(const std::string& center, const std::string& span, uint16_t w, uint16_t h,
                  uint16_t iterations, Precision p) {
  using namespace picocray::cli;
  RenderRequest q;
  JobGeometry& g = q.geometry;
  g.region = region_of(parse_view(center, span), w, h, "test");
  g.width = w;
  g.height = h;
  g.max_iter = iterations;
  g.precision = p;
  return q;
}

std::vector<uint8_t> body_of(const RenderRequest& q) {
  std::vector<uint8_t> body(256);
  Writer w(body.data(), body.size());
  encode(w, q);
  body.resize(w.size());
  return body;
}

struct Rig {
  explicit Rig(const std::string& port, int timeout_ms) {
    spdlog::set_level(spdlog::level::err);
    auto inner = open_link(port, SimOptions{});
    link = std::make_unique<DeafLink>(std::move(inner));
    client = std::make_unique<Client>(*link, timeout_ms);
    client->hello();
  }
  std::unique_ptr<DeafLink> link;
  std::unique_ptr<Client> client;
};

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

TEST_CASE("a render asked while an earlier render of the session runs: cancelled, then asked") {
  Rig rig("sim:2", 10000);
  // The earlier render: the seahorse valley on two nodes, tens of seconds of modelled time, whose
  // end this session never waited for (as after a timeout whose cancel went unconfirmed).
  rig.client->send(MsgType::render,
                   body_of(job("-0.7465,0.09875", "0.03", 320, 240, 2048, Precision::p32)));
  const RenderRequest small = job("-0.75,0", "3", 96, 64, 256, Precision::p32);
  // The controller answers the new RENDER `busy`; the client cancels and asks once more.
  picocray::cli::RenderResult r = picocray::cli::render_on_cluster(*rig.client, small);
  CHECK(r.tiles_received == picocray::tile_count(small.geometry));
  CHECK(r.device_tiles == picocray::tile_count(small.geometry));
  CHECK(r.counts == picocray::cli::reference_counts(small));
}

TEST_CASE("a render that times out is cancelled and its end waited for, asking again works") {
  Rig rig("sim:2", 300);
  const RenderRequest q = job("-0.75,0", "3", 320, 240, 1024, Precision::p128);
  // The device's frames are lost from the RENDER to the CANCEL: a silence of --timeout.
  rig.link->deafen_after_next_write(DeafLink::Mode::lose, false);
  picocray::cli::RenderResult r = picocray::cli::render_on_cluster(*rig.client, q);
  CHECK(rig.link->lost() > 0);
  CHECK(r.tiles_received == picocray::tile_count(q.geometry));
  CHECK(r.counts == picocray::cli::reference_counts(q));
}

TEST_CASE("a render's answer held up past the timeout is the answer after all") {
  Rig rig("sim:2", 1000);
  const RenderRequest q = job("-0.75,0", "3", 64, 48, 256, Precision::p32);
  // Everything the device says is held back until the host writes again (its CANCEL): by then
  // this small render has long finished, and its tiles and OK come after the timeout.
  rig.link->deafen_after_next_write(DeafLink::Mode::hold, false);
  uint32_t tiles = 0;
  auto reply = rig.client->request(MsgType::render, body_of(q), [&](const picocray::cli::Frame& f) {
    tiles += f.type == static_cast<uint8_t>(MsgType::tile);
  });
  RenderSummary s;
  picocray::Reader rd(reply.data(), reply.size());
  REQUIRE(decode(rd, &s));
  CHECK(s.tiles == picocray::tile_count(q.geometry));
  CHECK(tiles == s.tiles);
}

TEST_CASE("a device that goes silent mid-render is a timeout within --timeout and the cancel's") {
  Rig rig("sim:2", 300);
  const RenderRequest q = job("-0.75,0", "3", 320, 240, 1024, Precision::p128);
  rig.link->deafen_after_next_write(DeafLink::Mode::lose, true);
  const auto start = std::chrono::steady_clock::now();
  try {
    rig.client->request(MsgType::render, body_of(q));
    FAIL("a silent device answered");
  } catch (const CliError& e) {
    CHECK(e.exit_code == kExitTimeout);
    CHECK(std::string(e.what()).find("no answer within 0.3 s") != std::string::npos);
  }
  // --timeout of silence, then at most as long again for the cancel's answer.
  CHECK(seconds_since(start) < 0.3 + 0.3 + 1.0);
}

TEST_CASE("a RENDER request lost on the way: probed when quiet, found not running, asked again") {
  Rig rig("sim:2", 30000);
  const RenderRequest q = job("-0.75,0", "3", 96, 64, 256, Precision::p32);
  rig.link->lose_next_write();
  const auto start = std::chrono::steady_clock::now();
  picocray::cli::RenderResult r = picocray::cli::render_on_cluster(*rig.client, q);
  CHECK(r.rounds == 2);
  CHECK(r.tiles_received == picocray::tile_count(q.geometry));
  CHECK(r.tiles_computed == picocray::tile_count(q.geometry));  // nothing was computed twice
  CHECK(r.counts == picocray::cli::reference_counts(q));
  // Not the 30 s of --timeout: a second of quiet, the probe, the cancel (found 0), the render.
  CHECK(seconds_since(start) < 10);
}

TEST_CASE("the missing tiles as ranges: runs kept apart, at most 64, the narrowest gaps closed") {
  using picocray::TileSubset;
  using picocray::cli::missing_tiles;
  std::vector<bool> wanted(1000, true), seen(1000, true);
  for (uint32_t i : {3u, 4u, 5u, 9u, 999u}) seen[i] = false;
  TileSubset s = missing_tiles(wanted, seen);
  REQUIRE(s.count == 3);
  CHECK((s.ranges[0].first == 3 && s.ranges[0].count == 3));
  CHECK((s.ranges[1].first == 9 && s.ranges[1].count == 1));
  CHECK((s.ranges[2].first == 999 && s.ranges[2].count == 1));
  // Tiles outside the job's own subset are never asked for.
  wanted[999] = false;
  CHECK(missing_tiles(wanted, seen).count == 2);
  // 200 single missing tiles (seeded spacing): merged to 64 ranges covering each of them, and
  // the tiles they add are those of the narrowest gaps.
  std::fill(wanted.begin(), wanted.end(), true);
  std::fill(seen.begin(), seen.end(), true);
  uint32_t x = 12345, at = 0;
  std::vector<uint32_t> missing;
  while (missing.size() < 200) {
    x = x * 1103515245u + 12345u;
    at += 2 + (x >> 16) % 3;
    missing.push_back(at);
    seen[at] = false;
  }
  s = missing_tiles(wanted, seen);
  REQUIRE(s.count == picocray::kMaxTileRanges);
  uint32_t covered = 0;
  for (uint8_t k = 0; k < s.count; ++k) {
    if (k > 0) CHECK(s.ranges[k].first > s.ranges[k - 1].first + s.ranges[k - 1].count);
    covered += s.ranges[k].count;
  }
  for (uint32_t m : missing) {
    bool in = false;
    for (uint8_t k = 0; k < s.count; ++k)
      in = in || (m >= s.ranges[k].first && m < s.ranges[k].first + s.ranges[k].count);
    CHECK_MESSAGE(in, "tile " << m << " is missing and not asked for");
  }
  // Gaps are 1, 2 or 3 tiles wide; 136 of the 199 are closed, the narrowest first.
  std::vector<uint32_t> gaps;
  for (size_t k = 1; k < missing.size(); ++k) gaps.push_back(missing[k] - missing[k - 1] - 1);
  std::sort(gaps.begin(), gaps.end());
  uint32_t narrowest = 0;
  for (size_t k = 0; k < 136; ++k) narrowest += gaps[k];
  CHECK(covered == 200 + narrowest);
}
