// A host for the core tests: drives a sim::Simulator over its USB byte stream the way the CLI does
// (a lone 0x00, HELLO, then requests that each end in one OK or ERROR with the request's seq).
// Every read waits at most read_timeout_ms, so a hang fails the test instead of blocking it.
#pragma once
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <deque>
#include <ios>
#include <memory>
#include <string>
#include <vector>

#include "picocray/decimal.h"
#include "picocray/frame.h"
#include "picocray/protocol.h"
#include "picocray/sim.h"
#include "picocray/tile_block.h"
#include "picocray/tile_codec.h"

namespace picocray_test {

using namespace picocray;

struct Frame {
  uint8_t type = 0;
  uint16_t seq = 0;
  std::vector<uint8_t> body;
  bool is(MsgType t) const { return type == static_cast<uint8_t>(t); }
};

// The answer to one request: its final frame and, before it, the frames streamed under its seq.
struct Reply {
  Frame final;
  std::vector<Frame> streamed;
  bool ok() const { return final.is(MsgType::ok); }
  // The ERROR code; fails the test when the answer was not a well-formed ERROR.
  ErrorCode error() const {
    REQUIRE_MESSAGE(final.is(MsgType::error), "expected ERROR for seq "
                                                  << final.seq << ", got type 0x" << std::hex
                                                  << int(final.type));
    ErrorReply e;
    Reader r(final.body.data(), final.body.size());
    REQUIRE_MESSAGE(decode(r, &e), "malformed ERROR body for seq " << final.seq);
    return e.code;
  }
  // A one-line account for failure messages: "OK" or "ERROR <name>: <text>".
  std::string describe() const {
    if (final.is(MsgType::ok)) return "OK";
    if (!final.is(MsgType::error)) return "frame type " + std::to_string(final.type);
    ErrorReply e;
    Reader r(final.body.data(), final.body.size());
    if (!decode(r, &e)) return "malformed ERROR";
    return std::string("ERROR ") + error_name(e.code) + ": " + e.text;
  }
};

template <typename Msg>
std::vector<uint8_t> body_of(const Msg& m) {
  std::vector<uint8_t> out(512);
  Writer w(out.data(), out.size());
  encode(w, m);
  REQUIRE_MESSAGE(w.ok(), "message did not fit 512 bytes");
  out.resize(w.size());
  return out;
}

// A coordinate from a decimal literal.
inline Coord coord(const char* s) {
  Coord c = fx::zero<4>();
  REQUIRE_MESSAGE(parse_decimal(s, std::strlen(s), &c), "parse_decimal failed on " << s);
  return c;
}

inline RenderRequest make_job(uint16_t w, uint16_t h, uint16_t iters, const char* x0,
                              const char* x1, const char* y0, const char* y1) {
  RenderRequest q;
  q.geometry.width = w;
  q.geometry.height = h;
  q.geometry.max_iter = iters;
  q.geometry.region.x0 = coord(x0);
  q.geometry.region.x1 = coord(x1);
  q.geometry.region.y0 = coord(y0);
  q.geometry.region.y1 = coord(y1);
  q.geometry.precision = choose_precision(q.geometry.region.x0, q.geometry.region.x1,
                                          q.geometry.region.y0, q.geometry.region.y1, w, h);
  return q;
}

// A TILE frame's block, checked and decoded; fails the test when it does not parse or decode.
struct Tile {
  TileHeader h;
  std::vector<uint16_t> counts;  // w*h, row-major
};

inline Tile parse_tile(const Frame& f) {
  Tile t;
  const uint8_t* payload = nullptr;
  REQUIRE_MESSAGE(tile_block_parse(f.body.data(), f.body.size(), &t.h, &payload),
                  "a TILE frame of " << f.body.size() << " bytes failed tile_block_parse");
  t.counts.resize(static_cast<size_t>(t.h.rect.w) * t.h.rect.h);
  REQUIRE_MESSAGE(tile_decode_codec(t.h.codec, payload, t.h.payload_len, t.h.rect.w, t.h.rect.h,
                                    t.counts.data()),
                  "tile " << t.h.tile_index << " payload did not decode");
  return t;
}

class SimHost {
 public:
  explicit SimHost(const sim::Config& cfg, int read_timeout_ms = 5000)
      : sim_(new sim::Simulator(cfg)), timeout_ms_(read_timeout_ms) {}

  sim::Simulator& sim() { return *sim_; }
  void set_timeout_ms(int ms) { timeout_ms_ = ms; }
  // The next request goes out with this seq (hosts may reuse a seq; the device must cope).
  void set_next_seq(uint16_t s) { seq_ = static_cast<uint16_t>(s - 1); }

  // Sends one request frame; returns its seq.
  uint16_t send(MsgType type, const std::vector<uint8_t>& body = {}) {
    seq_ = static_cast<uint16_t>(seq_ + 1 == 0 ? 1 : seq_ + 1);
    write_frame(type, seq_, body);
    return seq_;
  }

  // Encodes the frame without sending it, for tests that put several frames in one write.
  std::vector<uint8_t> encode_request(MsgType type, const std::vector<uint8_t>& body,
                                      uint16_t* seq) {
    seq_ = static_cast<uint16_t>(seq_ + 1 == 0 ? 1 : seq_ + 1);
    *seq = seq_;
    return encoded(type, seq_, body);
  }

  void write(const std::vector<uint8_t>& bytes) { sim_->host_write(bytes.data(), bytes.size()); }

