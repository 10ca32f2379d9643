// RENDER through the simulator: the dynamic tile queue over the secondaries and the controller's
// own core, checked tile by tile against the host's reference kernel.
#include <doctest/doctest.h>

#include <map>
#include <vector>

#include "sim_host.h"

using namespace picocray;
using namespace picocray_test;

namespace {

constexpr uint64_t kSeed = 3;

RenderRequest small_job(uint8_t flags) {
  RenderRequest q = make_job(200, 150, 128, "-2", "1", "-1", "1");
  q.geometry.tile_w = 16;
  q.geometry.tile_h = 16;
  q.flags = flags;
  return q;
}

// A render's answer, its tiles checked against the job and the reference kernel.
struct Render {
  uint16_t seq = 0;
  Reply reply;
  std::vector<Tile> tiles;
  std::vector<ProgressUpdate> progress;
  uint64_t count_sum = 0;  // escape counts over every tile received
  uint16_t job_id = 0;     // the job number the tiles carry
};

// Checks every streamed frame of a render: TILE blocks parse, belong to the job, arrive once and
// hold exactly what compute_tile gives; PROGRESS bodies decode and count up to the job's total.
Render check_stream(const RenderRequest& job, uint16_t seq, const Reply& reply) {
  Render r;
  r.seq = seq;
  r.reply = reply;
  const uint32_t total = tile_count(job.geometry);
  std::vector<bool> seen(total, false);
  std::vector<uint16_t> want(kMaxTilePixels);
  uint32_t last_done = 0;
  for (const Frame& f : reply.streamed) {
    CHECK_MESSAGE(f.seq == seq, "streamed frame names seq " << f.seq << ", the render is " << seq);
    if (f.is(MsgType::progress)) {
      ProgressUpdate p;
      Reader rd(f.body.data(), f.body.size());
      REQUIRE_MESSAGE(decode(rd, &p), "malformed PROGRESS body");
      CHECK_MESSAGE(p.tiles_total == total, "PROGRESS total " << p.tiles_total);
      CHECK_MESSAGE((p.tiles_done >= last_done && p.tiles_done <= total),
                    "PROGRESS went from " << last_done << " to " << p.tiles_done);
      last_done = p.tiles_done;
      r.progress.push_back(p);
      continue;
    }
    REQUIRE_MESSAGE(f.is(MsgType::tile),
                    "unexpected frame type 0x" << std::hex << int(f.type) << " during RENDER");
    Tile t = parse_tile(f);
    const TileHeader& h = t.h;
    REQUIRE_MESSAGE(h.tile_index < total, "tile index " << h.tile_index << " of " << total);
    CHECK_MESSAGE(!seen[h.tile_index], "tile " << h.tile_index << " arrived twice");
    seen[h.tile_index] = true;
    // The controller numbers jobs itself; every tile of one render carries the same number.
    if (r.job_id == 0) r.job_id = h.job_id;
    CHECK_MESSAGE((h.job_id != 0 && h.job_id == r.job_id), "tile " << h.tile_index << " names job "
                                                                   << h.job_id << ", earlier tiles "
                                                                   << r.job_id);
    TileTask task = tile_task(job.geometry, h.tile_index);
    CHECK_MESSAGE((h.rect.x == task.rect.x && h.rect.y == task.rect.y && h.rect.w == task.rect.w &&
                   h.rect.h == task.rect.h),
                  "tile " << h.tile_index << " is " << h.rect.w << "x" << int(h.rect.h) << " at ("
                          << h.rect.x << "," << h.rect.y << "), the job's grid says "
                          << int(task.rect.w) << "x" << int(task.rect.h) << " at (" << task.rect.x
                          << "," << task.rect.y << ")");
    uint32_t want_sum = compute_tile(task, want.data());
    CHECK_MESSAGE(h.iterations == want_sum, "tile " << h.tile_index << " iterations "
                                                    << h.iterations << ", reference " << want_sum);
    for (size_t p = 0; p < t.counts.size(); ++p) {
      if (t.counts[p] == want[p]) continue;
      FAIL_CHECK("tile " << h.tile_index << " from node 0x" << std::hex << int(h.node) << std::dec
                         << " pixel (" << p % task.rect.w << "," << p / task.rect.w << ") count "
                         << t.counts[p] << ", reference " << want[p]);
      break;
    }
    for (uint16_t c : t.counts) r.count_sum += c;
    r.tiles.push_back(std::move(t));
  }
  for (uint32_t i = 0; i < total; ++i)
    if (!seen[i]) FAIL_CHECK("tile " << i << " never arrived");
  return r;
}

Render render(SimHost& host, const RenderRequest& job) {
  uint16_t seq = host.send(MsgType::render, body_of(job));
  return check_stream(job, seq, host.await(seq));
}

uint32_t tiles_of(const RenderSummary& s, uint8_t node) {
  for (uint8_t k = 0; k < s.node_count; ++k)
    if (s.per_node[k].node == node) return s.per_node[k].tiles;
  return 0;
}

}  // namespace

