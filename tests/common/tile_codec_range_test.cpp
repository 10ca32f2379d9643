#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "picocray/tile_codec.h"
#include "tile_codec_util.h"

using picocray::tile_decode_codec;
using picocray::tile_decode_range;
using picocray::tile_encode;
using picocray::tile_encode_range;
using picocray::tile_max_encoded;
using Bytes = std::vector<uint8_t>;
using Counts = std::vector<uint16_t>;

namespace {

const picocray_test::TileCodec kRange{tile_encode_range, tile_decode_range};

Bytes enc(const Counts& c, uint32_t w, uint32_t h) {
  return picocray_test::encode_tile(kRange, c, w, h);
}
bool dec(const Bytes& in, uint32_t w, uint32_t h, Counts* out) {
  return picocray_test::decode_tile(kRange, in, w, h, out);
}
void check_vector(const Counts& c, uint32_t w, uint32_t h, const Bytes& want) {
  picocray_test::check_tile_vector(kRange, c, w, h, want);
}

size_t codec1_size(const Counts& c, uint32_t w, uint32_t h) {
  Bytes out(tile_max_encoded(c.size()));
  return tile_encode(c.data(), w, h, out.data(), out.size());
}

// Bands of equal counts around a centre, as an escape-time image has them.
Counts bands(uint32_t w, uint32_t h, uint32_t seed) {
  std::mt19937 rng(seed);
  const double cx = rng() % w, cy = rng() % h, scale = 1 + rng() % 9;
  Counts c(w * h);
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x) {
      const double d = (x - cx) * (x - cx) + (y - cy) * (y - cy);
      c[y * w + x] = static_cast<uint16_t>(d < 20 ? 256 : 10 + static_cast<int>(d / scale) % 200);
    }
  return c;
}

}  // namespace

TEST_CASE("tile_codec_range: the written-out byte strings of small tiles") {
  // The docs' 4x3 example (docs/protocol.md, codec 2).
  check_vector({1, 1, 1, 40, 1, 1, 1, 40, 9000, 8, 7, 7}, 4, 3,
               {0x37, 0xE1, 0xE6, 0x49, 0xF6, 0xB4, 0x19, 0xDE, 0x40, 0x89, 0x57, 0x76});
  check_vector(Counts(8, 7), 4, 2, {0x75, 0xFC});
  // The extremes side by side: every count a 16-bit residual from its left neighbour.
  check_vector({0, 65535, 0, 65535}, 2, 2, {0xBB, 0xFF, 0xF7, 0xFF, 0x72});
}

TEST_CASE("tile_codec_range: a flat 64x64 tile is a few bytes") {
  check_vector(Counts(4096, 0), 64, 64, {0xFF, 0xFF, 0xFF, 0xFE, 0xDF});
  Counts inside(4096, 256);
  const Bytes b = enc(inside, 64, 64);
  CHECK(b.size() <= 8);
  Counts back;
  REQUIRE(dec(b, 64, 64, &back));
  CHECK(back == inside);
}

TEST_CASE("tile_codec_range: seeded tiles round-trip, and banded ones beat codec 1") {
  std::mt19937 rng(20261203);
  size_t range_total = 0, runs_total = 0;
  for (int t = 0; t < 400; ++t) {
    const uint32_t w = 1 + rng() % 64, h = 1 + rng() % 64;
    Counts c(w * h);
    const int kind = t % 4;
    if (kind == 3) {
      c = bands(w, h, static_cast<uint32_t>(t));
    } else {
      for (auto& v : c) {
        if (kind == 0) v = static_cast<uint16_t>(rng());                 // every bit random
        if (kind == 1) v = static_cast<uint16_t>(rng() % 4);             // tiny alphabet
        if (kind == 2) v = static_cast<uint16_t>(60000 + rng() % 5536);  // near the top
      }
    }
    Bytes out(tile_max_encoded(c.size()));
    const size_t n = tile_encode_range(c.data(), w, h, out.data(), out.size());
    if (kind % 2 == 1) REQUIRE_MESSAGE(n > 0, "tile " << t << " did not fit its bound");
    if (n == 0) continue;  // large counts in a tiny tile may not fit: the block takes codec 1
    out.resize(n);
    Counts back;
    REQUIRE_MESSAGE(dec(out, w, h, &back), "tile " << t << " (" << w << "x" << h << ")");
    REQUIRE_MESSAGE(back == c, "tile " << t << " decoded to other counts");
    if (kind == 3) {
      range_total += n;
      runs_total += codec1_size(c, w, h);
    }
  }
  CHECK(range_total * 10 < runs_total * 9);
}

TEST_CASE("tile_codec_range: a buffer short by one byte gives 0, the exact length works") {
  const Counts c = bands(32, 32, 7);
  const Bytes b = enc(c, 32, 32);
  Bytes out(b.size());
  CHECK(tile_encode_range(c.data(), 32, 32, out.data(), b.size() - 1) == 0);
  CHECK(tile_encode_range(c.data(), 32, 32, out.data(), b.size()) == b.size());
  CHECK(out == b);
}

TEST_CASE("tile_codec_range: decode rejects what no encoder writes") {
  const Counts c = bands(16, 16, 3);
  const Bytes good = enc(c, 16, 16);
  Counts back;
  REQUIRE(dec(good, 16, 16, &back));
  // Bytes past the end of the stream.
  Bytes longer = good;
  longer.push_back(0x5A);
  longer.push_back(0x00);
  longer.push_back(0x00);
  longer.push_back(0x00);
  longer.push_back(0x00);
  CHECK_FALSE(dec(longer, 16, 16, &back));
  // An empty payload.
  CHECK_FALSE(dec(Bytes{}, 16, 16, &back));
  // One pixel, told from 0: 0x80.. says "equal to its left neighbour" (0), 0x50 a residual of +2,
  // 0x40 one of -1, which takes the count below 0.
  REQUIRE(dec({0x80}, 1, 1, &back));
  CHECK(back == Counts{0});
  REQUIRE(dec({0x50}, 1, 1, &back));
  CHECK(back == Counts{2});
  CHECK_FALSE(dec({0x40}, 1, 1, &back));
  // Random garbage decodes or is refused, but never writes past the tile or hangs.
  std::mt19937 rng(99);
  for (int t = 0; t < 2000; ++t) {
    Bytes junk(1 + rng() % 40);
    for (auto& v : junk) v = static_cast<uint8_t>(rng());
    Counts out(64 + 8, 0xBEEF);
    const bool ok = tile_decode_range(junk.data(), junk.size(), 8, 8, out.data());
    (void)ok;
    for (size_t i = 64; i < out.size(); ++i) REQUIRE(out[i] == 0xBEEF);
  }
}

TEST_CASE("tile_codec_range: tile_decode_codec picks the codec, and refuses others") {
  const Counts c = bands(8, 8, 1);
  const Bytes b2 = enc(c, 8, 8);
  Counts back(64);
  CHECK(tile_decode_codec(picocray::kTileCodecRange, b2.data(), b2.size(), 8, 8, back.data()));
  CHECK(back == c);
  Bytes b1(tile_max_encoded(64));
  b1.resize(tile_encode(c.data(), 8, 8, b1.data(), b1.size()));
  CHECK(tile_decode_codec(picocray::kTileCodecRuns, b1.data(), b1.size(), 8, 8, back.data()));
  CHECK(back == c);
  CHECK_FALSE(tile_decode_codec(0, b1.data(), b1.size(), 8, 8, back.data()));
  CHECK_FALSE(tile_decode_codec(3, b2.data(), b2.size(), 8, 8, back.data()));
}
