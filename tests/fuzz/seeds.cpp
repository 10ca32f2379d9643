// Writes the seed corpus of every fuzz target: well-formed frames, messages, blocks, tiles, request
// streams, register traffic and decimal strings, laid out as each target's header describes.
// Generated rather than committed, so the seeds follow the wire format as it changes.
//
//   fuzz_seeds DIR    writes DIR/<target>/seed-<name> (folders created, files overwritten)
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz.h"
#include "picocray/decimal.h"
#include "picocray/frame.h"
#include "picocray/i2c_map.h"
#include "picocray/protocol.h"
#include "picocray/tile_block.h"
#include "picocray/tile_codec.h"

using namespace picocray;
using namespace picocray_fuzz::message_kind;
using Bytes = std::vector<uint8_t>;
namespace fs = std::filesystem;

namespace {

fs::path g_dir;

void put(const char* target, const std::string& name, const Bytes& b) {
  fs::path d = g_dir / target;
  fs::create_directories(d);
  std::ofstream out(d / ("seed-" + name), std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

Bytes operator+(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

template <typename Msg>
Bytes body(const Msg& m) {
  Bytes out(4096);
  Writer w(out.data(), out.size());
  encode(w, m);
  out.resize(w.size());
  return out;
}

template <typename Block>
Bytes block(const Block& b) {
  Bytes out(128);
  out.resize(i2c::build(b, out.data(), out.size()));
  return out;
}

Bytes frame(MsgType type, uint16_t seq, const Bytes& b) {
  Bytes out(kMaxFrameEncoded);
  FrameHeader h;
  h.type = static_cast<uint8_t>(type);
  h.seq = seq;
  out.resize(frame_encode(h, b.data(), b.size(), out.data(), out.size()));
  return out;
}

Coord coord(const char* s) {
  Coord c = fx::zero<4>();
  parse_decimal(s, std::strlen(s), &c);
  return c;
}

RenderRequest job(uint16_t w, uint16_t h, uint8_t tile, uint16_t iters) {
  RenderRequest q;
  q.geometry.width = w;
  q.geometry.height = h;
  q.geometry.tile_w = q.geometry.tile_h = tile;
  q.geometry.max_iter = iters;
  q.geometry.region.x0 = coord("-2");
  q.geometry.region.x1 = coord("1");
  q.geometry.region.y0 = coord("-1.5");
  q.geometry.region.y1 = coord("1.5");
  return q;
}

Bytes pattern(size_t n) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 37 % 251);
  return b;
}

std::vector<uint16_t> tile_counts(uint32_t w, uint32_t h) {
  std::vector<uint16_t> c(size_t{w} * h);
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x)
      c[y * w + x] = static_cast<uint16_t>(x < w / 2 ? 300 : (x * y * 97) % 9000);
  return c;
}

Bytes tile_block(uint8_t w, uint8_t h, uint8_t codec = kTileCodecRuns) {
  TileHeader th;
  th.codec = codec;
  th.job_id = 1;
  th.tile_index = 3;
  th.rect.w = w;
  th.rect.h = h;
  th.node = 0x10;
  std::vector<uint16_t> c = tile_counts(w, h);
  Bytes out(kTileBlockMax);
  out.resize(tile_block_build(th, c.data(), out.data(), out.size()));
  return out;
}

void frame_seeds() {
  Bytes hello = frame(MsgType::hello, 1, body(HelloRequest{}));
  Bytes ping = frame(MsgType::ping, 2, pattern(40));
  Bytes render = frame(MsgType::render, 3, body(job(640, 480, 32, 256)));
  put("frame", "hello", Bytes{0, 0} + hello);
  put("frame", "stream", Bytes{0} + hello + ping + render);
  Bytes bad = ping;
  bad[5] ^= 0x40;
  put("frame", "bad-crc", Bytes{0} + bad + hello);
  put("frame", "max-body", Bytes{0} + frame(MsgType::tile, 9, pattern(kMaxFrameBody)));
  Bytes big = frame(MsgType::tile, 9, pattern(kMaxFrameBody));
  big.insert(big.end() - 1, 0x01);  // one byte more than any frame may hold
  put("frame", "overlong", Bytes{0} + big + hello);
  put("frame", "fragments", Bytes{0, 0, 0, 1, 0, 2, 1, 0, 3, 1, 1, 0, 0xFF, 0});
  put("frame", "roundtrip", Bytes{1, 0x04, 0, 7, 0} + body(job(64, 64, 16, 100)));
}

void message_seeds() {
  auto sel = [](uint8_t k) { return Bytes{k}; };
  HelloReply hr;
  hr.unique_id = 0x1122334455667788ull;
  hr.capabilities = 0x3F;
  hr.max_frame_body = kMaxFrameBody;
  hr.node_count = 3;
  std::strcpy(hr.board, "pico2");
  put("messages", "hello", sel(kHelloRequest) + body(HelloRequest{}));
  put("messages", "hello-reply", sel(kHelloReply) + body(hr));
  InfoReply info;
  info.cpu_hz = 125000000;
  info.node_count = 2;
  info.uptime_us = 123456789;
  put("messages", "info", sel(kInfoReply) + body(info));
  NodeEntry e;
  e.index = 1;
  e.address = 0x11;
  e.unique_id = 42;
  e.state = NodeState::busy;
  e.cores = 2;
  put("messages", "node", sel(kNodeEntry) + body(e));
  put("messages", "nodes", sel(kNodesAnswer) + Bytes{2} + body(e) + body(NodeEntry{}));
  put("messages", "render", sel(kRenderRequest) + body(job(640, 480, 32, 256)));
  put("messages", "render-edge", sel(kRenderRequest) + body(job(16384, 3, 64, 1)));
  RenderRequest part = job(640, 480, 32, 256);
  part.subset.count = 2;
  part.subset.ranges[0] = TileRange{3, 5};
  part.subset.ranges[1] = TileRange{40, 1};
  put("messages", "render-subset", sel(kRenderRequest) + body(part));  // protocol 1.2
  RenderSummary s;
  s.tiles = 300;
  s.node_count = 2;
  s.per_node[0] = NodeTiles{0x10, 200};
  s.per_node[1] = NodeTiles{kControllerNode, 100};
  put("messages", "summary", sel(kRenderSummary) + body(s));
  Bytes short_summary = body(s);
  short_summary.resize(short_summary.size() - 2);  // as a 1.0 controller sends it
  put("messages", "summary-1.0", sel(kRenderSummary) + short_summary);
  put("messages", "progress", sel(kProgressUpdate) + body(ProgressUpdate{5, 10}));
  ResetRequest rr;
  rr.kind = ResetKind::nodes;
  rr.node_mask = 5;
  put("messages", "reset", sel(kResetRequest) + body(rr));
  ErrorReply er;
  er.code = ErrorCode::bad_job;
  std::strcpy(er.text, "region needs X0 < X1");
  put("messages", "error", sel(kErrorReply) + body(er));

  i2c::StatusBlock st;
  st.phase = i2c::NodePhase::busy;
  st.ready = 1;
  st.ready_len = 300;
  put("messages", "status", sel(kStatusBlock) + block(st));
  Bytes poll(16);
  poll.resize(i2c::build_poll(st, poll.data(), poll.size()));
  put("messages", "poll", sel(kPollBlock) + poll);
  i2c::IdentBlock id;
  id.unique_id = 7;
  id.cores = 2;
  put("messages", "ident", sel(kIdentBlock) + block(id));
  i2c::JobBlock jb;
  jb.job_id = 4;
  jb.geometry.region.x0 = coord("-2");
  jb.geometry.region.x1 = coord("1");
  jb.geometry.region.y0 = coord("-1.5");
  jb.geometry.region.y1 = coord("1.5");
  put("messages", "job", sel(kJobBlock) + block(jb));
  put("messages", "job-resealed", sel(kJobBlock | 0x80) + block(jb));
  i2c::TileAssign ta;
  ta.job_id = 4;
  ta.tile_index = 9;
  ta.rect.w = ta.rect.h = 32;
  put("messages", "tile", sel(kTileAssign) + block(ta));
  put("messages", "ack", sel(kAckBlock) + block(i2c::AckBlock{9}));
  i2c::ClaimBlock cb;
  cb.unique_id = 7;
  cb.address = 0x12;
  put("messages", "claim", sel(kClaimBlock) + block(cb));
  Bytes m(8);
  m.resize(i2c::build_magic(i2c::kResetMagic, m.data(), m.size()));
  put("messages", "reset-magic", sel(kResetMagic) + m);
  m.assign(8, 0);
  m.resize(i2c::build_magic(i2c::kBackoffMagic, m.data(), m.size()));
  put("messages", "backoff-magic", sel(kBackoffMagic) + m);
  Bytes echo(40);
  Bytes data = pattern(20);
  echo.resize(i2c::build_echo(data.data(), data.size(), echo.data(), echo.size()));
  put("messages", "echo", sel(kEcho) + echo);
}

void tile_seeds() {
  for (auto [w, h] : {std::pair<uint8_t, uint8_t>{8, 8}, {64, 64}, {1, 1}, {17, 5}}) {
    std::vector<uint16_t> c = tile_counts(w, h);
    Bytes enc(tile_max_encoded(c.size()));
    enc.resize(tile_encode(c.data(), w, h, enc.data(), enc.size()));
    std::string name = std::to_string(w) + "x" + std::to_string(h);
    put("tile", "decode-" + name, Bytes{0, w, h} + enc);
    Bytes raw{1, w, h};
    for (uint16_t v : c)
      raw.insert(raw.end(), {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8)});
    put("tile", "encode-" + name, raw);
    put("tile", "block-" + name, Bytes{2} + tile_block(w, h));
    Bytes range(5 * c.size() + 8);
    range.resize(tile_encode_range(c.data(), w, h, range.data(), range.size()));
    put("tile", "decode-range-" + name, Bytes{4, w, h} + range);
    raw[0] = 5;
    put("tile", "encode-range-" + name, raw);
    put("tile", "block-range-" + name, Bytes{2} + tile_block(w, h, kTileCodecRange));
  }
  put("tile", "literals", Bytes{0, 2, 2, 0xE0, 0xFF, 0xFF, 0xC1, 0x00, 0x9F, 0x40});
  put("tile", "block-resealed", Bytes{3} + tile_block(4, 4));
}