TEST_CASE("RENDER hands every tile out once and each comes back bit-exact") {
  SimHost host(sim_config(8, kSeed));
  host.hello();
  const std::vector<NodeEntry> nodes = host.nodes();
  REQUIRE(nodes.size() == 8);

  for (uint8_t flags : {RenderRequest::kRenderUseController, uint8_t{0}}) {
    CAPTURE(int(flags));
    const RenderRequest job = small_job(flags);
    const uint32_t total = tile_count(job.geometry);
    Render r = render(host, job);
    RenderSummary s = summary_of(r.reply);

    CHECK_MESSAGE(r.tiles.size() == total, r.tiles.size() << " TILE frames for " << total);
    CHECK_MESSAGE(s.tiles == total, "summary.tiles " << s.tiles << ", tile_count " << total);
    CHECK_MESSAGE(s.iterations == r.count_sum,
                  "summary.iterations " << s.iterations << ", counts sum to " << r.count_sum);

    uint32_t per_node_sum = 0, secondaries = 0;
    for (uint8_t k = 0; k < s.node_count; ++k) {
      per_node_sum += s.per_node[k].tiles;
      if (s.per_node[k].node != kControllerNode && s.per_node[k].tiles > 0) ++secondaries;
    }
    CHECK_MESSAGE(per_node_sum == total, "per_node tiles sum to " << per_node_sum);
    CHECK_MESSAGE(secondaries > 1, "only " << secondaries << " secondary took tiles");
    uint32_t controller = tiles_of(s, kControllerNode);
    if (flags & RenderRequest::kRenderUseController)
      CHECK_MESSAGE(controller > 0, "the controller took no tile with kRenderUseController");
    else
      CHECK_MESSAGE(controller == 0, "the controller took " << controller << " tiles with flags 0");

    // A tile block names the I2C address of the secondary that computed it (0xFF: controller);
    // the summary names the node's index. Both must tell the same story.
    std::map<uint8_t, uint32_t> by_address;
    for (const Tile& t : r.tiles) ++by_address[t.h.node];
    CHECK(by_address[kControllerNode] == controller);
    for (const NodeEntry& n : nodes)
      CHECK_MESSAGE(by_address[n.address] == tiles_of(s, n.index),
                    "node " << int(n.index) << " at 0x" << std::hex << int(n.address) << std::dec
                            << ": " << by_address[n.address] << " tile blocks, summary says "
                            << tiles_of(s, n.index));
    CHECK_MESSAGE(host.held().empty(), host.held().size() << " frames arrived under other seqs");
  }
}

TEST_CASE("RENDER with node_mask of node 0 alone runs only on that node") {
  SimHost host(sim_config(8, kSeed));
  host.hello();
  const std::vector<NodeEntry> nodes = host.nodes();
  REQUIRE(nodes.size() == 8);
  RenderRequest job = small_job(0);
  job.node_mask = 1;
  Render r = render(host, job);
  RenderSummary s = summary_of(r.reply);
  for (const Tile& t : r.tiles)
    CHECK_MESSAGE(t.h.node == nodes[0].address,
                  "tile " << t.h.tile_index << " from node 0x" << std::hex << int(t.h.node)
                          << ", only node 0 at 0x" << int(nodes[0].address) << " may compute");
  CHECK(s.node_count == 1);
  CHECK_MESSAGE(tiles_of(s, 0) == tile_count(job.geometry),
                "node 0 took " << tiles_of(s, 0) << " tiles");
}

TEST_CASE("RENDER with X0 >= X1 is refused with bad_job and no tile") {
  SimHost host(sim_config(2, kSeed));
  host.hello();
  for (const char* x1 : {"-2", "-2.5"}) {
    CAPTURE(x1);
    RenderRequest job = small_job(RenderRequest::kRenderUseController);
    job.geometry.region.x1 = coord(x1);
    Reply r = host.request(MsgType::render, body_of(job));
    CHECK_MESSAGE(r.error() == ErrorCode::bad_job, "answered " << r.describe());
    CHECK_MESSAGE(r.streamed.empty(), r.streamed.size() << " frames streamed before the ERROR");
  }
  // The refusal left nothing behind: a good job still renders.
  Render ok = render(host, small_job(RenderRequest::kRenderUseController));
  CHECK(summary_of(ok.reply).tiles == tile_count(small_job(0).geometry));
}

