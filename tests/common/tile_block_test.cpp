#include "picocray/tile_block.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "picocray/crc32.h"
#include "picocray/tile_codec.h"

using namespace picocray;
using Bytes = std::vector<uint8_t>;
using Counts = std::vector<uint16_t>;

namespace {

TileHeader sample_header(uint8_t w, uint8_t h) {
  TileHeader th;
  th.job_id = 0x1234;
  th.tile_index = 0xA1B2C3D4u;
  th.rect.x = 0x0140;
  th.rect.y = 0x00E0;
  th.rect.w = w;
  th.rect.h = h;
  th.node = 7;
  th.codec = kTileCodecRuns;
  th.iterations = 0x00FEDCBAu;
  return th;
}

Counts gradient(uint32_t w, uint32_t h) {
  Counts c(w * h);
  for (uint32_t i = 0; i < c.size(); ++i) c[i] = static_cast<uint16_t>(20 + i % w + 3 * (i / w));
  return c;
}

Bytes build_block(const TileHeader& th, const Counts& c) {
  Bytes out(kTileBlockMax);
  size_t n = tile_block_build(th, c.data(), out.data(), out.size());
  REQUIRE_MESSAGE(n > 0, "tile_block_build failed");
  out.resize(n);
  return out;
}

}  // namespace

TEST_CASE("tile_block: build and parse round-trip, and the payload decodes") {
  const Counts c = gradient(16, 8);
  const Bytes b = build_block(sample_header(16, 8), c);
  TileHeader got;
  const uint8_t* payload = nullptr;
  REQUIRE(tile_block_parse(b.data(), b.size(), &got, &payload));
  CHECK(got.job_id == 0x1234);
  CHECK(got.tile_index == 0xA1B2C3D4u);
  CHECK(got.rect.x == 0x0140);
  CHECK(got.rect.y == 0x00E0);
  CHECK(got.rect.w == 16);
  CHECK(got.rect.h == 8);
  CHECK(got.node == 7);
  CHECK(got.codec == kTileCodecRuns);
  CHECK(got.iterations == 0x00FEDCBAu);
  CHECK(b.size() == kTileHeaderSize + got.payload_len + 4);
  REQUIRE(payload == b.data() + kTileHeaderSize);
  Counts back(c.size());
  REQUIRE(tile_decode_codec(got.codec, payload, got.payload_len, 16, 8, back.data()));
  CHECK(back == c);
}

TEST_CASE("tile_block: header fields sit at the documented offsets, little-endian") {
  const Bytes b = build_block(sample_header(4, 2), Counts(8, 7));
  // payload A7 06 (see tile_codec_test), so the block is 20 + 2 + 4 bytes.
  REQUIRE(b.size() == 26);
  const Bytes header(b.begin(), b.begin() + 20);
  const Bytes want = {0x34, 0x12,              // 0  job_id
                      0xD4, 0xC3, 0xB2, 0xA1,  // 2  tile_index
                      0x40, 0x01,              // 6  x
                      0xE0, 0x00,              // 8  y
                      4,    2,                 // 10 w, 11 h
                      7,                       // 12 node
                      1,                       // 13 codec
                      0xBA, 0xDC, 0xFE, 0x00,  // 14 iterations
                      0x02, 0x00};             // 18 payload_len
  CHECK(header == want);
  CHECK(b[20] == 0xA7);
  CHECK(b[21] == 0x06);
  const uint32_t crc = crc32(b.data(), 22);
  CHECK(b[22] == static_cast<uint8_t>(crc));
  CHECK(b[23] == static_cast<uint8_t>(crc >> 8));
  CHECK(b[24] == static_cast<uint8_t>(crc >> 16));
  CHECK(b[25] == static_cast<uint8_t>(crc >> 24));
}

TEST_CASE("tile_block: the CRC catches any flipped byte") {
  const Bytes b = build_block(sample_header(16, 8), gradient(16, 8));
  for (size_t i = 0; i < b.size(); ++i) {
    Bytes bad = b;
    bad[i] ^= 0x10;
    TileHeader got;
    const uint8_t* payload = nullptr;
    CHECK_MESSAGE(!tile_block_parse(bad.data(), bad.size(), &got, &payload),
                  "flipped byte " << i << " of " << b.size() << " parsed");
  }
}

TEST_CASE("tile_block: a length that disagrees with payload_len fails") {
  const Bytes b = build_block(sample_header(16, 8), gradient(16, 8));
  TileHeader got;
  const uint8_t* payload = nullptr;
  CHECK_FALSE(tile_block_parse(b.data(), b.size() - 1, &got, &payload));
  Bytes longer = b;
  longer.push_back(0);
  CHECK_FALSE(tile_block_parse(longer.data(), longer.size(), &got, &payload));
  CHECK_FALSE(tile_block_parse(b.data(), kTileHeaderSize + 3, &got, &payload));
  CHECK_FALSE(tile_block_parse(b.data(), 0, &got, &payload));
}