// Controller inputs: a knob byte, then ops (knob bit 6): a frame is [len][type][seq][body].
Bytes op(MsgType type, uint8_t seq, const Bytes& b) {
  return Bytes{static_cast<uint8_t>(b.size()), static_cast<uint8_t>(type), seq} + b;
}

void controller_seeds() {
  Bytes cancel5{5, 0};
  Bytes hello = op(MsgType::hello, 1, body(HelloRequest{}));
  Bytes info = op(MsgType::info, 2, {});
  Bytes nodes = op(MsgType::nodes, 3, {});
  Bytes small = op(MsgType::render, 5, body(job(64, 48, 16, 32)));
  put("controller", "session", Bytes{0x40} + hello + info + nodes + op(MsgType::ping, 4, {1, 2}));
  put("controller", "render", Bytes{0x40} + hello + small);
  put("controller", "render-cancel", Bytes{0x40} + small + op(MsgType::cancel, 6, cancel5));
  put("controller", "render-slow-link", Bytes{0x41} + small + info);
  put("controller", "render-slow-compute",
      Bytes{0x70} + small + op(MsgType::render, 7, body(job(8, 8, 8, 8))));
  put("controller", "render-chunked", Bytes{0xC0} + small + hello);
  RenderRequest part = job(64, 48, 16, 32);
  part.subset.count = 2;
  part.subset.ranges[0] = TileRange{1, 3};
  part.subset.ranges[1] = TileRange{9, 2};
  HelloRequest old;
  old.minor = 0;
  put("controller", "render-subset",
      Bytes{0x40} + hello + op(MsgType::render, 5, body(part)) + info);
  put("controller", "render-1.0-host",
      Bytes{0x40} + op(MsgType::hello, 1, body(old)) + small + info);
  ResetRequest r;
  r.kind = ResetKind::enumerate;
  put("controller", "reset-enumerate", Bytes{0x40} + op(MsgType::reset, 8, body(r)) + info);
  r.kind = ResetKind::controller;
  put("controller", "reset-controller", Bytes{0x40} + op(MsgType::reset, 9, body(r)) + hello);
  put("controller", "unknown-and-garbage",
      Bytes{0x40} + op(static_cast<MsgType>(0x55), 10, {}) + Bytes{0x83, 0, 7, 7} + hello);
  // Raw stream: the bytes exactly as a host writes them.
  put("controller", "raw",
      Bytes{0x00, 0x00} + frame(MsgType::hello, 1, body(HelloRequest{})) +
          frame(MsgType::info, 2, {}));
}