TEST_CASE("a second RENDER while one runs is refused with busy, the first completes") {
  SimHost host(sim_config(8, kSeed));
  host.hello();
  const RenderRequest job = small_job(RenderRequest::kRenderUseController);
  uint16_t first = 0, second = 0;
  std::vector<uint8_t> bytes = host.encode_request(MsgType::render, body_of(job), &first);
  std::vector<uint8_t> again = host.encode_request(MsgType::render, body_of(job), &second);
  bytes.insert(bytes.end(), again.begin(), again.end());
  host.write(bytes);

  Reply refused = host.await(second);
  CHECK_MESSAGE(refused.error() == ErrorCode::busy,
                "second RENDER answered " << refused.describe());
  CHECK_MESSAGE(refused.streamed.empty(), "the refused RENDER streamed frames");
  Render r = check_stream(job, first, host.await(first));
  CHECK(summary_of(r.reply).tiles == tile_count(job.geometry));
}

TEST_CASE("PROGRESS frames name the render's seq and count its tiles") {
  SimHost host(sim_config(8, kSeed));
  host.hello();
  const RenderRequest job = small_job(RenderRequest::kRenderUseController);
  Render r = render(host, job);
  summary_of(r.reply);
  // The job takes longer than one progress interval of modelled time.
  CHECK_MESSAGE(!r.progress.empty(), "no PROGRESS frame during the render");
  CHECK_MESSAGE(host.held().empty(), host.held().size() << " frames arrived under other seqs");
}

TEST_CASE("CANCEL ends a running render: OK for the cancel, ERROR cancelled for the render") {
  SimHost host(sim_config(8, kSeed));
  host.hello();

  SUBCASE("cancel right behind the request") {
    const RenderRequest job = small_job(RenderRequest::kRenderUseController);
    uint16_t seq = 0, cancel = 0;
    std::vector<uint8_t> bytes = host.encode_request(MsgType::render, body_of(job), &seq);
    std::vector<uint8_t> target = {static_cast<uint8_t>(seq), static_cast<uint8_t>(seq >> 8)};
    std::vector<uint8_t> c = host.encode_request(MsgType::cancel, target, &cancel);
    bytes.insert(bytes.end(), c.begin(), c.end());
    host.write(bytes);
    Reply cr = host.await(cancel);
    CHECK_MESSAGE(cr.ok(), "CANCEL answered " << cr.describe());
    Reply rr = host.await(seq);
    CHECK_MESSAGE(rr.error() == ErrorCode::cancelled, "RENDER answered " << rr.describe());
  }

  SUBCASE("cancel after the first tile") {
    // Long enough (about 1.7 s of host CPU uncancelled) that the cancel lands mid-render.
    RenderRequest job = make_job(1024, 1024, 2000, "-2", "1", "-1.5", "1.5");
    uint16_t seq = host.send(MsgType::render, body_of(job));
    Frame f;
    do {
      REQUIRE_MESSAGE(host.next_frame(&f), "no frame after RENDER");
      REQUIRE_MESSAGE(f.seq == seq, "frame for seq " << f.seq);
      REQUIRE_MESSAGE(!f.is(MsgType::ok), "the render finished before it could be cancelled");
      REQUIRE_MESSAGE(!f.is(MsgType::error), "RENDER refused");
    } while (!f.is(MsgType::tile));
    uint16_t cancel =
        host.send(MsgType::cancel, {static_cast<uint8_t>(seq), static_cast<uint8_t>(seq >> 8)});
    Reply cr = host.await(cancel);
    CHECK_MESSAGE(cr.ok(), "CANCEL answered " << cr.describe());
    Reply rr = host.await(seq);
    CHECK_MESSAGE(rr.error() == ErrorCode::cancelled, "RENDER answered " << rr.describe());
    size_t tiles = 1;
    for (const Frame& s : rr.streamed) tiles += s.is(MsgType::tile);
    CHECK_MESSAGE(tiles < tile_count(job.geometry),
                  "all " << tiles << " tiles arrived despite the cancel");
  }

  // Nothing of the cancelled job is left in the nodes: the next render is whole and exact.
  const RenderRequest next = small_job(RenderRequest::kRenderUseController);
  Render r = render(host, next);
  CHECK(summary_of(r.reply).tiles == tile_count(next.geometry));
  CHECK_MESSAGE(host.held().empty(), host.held().size() << " frames arrived under other seqs");
}