  // The next frame from the device, whatever its seq; false after read_timeout_ms of silence.
  bool next_frame(Frame* f) {
    for (;;) {
      while (pos_ < pending_.size()) {
        if (decoder_.push(pending_[pos_++])) {
          f->type = decoder_.header().type;
          f->seq = decoder_.header().seq;
          f->body.assign(decoder_.body(), decoder_.body() + decoder_.body_len());
          return true;
        }
      }
      pending_.resize(8192);
      size_t n = sim_->host_read(pending_.data(), pending_.size(), timeout_ms_);
      pending_.resize(n);
      pos_ = 0;
      if (n == 0) return false;
    }
  }

  // Waits for the final answer to seq. Frames of other seqs are kept for a later await().
  Reply await(uint16_t seq) {
    Reply r;
    for (size_t i = 0; i < held_.size();) {
      if (held_[i].seq != seq) {
        ++i;
        continue;
      }
      Frame f = held_[i];
      held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(i));
      if (take(f, &r)) return r;
    }
    for (;;) {
      Frame f;
      REQUIRE_MESSAGE(next_frame(&f),
                      "no frame within "
                          << timeout_ms_ << " ms while waiting for the answer to seq " << seq
                          << " (" << r.streamed.size() << " streamed frames so far)");
      if (f.seq != seq) {
        held_.push_back(std::move(f));
        continue;
      }
      if (take(f, &r)) return r;
    }
  }

  Reply request(MsgType type, const std::vector<uint8_t>& body = {}) {
    return await(send(type, body));
  }

  // The handshake as the CLI does it: a lone delimiter, then HELLO.
  // After a reboot a HELLO sent while the controller was going down is lost, as on a real port:
  // ask again, a bounded number of times, each with a bounded wait.
  HelloReply hello_after_reboot(int tries = 5) {
    int saved = timeout_ms_;
    timeout_ms_ = 1000;
    for (int t = 0; t < tries; ++t) {
      write({0});
      uint16_t seq = send(MsgType::hello, body_of(HelloRequest{}));
      Frame f;
      while (next_frame(&f)) {
        if (f.seq != seq || !f.is(MsgType::ok)) continue;
        HelloReply m;
        Reader rd(f.body.data(), f.body.size());
        REQUIRE_MESSAGE(decode(rd, &m), "malformed HELLO answer");
        timeout_ms_ = saved;
        return m;
      }
    }
    timeout_ms_ = saved;
    FAIL("no HELLO answer after " << tries << " tries");
    return HelloReply{};
  }

  HelloReply hello() {
    write({0});
    Reply r = request(MsgType::hello, body_of(HelloRequest{}));
    REQUIRE_MESSAGE(r.ok(), "HELLO answered " << r.describe());
    HelloReply m;
    Reader rd(r.final.body.data(), r.final.body.size());
    REQUIRE_MESSAGE(decode(rd, &m), "malformed HELLO answer");
    return m;
  }

  std::vector<NodeEntry> nodes() {
    Reply r = request(MsgType::nodes);
    REQUIRE_MESSAGE(r.ok(), "NODES answered " << r.describe());
    Reader rd(r.final.body.data(), r.final.body.size());
    std::vector<NodeEntry> out(rd.u8());
    for (NodeEntry& e : out) REQUIRE_MESSAGE(decode(rd, &e), "malformed NODES entry");
    REQUIRE_MESSAGE(rd.done(), "NODES answer has bytes left over");
    return out;
  }

  // Frames that arrived under a seq nobody has awaited yet.
  const std::deque<Frame>& held() const { return held_; }

 private:
  // Adds f to r; true when it was the final answer.
  static bool take(const Frame& f, Reply* r) {
    if (f.is(MsgType::ok) || f.is(MsgType::error)) {
      r->final = f;
      return true;
    }
    r->streamed.push_back(f);
    return false;
  }

  static std::vector<uint8_t> encoded(MsgType type, uint16_t seq,
                                      const std::vector<uint8_t>& body) {
    FrameHeader h;
    h.type = static_cast<uint8_t>(type);
    h.seq = seq;
    std::vector<uint8_t> out(kMaxFrameEncoded);
    size_t n = frame_encode(h, body.data(), body.size(), out.data(), out.size());
    REQUIRE_MESSAGE(n > 0, "frame_encode refused a body of " << body.size() << " bytes");
    out.resize(n);
    return out;
  }

  void write_frame(MsgType type, uint16_t seq, const std::vector<uint8_t>& body) {
    write(encoded(type, seq, body));
  }

  std::unique_ptr<sim::Simulator> sim_;
  int timeout_ms_;
  uint16_t seq_ = 0;
  FrameDecoder decoder_;
  std::vector<uint8_t> pending_;
  size_t pos_ = 0;
  std::deque<Frame> held_;
};

// Final answer of a render as a summary; fails the test when it is not OK.
inline RenderSummary summary_of(const Reply& r) {
  REQUIRE_MESSAGE(r.ok(), "RENDER answered " << r.describe());
  RenderSummary s;
  Reader rd(r.final.body.data(), r.final.body.size());
  REQUIRE_MESSAGE(decode(rd, &s), "malformed RenderSummary");
  return s;
}

inline sim::Config sim_config(uint32_t nodes, uint64_t seed, uint32_t collide = 0) {
  sim::Config c;
  c.nodes = nodes;
  c.seed = seed;
  c.collide = collide;
  return c;
}

}  // namespace picocray_test
