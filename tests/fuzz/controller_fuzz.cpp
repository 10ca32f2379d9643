// Fuzz target: the controller's handling of what the host writes (Controller::poll over a
// FakeBoard with no secondaries, so every job runs on the controller alone).
//
// Input: a knob byte, then the host's bytes.
//   knob bits 0-3: the host link takes 32*k bytes per pass (0: no limit), so answers back up;
//   bits 4-5: compute latency 0, 50 us, 2 ms or 150 ms; bit 6: the bytes are built from ops:
//     op < 0x80: a well-formed frame, body of op bytes, then type, seq (1 byte), body;
//     op >= 0x80: (op & 0x7F) raw bytes as they are;
//   bit 7: the bytes arrive 7 at a time, one piece per pass, instead of all at once.
// After the input (and a delimiter) has been read and the controller has had 60 ms to settle, a
// HELLO and a PING must each get their OK. Every frame the controller writes, all along, must be
// well formed: a known type, an ERROR that decodes, a TILE whose block parses and decodes, a LOG
// that is a level and a text.
#include <cstring>
#include <memory>

#include "fake_board.h"
#include "fuzz.h"
#include "picocray/controller.h"
#include "picocray/frame.h"
#include "picocray/protocol.h"
#include "picocray/tile_block.h"
#include "picocray/timing.h"

using namespace picocray;
using picocray_fuzz::Input;
using picocray_test::FakeBoard;

namespace {

constexpr uint16_t kHelloSeq = 0xFFF1;
constexpr uint16_t kPingSeq = 0xFFF2;
constexpr char kPingBody[] = "fuzz ping";

void append_frame(std::deque<uint8_t>* out, uint8_t type, uint16_t seq, const uint8_t* body,
                  size_t len) {
  static uint8_t enc[kMaxFrameEncoded];
  FrameHeader h;
  h.type = type;
  h.seq = seq;
  size_t n = frame_encode(h, body, len, enc, sizeof enc);
  FUZZ_CHECK(n != 0, "the harness could not encode a request");
  out->insert(out->end(), enc, enc + n);
}

// The host's side: decodes what the controller writes and checks each frame.
class Host {
 public:
  bool hello_ok = false;
  bool ping_ok = false;

  void take(std::vector<uint8_t>& bytes) {
    for (uint8_t b : bytes)
      if (decoder_.push(b)) check_frame();
    bytes.clear();
  }
  // USB goes away with a reboot: a frame cut short is no fault.
  void drop_link() { decoder_.clear(); }
  void check_stream() const {
    const FrameStats& s = decoder_.stats();
    FUZZ_CHECK(s.crc_errors == 0 && s.malformed == 0 && s.overlong == 0,
               "the controller wrote a malformed frame");
  }

 private:
  void check_frame() {
    const FrameHeader& h = decoder_.header();
    Reader r(decoder_.body(), decoder_.body_len());
    switch (static_cast<MsgType>(h.type)) {
      case MsgType::ok:
        if (h.seq == kHelloSeq) {
          HelloReply m;
          FUZZ_CHECK(decode(r, &m), "the HELLO answer does not decode");
          FUZZ_CHECK(
              m.proto_major == kProtocolMajor && m.role == Role::controller && m.node_count == 0,
              "the HELLO answer is wrong");
          hello_ok = true;
        } else if (h.seq == kPingSeq) {
          FUZZ_CHECK(decoder_.body_len() == sizeof kPingBody &&
                         std::memcmp(decoder_.body(), kPingBody, sizeof kPingBody) == 0,
                     "the PING answer does not echo its body");
          ping_ok = true;
        }
        return;
      case MsgType::error: {
        ErrorReply e;
        FUZZ_CHECK(decode(r, &e), "an ERROR answer does not decode");
        FUZZ_CHECK(std::strcmp(error_name(e.code), "unknown") != 0, "an ERROR has an unknown code");
        FUZZ_CHECK(h.seq != kHelloSeq && h.seq != kPingSeq, "HELLO or PING answered with ERROR");
        return;
      }
      case MsgType::tile: {
        TileHeader t;
        const uint8_t* payload = nullptr;
        FUZZ_CHECK(tile_block_parse(decoder_.body(), decoder_.body_len(), &t, &payload),
                   "a TILE block does not parse");
        FUZZ_CHECK(t.node == kControllerNode, "a TILE names a node that does not exist");
        counts_.resize(size_t{t.rect.w} * t.rect.h);
        FUZZ_CHECK(
            tile_decode_codec(t.codec, payload, t.payload_len, t.rect.w, t.rect.h, counts_.data()),
            "a TILE payload does not decode");
        return;
      }
      case MsgType::progress: {
        ProgressUpdate p;
        FUZZ_CHECK(decode(r, &p), "a PROGRESS does not decode");
        FUZZ_CHECK(p.tiles_done <= p.tiles_total, "PROGRESS counts more tiles than the job has");
        return;
      }
      case MsgType::log: {
        uint8_t level = r.u8();
        char text[256];
        r.str(text, sizeof text);
        FUZZ_CHECK(r.done() && level <= static_cast<uint8_t>(LogLevel::error),
                   "a LOG body is not a level and a text");
        return;
      }
      default: FUZZ_CHECK(false, "the controller wrote a frame of unknown type");
    }
  }

