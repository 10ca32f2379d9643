#include "picocray/cobs.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <vector>

using picocray::cobs_decode;
using picocray::cobs_encode;
using picocray::cobs_max_encoded;
using picocray::CobsWriter;
using Bytes = std::vector<uint8_t>;

namespace {

// The bytes first, first+1, ..., last (inclusive).
Bytes range(unsigned first, unsigned last) {
  Bytes b;
  for (unsigned v = first; v <= last; ++v) b.push_back(static_cast<uint8_t>(v));
  return b;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes r;
  for (const Bytes& p : parts) r.insert(r.end(), p.begin(), p.end());
  return r;
}

Bytes encode(const Bytes& in) {
  Bytes out(cobs_max_encoded(in.size()));
  size_t n = cobs_encode(in.data(), in.size(), out.data(), out.size());
  REQUIRE_MESSAGE(n != 0, "cobs_encode failed for " << in.size() << " bytes");
  out.resize(n);
  return out;
}

Bytes decode(const Bytes& in, size_t cap) {
  Bytes out(cap);
  long n = cobs_decode(in.data(), in.size(), out.data(), out.size());
  if (n < 0) return Bytes{0xDE, 0xAD};  // a marker no vector decodes to
  out.resize(static_cast<size_t>(n));
  return out;
}

struct Vector {
  const char* name;
  Bytes raw;
  Bytes encoded;
};

// The examples from the Wikipedia article on COBS.
std::vector<Vector> wikipedia_vectors() {
  return {
      {"00", {0x00}, {0x01, 0x01}},
      {"00 00", {0x00, 0x00}, {0x01, 0x01, 0x01}},
      {"00 11 00", {0x00, 0x11, 0x00}, {0x01, 0x02, 0x11, 0x01}},
      {"11 22 00 33", {0x11, 0x22, 0x00, 0x33}, {0x03, 0x11, 0x22, 0x02, 0x33}},
      {"11 22 33 44", {0x11, 0x22, 0x33, 0x44}, {0x05, 0x11, 0x22, 0x33, 0x44}},
      {"11 00 00 00", {0x11, 0x00, 0x00, 0x00}, {0x02, 0x11, 0x01, 0x01, 0x01}},
      {"01..FE", range(0x01, 0xFE), cat({{0xFF}, range(0x01, 0xFE)})},
      {"00..FE", range(0x00, 0xFE), cat({{0x01, 0xFF}, range(0x01, 0xFE)})},
      {"01..FF", range(0x01, 0xFF), cat({{0xFF}, range(0x01, 0xFE), {0x02, 0xFF}})},
      {"02..FF 00", cat({range(0x02, 0xFF), {0x00}}),
       cat({{0xFF}, range(0x02, 0xFF), {0x01, 0x01}})},
      {"03..FF 00 01", cat({range(0x03, 0xFF), {0x00, 0x01}}),
       cat({{0xFE}, range(0x03, 0xFF), {0x02, 0x01}})},
  };
}

}  // namespace

TEST_CASE("cobs: the vectors themselves have the documented lengths") {
  auto v = wikipedia_vectors();
  CHECK(v[6].raw.size() == 254);
  CHECK(v[7].raw.size() == 255);
  CHECK(v[8].raw.size() == 255);
  CHECK(v[9].raw.size() == 255);
  CHECK(v[10].raw.size() == 255);
}

TEST_CASE("cobs: encode matches the Wikipedia vectors") {
  for (const Vector& v : wikipedia_vectors()) {
    INFO("vector " << v.name);
    CHECK(encode(v.raw) == v.encoded);
  }
}

TEST_CASE("cobs: decode inverts the Wikipedia vectors") {
  for (const Vector& v : wikipedia_vectors()) {
    INFO("vector " << v.name);
    CHECK(decode(v.encoded, v.raw.size()) == v.raw);
  }
}

TEST_CASE("cobs: CobsWriter pushed byte by byte gives the same bytes as cobs_encode") {
  for (const Vector& v : wikipedia_vectors()) {
    INFO("vector " << v.name);
    Bytes out(cobs_max_encoded(v.raw.size()));
    CobsWriter w(out.data(), out.size());
    for (uint8_t b : v.raw) w.push(b);
    size_t n = w.finish();
    out.resize(n);
    CHECK(out == v.encoded);
  }
}

