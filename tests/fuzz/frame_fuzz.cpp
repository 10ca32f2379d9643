// Fuzz target: the host link's frame decoder (frame.h).
//
// Input: a mode byte, then
//   mode even: a byte stream, pushed byte by byte into one FrameDecoder. Each stretch between
//     delimiters is judged independently with cobs_decode and crc32: the decoder must accept
//     exactly the stretches that unstuff to a header and a matching CRC, report them with the same
//     header and body, count every other stretch once, and every frame it accepts must re-encode
//     (frame_encode) to a stream that decodes to the same header and body.
//   mode odd: type, flags, seq (2 bytes), then a body: frame_encode must take it and a fresh
//   decoder
//     must give back exactly that frame.
#include <cstring>
#include <vector>

#include "fuzz.h"
#include "picocray/cobs.h"
#include "picocray/crc32.h"
#include "picocray/frame.h"

using namespace picocray;
using picocray_fuzz::Input;

namespace {

struct Decoded {
  FrameHeader h;
  std::vector<uint8_t> body;
};

// Feeds a stream to a fresh decoder; returns the frames it accepted.
std::vector<Decoded> decode_all(const uint8_t* p, size_t n) {
  static FrameDecoder d;  // 16 KiB: kept off the stack
  d.clear();
  std::vector<Decoded> got;
  for (size_t i = 0; i < n; ++i)
    if (d.push(p[i])) got.push_back({d.header(), {d.body(), d.body() + d.body_len()}});
  return got;
}

bool same(const FrameHeader& a, const FrameHeader& b) {
  return a.type == b.type && a.flags == b.flags && a.seq == b.seq;
}

void check_reencodes(const FrameHeader& h, const uint8_t* body, size_t len) {
  static uint8_t enc[kMaxFrameEncoded];
  size_t n = frame_encode(h, body, len, enc, sizeof enc);
  FUZZ_CHECK(n != 0, "an accepted frame did not re-encode");
  std::vector<Decoded> again = decode_all(enc, n);
  FUZZ_CHECK(again.size() == 1, "a re-encoded frame did not decode to one frame");
  FUZZ_CHECK(same(again[0].h, h), "a re-encoded frame decoded to another header");
  FUZZ_CHECK(again[0].body.size() == len &&
                 (len == 0 || std::memcmp(again[0].body.data(), body, len) == 0),
             "a re-encoded frame decoded to another body");
}

// What a stretch between delimiters should give, from first principles.
void check_stretch(const uint8_t* seg, size_t n, bool accepted, const FrameDecoder& d) {
  static uint8_t raw[kMaxFrameEncoded];
  long len = cobs_decode(seg, n, raw, sizeof raw);
  bool want = false;
  if (len >= static_cast<long>(kFrameHeaderSize + kFrameCrcSize) &&
      len <= static_cast<long>(kMaxFrameRaw)) {
    size_t m = static_cast<size_t>(len) - kFrameCrcSize;
    uint32_t crc = static_cast<uint32_t>(raw[m]) | static_cast<uint32_t>(raw[m + 1]) << 8 |
                   static_cast<uint32_t>(raw[m + 2]) << 16 |
                   static_cast<uint32_t>(raw[m + 3]) << 24;
    want = crc32(raw, m) == crc;
  }
  FUZZ_CHECK(accepted == want, accepted ? "the decoder accepted a stretch that is no valid frame"
                                        : "the decoder dropped a valid frame");
  if (!accepted) return;
  FrameHeader h;
  h.type = raw[0];
  h.flags = raw[1];
  h.seq = static_cast<uint16_t>(raw[2] | raw[3] << 8);
  FUZZ_CHECK(same(d.header(), h), "the decoder reported another header");
  size_t body_len = static_cast<size_t>(len) - kFrameHeaderSize - kFrameCrcSize;
  FUZZ_CHECK(d.body_len() == body_len &&
                 (body_len == 0 || std::memcmp(d.body(), raw + kFrameHeaderSize, body_len) == 0),
             "the decoder reported another body");
}

void fuzz_stream(const uint8_t* p, size_t n) {
  static FrameDecoder d;
  d.clear();
  size_t start = 0;
  uint32_t judged = 0;
  for (size_t i = 0; i < n; ++i) {
    bool accepted = d.push(p[i]);
    if (p[i] != 0) {
      FUZZ_CHECK(!accepted, "a frame was reported before its delimiter");
      continue;
    }
    if (i > start) {
      ++judged;
      check_stretch(p + start, i - start, accepted, d);
      if (accepted) check_reencodes(d.header(), d.body(), d.body_len());
    } else {
      FUZZ_CHECK(!accepted, "back-to-back delimiters gave a frame");
    }
    start = i + 1;
  }
  const FrameStats& s = d.stats();
  FUZZ_CHECK(s.frames + s.crc_errors + s.malformed + s.overlong == judged,
             "the counters do not add up to the stretches seen");
}

void fuzz_roundtrip(Input& in) {
  FrameHeader h;
  h.type = in.u8();
  h.flags = in.u8();
  h.seq = in.u16();
  size_t len = 0;
  const uint8_t* body = in.rest(&len);
  if (len > kMaxFrameBody) len = kMaxFrameBody;
  check_reencodes(h, body, len);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  uint8_t mode = in.u8();
  if (mode % 2 == 0) {
    size_t n = 0;
    const uint8_t* p = in.rest(&n);
    fuzz_stream(p, n);
  } else {
    fuzz_roundtrip(in);
  }
  return 0;
}