TEST_CASE("tile_block: a bad codec or tile size fails even with a good CRC") {
  // Codec 3 is not defined: patch the byte and re-seal by hand.
  Bytes b = build_block(sample_header(4, 2), Counts(8, 7));
  TileHeader got;
  const uint8_t* payload = nullptr;
  REQUIRE(tile_block_parse(b.data(), b.size(), &got, &payload));
  for (uint8_t codec : {0, 3, 255}) {
    Bytes bad = b;
    bad[13] = codec;
    const uint32_t c = crc32(bad.data(), bad.size() - 4);
    for (int i = 0; i < 4; ++i) bad[bad.size() - 4 + i] = static_cast<uint8_t>(c >> (8 * i));
    CHECK_FALSE(tile_block_parse(bad.data(), bad.size(), &got, &payload));
  }

  // w = 65 cannot be built from a real tile, so patch the byte and re-seal by hand.
  b = build_block(sample_header(4, 2), Counts(8, 7));
  b[10] = 65;
  const uint32_t crc = crc32(b.data(), b.size() - 4);
  for (int i = 0; i < 4; ++i)
    b[b.size() - 4 + static_cast<size_t>(i)] = static_cast<uint8_t>(crc >> (8 * i));
  CHECK_FALSE(tile_block_parse(b.data(), b.size(), &got, &payload));
  b[10] = 0;
  const uint32_t crc0 = crc32(b.data(), b.size() - 4);
  for (int i = 0; i < 4; ++i)
    b[b.size() - 4 + static_cast<size_t>(i)] = static_cast<uint8_t>(crc0 >> (8 * i));
  CHECK_FALSE(tile_block_parse(b.data(), b.size(), &got, &payload));
}

TEST_CASE("tile_block: the largest tile fits kTileBlockMax and a short buffer gives 0") {
  std::mt19937 rng(4096);
  Counts c(64 * 64);
  // Every pixel a 3-byte literal: all at least 8192, neighbours thousands apart.
  for (size_t i = 0; i < c.size(); ++i)
    c[i] = static_cast<uint16_t>(8192 + (i % 2) * 20000 + (i / 64 % 2) * 10000 + rng() % 1000);
  TileHeader th = sample_header(64, 64);
  th.node = kControllerNode;
  const Bytes b = build_block(th, c);
  CHECK(b.size() == kTileBlockMax);
  TileHeader got;
  const uint8_t* payload = nullptr;
  REQUIRE(tile_block_parse(b.data(), b.size(), &got, &payload));
  CHECK(got.node == 0xFF);
  Counts back(c.size());
  REQUIRE(tile_decode_codec(got.codec, payload, got.payload_len, 64, 64, back.data()));
  CHECK(back == c);

  Bytes small(kTileBlockMax - 1);
  CHECK(tile_block_build(th, c.data(), small.data(), small.size()) == 0);
  CHECK(tile_block_build(th, c.data(), small.data(), 10) == 0);
}

TEST_CASE("tile_block: codec 2 blocks round-trip and are shorter on banded tiles") {
  Counts c(32 * 32);
  for (uint32_t y = 0; y < 32; ++y)
    for (uint32_t x = 0; x < 32; ++x)
      c[y * 32 + x] = static_cast<uint16_t>(10 + (x * x + y * y) / 40);
  TileHeader th = sample_header(32, 32);
  th.codec = kTileCodecRange;
  const Bytes b2 = build_block(th, c);
  const Bytes b1 = build_block(sample_header(32, 32), c);
  TileHeader got;
  const uint8_t* payload = nullptr;
  REQUIRE(tile_block_parse(b2.data(), b2.size(), &got, &payload));
  CHECK(got.codec == kTileCodecRange);
  CHECK(b2[13] == 2);
  Counts back(c.size());
  REQUIRE(tile_decode_codec(got.codec, payload, got.payload_len, 32, 32, back.data()));
  CHECK(back == c);
  CHECK(b2.size() < b1.size());
}

TEST_CASE("tile_block: a tile codec 2 cannot fit in codec 1's worst case goes out in codec 1") {
  // One pixel of 65535: codec 2 needs 5 bytes, more than the 3 codec 1's worst case allows.
  const Counts c{65535};
  TileHeader th = sample_header(1, 1);
  th.codec = kTileCodecRange;
  const Bytes b = build_block(th, c);
  CHECK(b.size() == kTileHeaderSize + 3 + 4);
  TileHeader got;
  const uint8_t* payload = nullptr;
  REQUIRE(tile_block_parse(b.data(), b.size(), &got, &payload));
  CHECK(got.codec == kTileCodecRuns);
  Counts back(1);
  REQUIRE(tile_decode_codec(got.codec, payload, got.payload_len, 1, 1, back.data()));
  CHECK(back == c);
}