  FrameDecoder decoder_;
  std::vector<uint16_t> counts_;
};

class Harness {
 public:
  Harness() { board.real_counts = false; }
  FakeBoard board{true};
  Controller controller{board.hal()};
  Host host;
  size_t budget_per_pass = SIZE_MAX;

  void start() {
    controller.start();
    host.take(board.to_host);
  }

  void pass() {
    board.link_budget = budget_per_pass;
    uint64_t next = controller.poll();
    FUZZ_CHECK(board.bad_tiles == 0, "a tile of a bad size was started");
    if (board.reboot_requested) {
      // As the simulator does: USB drops both ways, and the board starts again.
      board.reboot_requested = false;
      board.to_device.clear();
      board.to_host.clear();
      host.drop_link();
      controller.start();
    }
    host.take(board.to_host);
    if (next == kNoDeadline)
      board.now += 1000;
    else if (next > board.now)
      board.now = next;
    else
      board.now += 1;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  uint8_t knob = in.u8();
  auto h = std::make_unique<Harness>();
  if (knob & 0x0F) h->budget_per_pass = 32u * (knob & 0x0Fu);
  static const uint64_t kLatency[4] = {0, 50, 2000, 150000};
  h->board.compute_us = kLatency[(knob >> 4) & 3];

  std::deque<uint8_t> stream;
  if (knob & 0x40) {
    while (!in.empty()) {
      uint8_t op = in.u8();
      size_t got = 0;
      if (op < 0x80) {
        uint8_t type = in.u8();
        uint8_t seq = in.u8();
        const uint8_t* body = in.take(op, &got);
        append_frame(&stream, type, seq, body, got);
      } else {
        const uint8_t* raw = in.take(op & 0x7Fu, &got);
        stream.insert(stream.end(), raw, raw + got);
      }
    }
  } else {
    size_t got = 0;
    const uint8_t* raw = in.rest(&got);
    stream.insert(stream.end(), raw, raw + got);
  }
  stream.push_back(0);  // what a host sends before its HELLO, to end any partial frame

  h->start();
  // The input, then 60 ms for any reboot, enumeration or backed-up answer to finish.
  const size_t piece = (knob & 0x80) ? 7 : stream.size();
  int passes = 0;
  while (!stream.empty() && passes < 3000) {
    size_t n = piece < stream.size() ? piece : stream.size();
    h->board.to_device.insert(h->board.to_device.end(), stream.begin(), stream.begin() + n);
    stream.erase(stream.begin(), stream.begin() + n);
    h->pass();
    ++passes;
  }
  for (; !h->board.to_device.empty() && passes < 3000; ++passes) h->pass();
  const uint64_t settle_until = h->board.now + 60000;
  for (int i = 0; i < 400 && h->board.now < settle_until; ++i) h->pass();

  h->budget_per_pass = SIZE_MAX;
  uint8_t body[16];
  Writer w(body, sizeof body);
  encode(w, HelloRequest{});
  h->board.to_device.push_back(0);
  append_frame(&h->board.to_device, static_cast<uint8_t>(MsgType::hello), kHelloSeq, body,
               w.size());
  append_frame(&h->board.to_device, static_cast<uint8_t>(MsgType::ping), kPingSeq,
               reinterpret_cast<const uint8_t*>(kPingBody), sizeof kPingBody);
  for (int i = 0; i < 2000 && !(h->host.hello_ok && h->host.ping_ok); ++i) h->pass();
  FUZZ_CHECK(h->host.hello_ok, "HELLO went unanswered after the input");
  FUZZ_CHECK(h->host.ping_ok, "PING went unanswered after the input");
  h->host.check_stream();
  return 0;
}