TEST_CASE("two renders under the same seq each get their own region, exactly") {
  SimHost host(sim::Config{});
  host.hello();
  RenderRequest a = make_job(96, 64, 200, "-2", "1", "-1", "1");
  RenderRequest b = make_job(96, 64, 200, "-0.8", "-0.7", "0.05", "0.15");
  b.geometry.tile_w = a.geometry.tile_w = 16;
  b.geometry.tile_h = a.geometry.tile_h = 16;
  host.set_next_seq(40);
  Render ra = render(host, a);
  host.set_next_seq(40);
  Render rb = render(host, b);
  CHECK_MESSAGE(ra.reply.ok(), "first render did not end OK");
  CHECK_MESSAGE(rb.reply.ok(), "second render did not end OK");
  CHECK_MESSAGE(ra.job_id != rb.job_id, "both renders carried job " << ra.job_id);
}

namespace {

// A RENDER and a CANCEL (target 0) in one write, so the cancel reaches the controller while the
// render runs whatever the host's timing (the simulator takes host bytes on its own clock).
void render_and_cancel(SimHost& host, const RenderRequest& job, uint16_t* render,
                       uint16_t* cancel) {
  std::vector<uint8_t> body(256);
  Writer w(body.data(), body.size());
  encode(w, job);
  body.resize(w.size());
  std::vector<uint8_t> bytes = host.encode_request(MsgType::render, body, render);
  std::vector<uint8_t> c = host.encode_request(MsgType::cancel, std::vector<uint8_t>{0, 0}, cancel);
  bytes.insert(bytes.end(), c.begin(), c.end());
  host.write(bytes);
}

}  // namespace

TEST_CASE("CANCEL with target 0 stops whatever render runs") {
  SimHost host(sim::Config{});
  host.hello();
  uint16_t render = 0, cancel_seq = 0;
  render_and_cancel(host, make_job(320, 240, 2000, "-2", "1", "-1.5", "1.5"), &render, &cancel_seq);
  Reply cancel = host.await(cancel_seq);
  CHECK(cancel.ok());
  Reply r = host.await(render);
  CHECK(r.error() == ErrorCode::cancelled);
}

TEST_CASE("after a CANCEL, core 1's abandoned tile does not stop the cluster answering") {
  SimHost host(sim::Config{});
  host.hello();
  // Deep enough that core 1 is mid-tile when the cancel comes, a virtual second in.
  uint16_t render = 0, cancel_seq = 0;
  render_and_cancel(host, make_job(320, 240, 20000, "-0.75", "-0.7", "0.05", "0.1"), &render,
                    &cancel_seq);
  CHECK(host.await(cancel_seq).ok());
  CHECK(host.await(render).error() == ErrorCode::cancelled);
  // The cancelled job's tile on core 1 ends, unasked, in virtual time; the simulator must still
  // move on and take the host's next request (it once spun at that instant for ever).
  Reply ping = host.request(MsgType::ping, std::vector<uint8_t>{1, 2, 3});
  CHECK(ping.ok());
  RenderRequest small = make_job(64, 48, 256, "-2", "1", "-1.5", "1.5");
  std::vector<uint8_t> sb(256);
  Writer sw(sb.data(), sb.size());
  encode(sw, small);
  sb.resize(sw.size());
  CHECK(host.request(MsgType::render, sb).ok());
}

TEST_CASE("NODE_ECHO: bytes through a node's I2C echo register and back") {
  SimHost host(sim::Config{});
  host.hello();
  std::vector<uint8_t> body = {2};
  for (int i = 0; i < 32; ++i) body.push_back(static_cast<uint8_t>(i * 37));
  Reply ok = host.request(MsgType::node_echo, body);
  REQUIRE(ok.ok());
  CHECK(ok.final.body == std::vector<uint8_t>(body.begin() + 1, body.end()));
  CHECK(host.request(MsgType::node_echo, {9, 1, 2}).error() == ErrorCode::no_nodes);
  CHECK(host.request(MsgType::node_echo, {0}).error() == ErrorCode::bad_request);
  std::vector<uint8_t> too_long(34, 7);
  too_long[0] = 0;
  CHECK(host.request(MsgType::node_echo, too_long).error() == ErrorCode::bad_request);
}