// Secondary inputs: ops as secondary_fuzz.cpp lists them.
void secondary_seeds() {
  const uint8_t kRead = 4 << 5, kWrite = 5 << 5, kBlock = 6 << 5, kCollect = 7 << 5, kPass = 3 << 5;
  const uint8_t status = static_cast<uint8_t>(i2c::Reg::status);
  const uint8_t ident = static_cast<uint8_t>(i2c::Reg::ident);
  const uint8_t echo = static_cast<uint8_t>(i2c::Reg::echo);
  const uint8_t poll = static_cast<uint8_t>(i2c::Reg::poll);
  put("secondary", "reads",
      Bytes{kRead, status, kRead, poll, kRead, ident, kRead, echo, kRead, 0x77});
  put("secondary", "echo", Bytes{kBlock | 6, 5, 1, 2, 3, 4, 5, kRead, echo});
  // Enrol at 0x13, load a job, assign two tiles, let them compute, collect both.
  Bytes job{kBlock | 0, 4, 0, 1, 64, 0, 64, 0, 64, 0};
  for (int i = 0; i < 4; ++i) job = job + Bytes{0, 0, 0, static_cast<uint8_t>(i < 2 ? 0xF0 : 0x08)};
  Bytes tile0{kBlock | 1, 1, 0, 0, 0, 15, 15};
  Bytes tile1{kBlock | 1, 1, 1, 1, 0, 31, 7};
  put("secondary", "tile-cycle",
      Bytes{kBlock | 7, 3} + job + tile0 + tile1 +
          Bytes{kPass | 2, kPass | 2, kPass | 2, kPass | 2, kCollect, kPass | 2, kCollect | 1,
                kRead, status});
  put("secondary", "unenrolled-tile", job + tile0 + Bytes{kPass | 5, kCollect});
  put("secondary", "raw-events",
      Bytes{0 << 5 | 1, status, 9, 2 << 5, 1 << 5 | 20, 2 << 5, 0 << 5 | 0, 0x11, 1 << 5 | 3,
            2 << 5});
  put("secondary", "bad-writes",
      Bytes{kWrite, static_cast<uint8_t>(i2c::Reg::job), 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
            kWrite | 1, static_cast<uint8_t>(i2c::Reg::tile), 16} +
          pattern(16) + Bytes{kWrite, echo, 99} + pattern(99) + Bytes{kRead, status});
  put("secondary", "reset", Bytes{kBlock | 7, 0, kBlock | 4, kPass, kRead, status});
}

void decimal_seeds() {
  const char* strings[] = {"0",
                           "-1.5",
                           "0.25E+1",
                           ".5",
                           "-0",
                           "15.99999999999999999999999999999999999999999999",
                           "-2.0000000000000000000000000000000000000001",
                           "1e-200",
                           "0.000000000000000000000000000000000000047",
                           "-0.743643887037158704752191506114774",
                           "3.0000000000000000000000000000000000000000000000000000000000003"};
  int i = 0;
  for (const char* s : strings)
    put("decimal", "string-" + std::to_string(i++), Bytes{0} + Bytes(s, s + std::strlen(s)));
  Coord v = coord("-1.25");
  Bytes raw{1, 40};
  for (uint32_t w : v.w)
    raw = raw + Bytes{static_cast<uint8_t>(w), static_cast<uint8_t>(w >> 8),
                      static_cast<uint8_t>(w >> 16), static_cast<uint8_t>(w >> 24)};
  put("decimal", "coord", raw);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  g_dir = argv[1];
  frame_seeds();
  message_seeds();
  tile_seeds();
  controller_seeds();
  secondary_seeds();
  decimal_seeds();
  return 0;
}
