#include "picocray/frame.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "picocray/cobs.h"
#include "picocray/crc32.h"

using namespace picocray;
using Bytes = std::vector<uint8_t>;

namespace {

Bytes encode_frame(const FrameHeader& h, const Bytes& body) {
  Bytes out(kMaxFrameEncoded);
  size_t n = frame_encode(h, body.data(), body.size(), out.data(), out.size());
  REQUIRE_MESSAGE(n != 0, "frame_encode failed for a body of " << body.size() << " bytes");
  out.resize(n);
  return out;
}

// One decoded frame: its header and body.
struct Got {
  FrameHeader h;
  Bytes body;
};

// Feeds bytes one at a time and collects every frame the decoder reports.
std::vector<Got> feed(FrameDecoder& d, const Bytes& stream) {
  std::vector<Got> got;
  for (uint8_t b : stream) {
    if (d.push(b)) got.push_back({d.header(), Bytes(d.body(), d.body() + d.body_len())});
  }
  return got;
}

Bytes pattern(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

Bytes operator+(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// A frame's stream bytes built by hand around an arbitrary raw content (header, body and CRC
// already laid out by the caller).
Bytes stuff_raw(const Bytes& raw) {
  Bytes enc(cobs_max_encoded(raw.size()) + 1);
  size_t n = cobs_encode(raw.data(), raw.size(), enc.data(), enc.size());
  REQUIRE(n != 0);
  enc.resize(n);
  return Bytes{0x00} + enc + Bytes{0x00};
}

}  // namespace

TEST_CASE("frame: a small frame has exactly the documented bytes") {
  // type 0x07, flags 0x00, seq 0x0102, body AB 00.
  // Raw: 07 00 02 01 AB 00, then CRC-32 of those six bytes (0x4AFF5685) little-endian.
  const Bytes raw = {0x07, 0x00, 0x02, 0x01, 0xAB, 0x00};
  REQUIRE(crc32(raw.data(), raw.size()) == 0x4AFF5685u);
  // COBS of 07 00 02 01 AB 00 85 56 FF 4A: blocks [07] [02 01 AB] [85 56 FF 4A].
  const Bytes want = {0x00, 0x02, 0x07, 0x04, 0x02, 0x01, 0xAB, 0x05, 0x85, 0x56, 0xFF, 0x4A, 0x00};
  FrameHeader h;
  h.type = 0x07;
  h.flags = 0x00;
  h.seq = 0x0102;
  CHECK(encode_frame(h, {0xAB, 0x00}) == want);

  FrameDecoder d;
  auto got = feed(d, want);
  REQUIRE(got.size() == 1);
  CHECK(got[0].h.type == 0x07);
  CHECK(got[0].h.flags == 0x00);
  CHECK(got[0].h.seq == 0x0102);
  CHECK(got[0].body == Bytes{0xAB, 0x00});
}

TEST_CASE("frame: encode then decode byte by byte gives back header and body") {
  FrameHeader h;
  h.type = 0x90;
  h.flags = 0x5A;
  h.seq = 0xBEEF;
  const Bytes body = pattern(300, 1);
  const Bytes stream = encode_frame(h, body);
  CHECK(stream.front() == 0x00);
  CHECK(stream.back() == 0x00);
  for (size_t i = 1; i + 1 < stream.size(); ++i) REQUIRE_MESSAGE(stream[i] != 0, "zero at " << i);

  FrameDecoder d;
  size_t ready_at = 0;
  for (size_t i = 0; i < stream.size(); ++i) {
    if (d.push(stream[i])) {
      CHECK_MESSAGE(ready_at == 0, "frame reported twice");
      ready_at = i;
    }
  }
  CHECK_MESSAGE(ready_at == stream.size() - 1, "the frame is ready on its closing delimiter");
  CHECK(d.header().type == 0x90);
  CHECK(d.header().flags == 0x5A);
  CHECK(d.header().seq == 0xBEEF);
  CHECK(Bytes(d.body(), d.body() + d.body_len()) == body);
  CHECK(d.stats().frames == 1);
  CHECK(d.stats().crc_errors == 0);
  CHECK(d.stats().malformed == 0);
  CHECK(d.stats().overlong == 0);
}

TEST_CASE("frame: bodies of boundary lengths round-trip") {
  for (size_t len : {size_t{0}, size_t{1}, size_t{246}, size_t{247}, size_t{253}, size_t{254},
                     size_t{255}, size_t{1000}, kMaxFrameBody - 1, kMaxFrameBody}) {
    CAPTURE(len);
    for (int zero_free = 0; zero_free < 2; ++zero_free) {
      CAPTURE(zero_free);
      Bytes body = pattern(len, static_cast<uint32_t>(len));
      if (zero_free)
        for (auto& b : body) b = b ? b : 0x5A;
      FrameHeader h;
      h.type = 0x91;
      h.flags = 1;
      h.seq = static_cast<uint16_t>(len);
      FrameDecoder d;
      auto got = feed(d, encode_frame(h, body));
      REQUIRE(got.size() == 1);
      CHECK(got[0].h.type == 0x91);
      CHECK(got[0].h.seq == static_cast<uint16_t>(len));
      CHECK(got[0].body == body);
      CHECK(d.stats().frames == 1);
    }
  }
}

TEST_CASE("frame: frame_encode refuses a body of kMaxFrameBody+1 and a short buffer") {
  Bytes body(kMaxFrameBody + 1, 0x11);
  Bytes out(kMaxFrameEncoded + 64);
  FrameHeader h;
  CHECK(frame_encode(h, body.data(), body.size(), out.data(), out.size()) == 0);

  const Bytes small = {1, 2, 3};
  const size_t need = encode_frame(h, small).size();
  CHECK(frame_encode(h, small.data(), small.size(), out.data(), need - 1) == 0);
  CHECK(frame_encode(h, small.data(), small.size(), out.data(), 1) == 0);
  CHECK(frame_encode(h, small.data(), small.size(), out.data(), 0) == 0);
}

TEST_CASE("frame: garbage before and between frames is counted and skipped") {
  FrameHeader h1;
  h1.type = 1;
  h1.seq = 10;
  FrameHeader h2;
  h2.type = 2;
  h2.seq = 11;
  const Bytes f1 = encode_frame(h1, {0x01, 0x02, 0x03});
  const Bytes f2 = encode_frame(h2, {0x00, 0x00});

  // Noise with no zero in it runs into f1's opening delimiter: a block cut short (malformed).
  const Bytes noise1 = {0x12, 0x34, 0x56, 0x78};
  // Valid COBS but shorter than header and CRC: malformed.
  const Bytes noise2 = {0x00, 0x03, 0x41, 0x42, 0x00};
  // Valid COBS, long enough, wrong CRC: a CRC error.
  const Bytes noise3 = {0x00, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 0x00};

  FrameDecoder d;
  auto got = feed(d, noise1 + f1 + noise2 + noise3 + f2);
  REQUIRE(got.size() == 2);
  CHECK(got[0].h.type == 1);
  CHECK(got[0].h.seq == 10);
  CHECK(got[0].body == Bytes{0x01, 0x02, 0x03});
  CHECK(got[1].h.type == 2);
  CHECK(got[1].h.seq == 11);
  CHECK(got[1].body == Bytes{0x00, 0x00});
  CHECK(d.stats().frames == 2);
  CHECK(d.stats().malformed == 2);
  CHECK(d.stats().crc_errors == 1);
  CHECK(d.stats().overlong == 0);

  d.reset_stats();
  CHECK(d.stats().frames == 0);
  CHECK(d.stats().malformed == 0);
}

TEST_CASE("frame: a frame cut short by a delimiter is malformed and the next one decodes") {
  FrameHeader h;
  h.type = 3;
  const Bytes f = encode_frame(h, pattern(40, 3));
  Bytes cut(f.begin(), f.begin() + 20);  // opening delimiter and part of the frame
  FrameDecoder d;
  auto got = feed(d, cut + f);
  REQUIRE(got.size() == 1);
  CHECK(got[0].body == pattern(40, 3));
  CHECK(d.stats().malformed + d.stats().crc_errors == 1);
}

TEST_CASE("frame: a flipped bit is a CRC error, and the next frame still decodes") {
  FrameHeader h;
  h.type = 4;
  h.seq = 7;
  const Bytes body = pattern(64, 4);
  const Bytes good = encode_frame(h, body);
  // Flip one bit in a byte that is not a COBS code and stays non-zero.
  Bytes bad = good;
  const size_t at = 10;
  REQUIRE(bad[at] != 0x01);
  bad[at] ^= 0x01;
  REQUIRE(bad[at] != 0);

  FrameDecoder d;
  auto got = feed(d, bad + good);
  REQUIRE(got.size() == 1);
  CHECK(got[0].h.seq == 7);
  CHECK(got[0].body == body);
  CHECK(d.stats().crc_errors == 1);
  CHECK(d.stats().frames == 1);
  CHECK(d.stats().malformed == 0);
}

TEST_CASE("frame: every single-bit flip in the payload region is caught") {
  FrameHeader h;
  h.type = 5;
  const Bytes body = pattern(20, 5);
  const Bytes good = encode_frame(h, body);
  for (size_t i = 1; i + 1 < good.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes bad = good;
      bad[i] = static_cast<uint8_t>(bad[i] ^ (1u << bit));
      FrameDecoder d;
      auto got = feed(d, bad);
      const bool accepted = !got.empty();
      CHECK_MESSAGE(!accepted, "flip of bit " << bit << " in byte " << i << " went unnoticed");
    }
  }
}

TEST_CASE("frame: an over-long frame is counted as overlong and the next frame decodes") {
  // Raw content one byte past kMaxFrameRaw, stuffed by hand (frame_encode would refuse it).
  Bytes raw = pattern(kMaxFrameRaw + 1, 6);
  const Bytes overlong = stuff_raw(raw);
  FrameHeader h;
  h.type = 6;
  h.seq = 99;
  const Bytes next = encode_frame(h, {0xCA, 0xFE});

  FrameDecoder d;
  auto got = feed(d, overlong + next);
  REQUIRE(got.size() == 1);
  CHECK(got[0].h.seq == 99);
  CHECK(got[0].body == Bytes{0xCA, 0xFE});
  CHECK(d.stats().overlong == 1);
  CHECK(d.stats().malformed == 0);
  CHECK(d.stats().crc_errors == 0);

  SUBCASE("a raw frame of exactly kMaxFrameRaw bytes is not overlong") {
    Bytes exact = pattern(kMaxFrameBody, 7);
    const Bytes f = encode_frame(h, exact);
    FrameDecoder d2;
    auto got2 = feed(d2, f);
    CHECK(got2.size() == 1);
    CHECK(d2.stats().overlong == 0);
  }

  SUBCASE("a long run of noise without any zero is overlong") {
    FrameDecoder d3;
    Bytes noise(kMaxFrameRaw * 2, 0x77);
    auto got3 = feed(d3, Bytes{0x00} + noise + next);
    REQUIRE(got3.size() == 1);
    CHECK(got3[0].h.seq == 99);
    CHECK(d3.stats().overlong == 1);
  }
}

TEST_CASE("frame: back-to-back delimiters are ignored") {
  FrameHeader h;
  h.type = 8;
  h.seq = 1;
  const Bytes f = encode_frame(h, {0x10});
  FrameDecoder d;
  auto got = feed(d, Bytes{0, 0, 0, 0} + f + Bytes{0, 0, 0} + f + f);
  CHECK(got.size() == 3);
  CHECK(d.stats().frames == 3);
  CHECK(d.stats().malformed == 0);
  CHECK(d.stats().crc_errors == 0);
  CHECK(d.stats().overlong == 0);
}