TEST_CASE("cobs: empty input encodes as a single 01 and decodes back to nothing") {
  uint8_t out[4] = {0xAA, 0xAA, 0xAA, 0xAA};
  REQUIRE(cobs_encode(nullptr, 0, out, sizeof out) == 1);
  CHECK(out[0] == 0x01);
  uint8_t back[4];
  CHECK(cobs_decode(out, 1, back, sizeof back) == 0);
}

TEST_CASE("cobs: decode rejects invalid input") {
  uint8_t out[16];
  SUBCASE("a zero byte inside a block") {
    const uint8_t in[] = {0x03, 0x11, 0x00};
    CHECK(cobs_decode(in, sizeof in, out, sizeof out) == -1);
  }
  SUBCASE("a zero byte as a code") {
    const uint8_t in[] = {0x02, 0x11, 0x00, 0x01};
    CHECK(cobs_decode(in, sizeof in, out, sizeof out) == -1);
  }
  SUBCASE("a code that runs past the end") {
    const uint8_t in[] = {0x05, 0x11, 0x22};
    CHECK(cobs_decode(in, sizeof in, out, sizeof out) == -1);
  }
  SUBCASE("a final 0xFF code with no data after it") {
    const uint8_t in[] = {0x02, 0x11, 0xFF};
    CHECK(cobs_decode(in, sizeof in, out, sizeof out) == -1);
  }
}

TEST_CASE("cobs: a too-small output buffer gives 0 on encode and -1 on decode") {
  const Bytes raw = {0x11, 0x22, 0x00, 0x33};
  const Bytes enc = {0x03, 0x11, 0x22, 0x02, 0x33};
  uint8_t out[8];
  CHECK(cobs_encode(raw.data(), raw.size(), out, enc.size() - 1) == 0);
  CHECK(cobs_encode(raw.data(), raw.size(), out, 0) == 0);
  CHECK(cobs_encode(raw.data(), raw.size(), out, enc.size()) == enc.size());
  CHECK(cobs_decode(enc.data(), enc.size(), out, raw.size() - 1) == -1);
  CHECK(cobs_decode(enc.data(), enc.size(), out, raw.size()) == static_cast<long>(raw.size()));

  // 254 bytes 01..FE need 255 bytes encoded: one short fails.
  const Bytes full = range(0x01, 0xFE);
  Bytes big(300);
  CHECK(cobs_encode(full.data(), full.size(), big.data(), 254) == 0);
}

// The contract is "0 when out is too small"; a buffer of exactly the encoded length is not.
TEST_CASE("cobs: encode fits a buffer of exactly the encoded length") {
  for (const Vector& v : wikipedia_vectors()) {
    INFO("vector " << v.name);
    Bytes out(v.encoded.size());
    size_t n = cobs_encode(v.raw.data(), v.raw.size(), out.data(), out.size());
    CHECK_MESSAGE(n == v.encoded.size(), "cobs_encode into a buffer of exactly "
                                             << v.encoded.size() << " bytes gave " << n);
  }
}

TEST_CASE("cobs: seeded random round trips of lengths 0..2000") {
  std::mt19937 rng(0xC0B5);
  for (size_t len = 0; len <= 2000; ++len) {
    Bytes raw(len);
    // Alternate dense-zero, sparse-zero and zero-free data so long blocks are exercised.
    const unsigned mode = static_cast<unsigned>(len % 3);
    for (auto& b : raw) {
      unsigned r = rng();
      if (mode == 0)
        b = static_cast<uint8_t>(r);
      else if (mode == 1)
        b = (r % 300 == 0) ? 0 : static_cast<uint8_t>(1 + r % 255);
      else
        b = static_cast<uint8_t>(1 + r % 255);
    }
    Bytes enc(cobs_max_encoded(len));
    size_t n = cobs_encode(raw.data(), len, enc.data(), enc.size());
    REQUIRE_MESSAGE(n > 0, "encode failed at length " << len);
    REQUIRE_MESSAGE(n <= cobs_max_encoded(len), "length " << len);
    bool zero_free = true;
    for (size_t i = 0; i < n; ++i) zero_free = zero_free && enc[i] != 0;
    REQUIRE_MESSAGE(zero_free, "encoded output holds a zero at length " << len);
    Bytes back(len);
    long m = cobs_decode(enc.data(), n, back.data(), back.size());
    REQUIRE_MESSAGE(m == static_cast<long>(len), "decode length at length " << len);
    REQUIRE_MESSAGE(back == raw, "round trip differs at length " << len);
  }
}
