// The minor version agreed in HELLO: the controller writes every answer in the lower of the host's
// minor and its own, so an older host reads exactly the bodies it knows.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "rendered.h"
#include "rig.h"

using namespace picocray_test;

namespace {

// HELLO naming `minor`; the answer always names the controller's own minor.
void hello(Rig& rig, uint8_t minor) {
  HelloRequest q;
  q.minor = minor;
  HostFrame end = rig.await(rig.send(MsgType::hello, encoded_body(q)), 1000000);
  REQUIRE(end.is(MsgType::ok));
  HelloReply m;
  Reader r(end.body.data(), end.body.size());
  REQUIRE(decode(r, &m));
  CHECK(m.proto_minor == kProtocolMinor);
}

struct Render {
  HostFrame end;
  int logs = 0;
  uint32_t tiles = 0;
};

// A render during which board 1 goes off the bus after starting a tile: it is lost (a LOG, and
// nodes_lost 1 where the summary carries it).
Render render_losing_node(Rig& rig, const RenderRequest& q) {
  auto seq = rig.send(MsgType::render, encoded_body(q));
  REQUIRE(rig.run_until([&] { return rig.board(1).tiles_started >= 1; }, 1000000));
  rig.board(1).stop();
  std::vector<HostFrame> streamed;
  Render out;
  out.end = rig.await(seq, 20000000, &streamed);
  for (const HostFrame& f : streamed) {
    out.logs += f.is(MsgType::log) ? 1 : 0;
    out.tiles += f.is(MsgType::tile) ? 1 : 0;
  }
  REQUIRE(out.end.is(MsgType::ok));
  return out;
}

// The summary read with the 1.0 layout: it must end right after the per-node entries.
void check_1_0_summary(const std::vector<uint8_t>& body, uint32_t tiles) {
  Reader r(body.data(), body.size());
  CHECK(r.u32() == tiles);
  r.u64();  // iterations
  r.u64();  // elapsed_us
  r.u64();  // i2c_bytes
  r.u32();  // i2c_transactions
  r.u32();  // retries
  r.u32();  // integrity_errors
  const uint8_t count = r.u8();
  for (uint8_t k = 0; k < count; ++k) {
    r.u8();
    r.u32();
  }
  CHECK_MESSAGE(r.done(), "the 1.0 summary has " << r.remaining() << " bytes past its entries");
  CHECK(body.size() == 41u + 5u * count);
}

// The 1.1 layout: the entries, then nodes_lost and flags, and nothing after.
RenderSummary check_1_1_summary(const std::vector<uint8_t>& body) {
  RenderSummary s;
  Reader r(body.data(), body.size());
  REQUIRE(decode(r, &s));
  CHECK(body.size() == 43u + 5u * s.node_count);
  CHECK(s.layout_minor == 1);
  return s;
}

}  // namespace

TEST_CASE("minor: a 1.0 host gets the 1.0 summary and no LOG") {
  Rig rig(3, 20000);
  rig.start();
  REQUIRE(rig.settle());
  hello(rig, 0);
  RenderRequest q = small_render(128, 64, 64, 16);
  Render r = render_losing_node(rig, q);
  CHECK(r.logs == 0);
  check_1_0_summary(r.end.body, tile_count(q.geometry));
  CHECK(r.tiles == tile_count(q.geometry));
}

TEST_CASE("minor: a 1.1 host gets the 1.1 summary and the LOG") {
  Rig rig(3, 20000);
  rig.start();
  REQUIRE(rig.settle());
  hello(rig, 1);
  Render r = render_losing_node(rig, small_render(128, 64, 64, 16));
  CHECK(r.logs >= 1);
  CHECK(check_1_1_summary(r.end.body).nodes_lost == 1);
}

TEST_CASE("minor: a 1.2 host, a higher one, and one that never said, get subsets (1.1 summary)") {
  for (int minor : {2, 3, 9, -1}) {
    INFO("host minor " << minor);
    Rig rig(3, 20000);
    rig.start();
    REQUIRE(rig.settle());
    if (minor >= 0) hello(rig, static_cast<uint8_t>(minor));
    RenderRequest q = small_render(128, 64, 64, 16);
    q.subset.count = 1;
    q.subset.ranges[0] = {4, 20};
    Render r = render_losing_node(rig, q);
    CHECK(r.logs >= 1);
    // 1.2's summary has the 1.1 layout; its tiles count the subset.
    RenderSummary s = check_1_1_summary(r.end.body);
    CHECK(s.nodes_lost == 1);
    CHECK(s.tiles == 20);
    CHECK(r.tiles == 20);
  }
}

TEST_CASE("minor: each HELLO sets the session's minor again") {
  Rig rig(2, 2000);
  rig.start();
  REQUIRE(rig.settle());
  RenderRequest q = small_render(64, 64, 32, 16);
  hello(rig, 0);
  HostFrame end = rig.await(rig.send(MsgType::render, encoded_body(q)), 5000000);
  REQUIRE(end.is(MsgType::ok));
  check_1_0_summary(end.body, tile_count(q.geometry));
  hello(rig, 1);
  end = rig.await(rig.send(MsgType::render, encoded_body(q)), 5000000);
  REQUIRE(end.is(MsgType::ok));
  check_1_1_summary(end.body);
  // A HELLO refused for its major changes nothing.
  HelloRequest other;
  other.major = 2;
  other.minor = 0;
  REQUIRE(rig.await(rig.send(MsgType::hello, encoded_body(other)), 1000000).is(MsgType::error));
  end = rig.await(rig.send(MsgType::render, encoded_body(q)), 5000000);
  check_1_1_summary(end.body);
}

TEST_CASE("minor: a host that said 1.1 may still name a subset, a longer body is malformed") {
  Rig rig(2, 2000);
  rig.start();
  REQUIRE(rig.settle());
  hello(rig, 1);
  RenderRequest q = small_render(64, 64, 32, 16);
  q.subset.count = 2;
  q.subset.ranges[0] = {0, 2};
  q.subset.ranges[1] = {7, 1};
  HostFrame end = rig.await(rig.send(MsgType::render, encoded_body(q)), 5000000);
  REQUIRE(end.is(MsgType::ok));
  CHECK(check_1_1_summary(end.body).tiles == 3);
  std::vector<uint8_t> longer = encoded_body(q);
  longer.push_back(0);
  end = rig.await(rig.send(MsgType::render, longer), 1000000);
  REQUIRE(end.is(MsgType::error));
  Reader r(end.body.data(), end.body.size());
  CHECK(r.u16() == static_cast<uint16_t>(ErrorCode::bad_request));
}

namespace {

// CANCEL naming `target`; its OK's body.
std::vector<uint8_t> cancel(Rig& rig, uint16_t target) {
  const std::vector<uint8_t> body = {static_cast<uint8_t>(target & 0xFF),
                                     static_cast<uint8_t>(target >> 8)};
  HostFrame end = rig.await(rig.send(MsgType::cancel, body), 1000000);
  REQUIRE(end.is(MsgType::ok));
  return end.body;
}

}  // namespace

TEST_CASE("minor: CANCEL's OK says whether its render runs (1.3), a 1.2 host gets it empty") {
  for (uint8_t minor : {3, 2}) {
    INFO("host minor " << int(minor));
    Rig rig(2, 20000);
    rig.start();
    REQUIRE(rig.settle());
    hello(rig, minor);
    const std::vector<uint8_t> none = minor >= 3 ? std::vector<uint8_t>{0} : std::vector<uint8_t>{};
    const std::vector<uint8_t> found =
        minor >= 3 ? std::vector<uint8_t>{1} : std::vector<uint8_t>{};
    CHECK(cancel(rig, 77) == none);  // nothing runs
    CHECK(cancel(rig, 0) == none);
    auto seq = rig.send(MsgType::render, encoded_body(small_render(128, 128, 64, 16)));
    REQUIRE(rig.run_until([&] { return rig.board(1).tiles_started >= 1; }, 1000000));
    CHECK(cancel(rig, static_cast<uint16_t>(seq + 1000)) == none);  // another seq: not running
    CHECK(cancel(rig, seq) == found);
    HostFrame end = rig.await(seq, 5000000);
    REQUIRE(end.is(MsgType::error));
    Reader r(end.body.data(), end.body.size());
    CHECK(r.u16() == static_cast<uint16_t>(ErrorCode::cancelled));
    CHECK(cancel(rig, seq) == none);  // it has ended
  }
}

TEST_CASE("minor: a 1.4 host gets codec 2 tiles from the secondaries, a 1.3 host codec 1") {
  for (uint8_t minor : {4, 3}) {
    INFO("host minor " << int(minor));
    Rig rig(2, 20000);
    rig.start();
    REQUIRE(rig.settle());
    hello(rig, minor);
    const RenderRequest q = small_render(128, 96, 64, 16);
    auto seq = rig.send(MsgType::render, encoded_body(q));
    std::vector<HostFrame> streamed;
    const HostFrame end = rig.await(seq, 20000000, &streamed);
    Rendered got;
    got.final = end;
    take(streamed, &got);
    check_exact(got, q);
    // The controller's own core 1's tiles are codec 1 always (its core 0 encodes them).
    std::map<uint8_t, std::map<uint8_t, int>> codecs_by_node;
    for (const HostFrame& f : streamed) {
      if (!f.is(MsgType::tile)) continue;
      TileHeader h;
      const uint8_t* payload = nullptr;
      REQUIRE(tile_block_parse(f.body.data(), f.body.size(), &h, &payload));
      ++codecs_by_node[h.node][h.codec];
    }
    REQUIRE(codecs_by_node.size() == 3);  // both secondaries and the controller's core 1
    for (const auto& [node, codecs] : codecs_by_node) {
      INFO("node " << int(node));
      CHECK(codecs.size() == 1);
      const uint8_t want = minor >= 4 && node != kControllerNode ? kTileCodecRange : kTileCodecRuns;
      CHECK(codecs.begin()->first == want);
    }
  }
}
