#include "picocray/tile_codec.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "tile_codec_util.h"

using picocray::tile_decode;
using picocray::tile_encode;
using picocray::tile_max_encoded;
using Bytes = std::vector<uint8_t>;
using Counts = std::vector<uint16_t>;

namespace {

const picocray_test::TileCodec kRuns{tile_encode, tile_decode};

Bytes enc(const Counts& c, uint32_t w, uint32_t h) {
  return picocray_test::encode_tile(kRuns, c, w, h);
}
bool dec(const Bytes& in, uint32_t w, uint32_t h, Counts* out) {
  return picocray_test::decode_tile(kRuns, in, w, h, out);
}
void check_vector(const Counts& c, uint32_t w, uint32_t h, const Bytes& want) {
  picocray_test::check_tile_vector(kRuns, c, w, h, want);
}

}  // namespace

TEST_CASE("tile_codec: a 4x2 tile of all 7 is one delta and one run") {
  // 7 - 0 = +7: delta token 0x80 | (7 + 32) = 0xA7; then 7 more equal pixels: run 0x06.
  check_vector(Counts(8, 7), 4, 2, {0xA7, 0x06});
}

TEST_CASE("tile_codec: a repeated row becomes one up-run") {
  // 1 2 3 4 / 1 2 3 4: four +1 deltas (0xA1), then 4 pixels equal to the ones above (0x40 | 3).
  check_vector({1, 2, 3, 4, 1, 2, 3, 4}, 4, 2, {0xA1, 0xA1, 0xA1, 0xA1, 0x43});
  // When a left run and an up run are equally long, the left run wins.
  check_vector({5, 5, 5, 5}, 2, 2, {0xA5, 0x02});
}

TEST_CASE("tile_codec: runs are at most 64 pixels") {
  // 70 zeros: the previous value starts at 0, so a 64-run (0x3F) and a 6-run (0x05).
  check_vector(Counts(70, 0), 70, 1, {0x3F, 0x05});
  check_vector(Counts(64, 0), 64, 1, {0x3F});
  check_vector(Counts(65, 0), 65, 1, {0x3F, 0x00});
  // Up-runs too: 2 rows of 65 with the second a copy of the first (1,2,1,2,...).
  Counts c(130);
  for (size_t i = 0; i < 65; ++i) c[i] = c[i + 65] = static_cast<uint16_t>(1 + i % 2);
  Bytes want;
  for (size_t i = 0; i < 65; ++i) want.push_back(i % 2 ? 0xA1 : (i == 0 ? 0xA1 : 0x9F));
  want.push_back(0x7F);  // 64 from above
  want.push_back(0x40);  // and 1 more
  check_vector(c, 65, 2, want);
}

TEST_CASE("tile_codec: deltas at the -32 and +31 boundaries") {
  // 31 (+31: 0xBF), 62 (+31: 0xBF), 30 (-32: 0x80), 31 (+1: 0xA1), 0 (-31: 0x81)
  check_vector({31, 62, 30, 31, 0}, 5, 1, {0xBF, 0xBF, 0x80, 0xA1, 0x81});
  // +32 and -33 do not fit a delta: 13-bit literals.
  check_vector({32}, 1, 1, {0xC0, 0x20});
  check_vector({100, 67}, 2, 1, {0xC0, 0x64, 0xC0, 0x43});
}

TEST_CASE("tile_codec: 13-bit and 16-bit literals") {
  // 100: 0xC0 0x64; 8191: 0xDF 0xFF; 100 again; 8192: 0xE0 0x00 0x20; 65535: 0xE0 0xFF 0xFF.
  check_vector({100, 8191, 100, 8192, 65535}, 5, 1,
               {0xC0, 0x64, 0xDF, 0xFF, 0xC0, 0x64, 0xE0, 0x00, 0x20, 0xE0, 0xFF, 0xFF});
  // 0x1234 fits in 13 bits: 0xD2 0x34.
  check_vector({0x1234}, 1, 1, {0xD2, 0x34});
  // Decoders take a 16-bit literal even for a small value.
  Counts back;
  REQUIRE(dec({0xE0, 0x05, 0x00}, 1, 1, &back));
  CHECK(back == Counts{5});
}

TEST_CASE("tile_codec: decode rejects malformed input") {
  Counts out;
  SUBCASE("reserved tokens 0xE1..0xFF") {
    for (unsigned t = 0xE1; t <= 0xFF; ++t) {
      CAPTURE(t);
      CHECK_FALSE(dec({static_cast<uint8_t>(t), 0, 0}, 1, 1, &out));
    }
  }
  SUBCASE("a run past the end") {
    CHECK_FALSE(dec({0x01}, 1, 1, &out));
    CHECK_FALSE(dec({0xA1, 0x03}, 2, 2, &out));  // 1 + 4 > 4
    CHECK(dec({0xA1, 0x02}, 2, 2, &out));
  }
  SUBCASE("an up-run in row 0") {
    CHECK_FALSE(dec({0x40, 0x40}, 2, 2, &out));
    CHECK_FALSE(dec({0xA1, 0x41}, 2, 2, &out));  // starts in row 0 at pixel 1
    CHECK(dec({0xA1, 0xA1, 0x41}, 2, 2, &out));
  }
  SUBCASE("truncated literals") {
    CHECK_FALSE(dec({0xC0}, 1, 1, &out));
    CHECK_FALSE(dec({0xE0}, 1, 1, &out));
    CHECK_FALSE(dec({0xE0, 0x01}, 1, 1, &out));
  }
  SUBCASE("bytes left over after the last pixel") {
    CHECK_FALSE(dec({0xA1, 0x80}, 1, 1, &out));
    CHECK_FALSE(dec({0xA1, 0x00}, 1, 1, &out));
    CHECK_FALSE(dec({0xA1, 0xC0, 0x01}, 1, 1, &out));
  }
  SUBCASE("too few pixels") {
    CHECK_FALSE(dec({0xA1}, 2, 2, &out));
    CHECK_FALSE(dec({}, 1, 1, &out));
  }
  SUBCASE("a delta out of range") {
    CHECK_FALSE(dec({0x80}, 1, 1, &out));                    // 0 - 32
    CHECK_FALSE(dec({0xE0, 0xFF, 0xFF, 0xA1}, 2, 1, &out));  // 65535 + 1
    CHECK(dec({0xE0, 0xFF, 0xFF, 0x9F}, 2, 1, &out));        // 65535 - 1
    CHECK(out == Counts{65535, 65534});
  }
}

TEST_CASE("tile_codec: seeded random tiles round-trip") {
  std::mt19937 rng(0x711E);
  const std::pair<uint32_t, uint32_t> sizes[] = {{1, 1},  {7, 3},  {64, 64},
                                                 {64, 1}, {1, 64}, {33, 17}};
  for (const auto& size : sizes) {
    const uint32_t w = size.first, h = size.second;
    for (int kind = 0; kind < 4; ++kind) {
      for (int rep = 0; rep < 5; ++rep) {
        CAPTURE(w);
        CAPTURE(h);
        CAPTURE(kind);
        CAPTURE(rep);
        Counts c(w * h);
        const uint16_t base = static_cast<uint16_t>(rng() % 60000);
        for (uint32_t y = 0; y < h; ++y)
          for (uint32_t x = 0; x < w; ++x) {
            uint16_t& v = c[y * w + x];
            switch (kind) {
              case 0:  // noise over the whole range
                v = static_cast<uint16_t>(rng());
                break;
              case 1:  // a smooth gradient, like escape counts outside the set
                v = static_cast<uint16_t>(base / 8 + x * 3 + y * 2 + rng() % 3);
                break;
              case 2:  // mostly one value, like the set's interior
                v = (rng() % 20 == 0) ? static_cast<uint16_t>(rng() % 300) : 1000;
                break;
              default:  // bands of repeated rows
                v = static_cast<uint16_t>((y / 3) * 37 + x % 5);
                break;
            }
          }
        Bytes e = enc(c, w, h);
        CHECK(e.size() <= tile_max_encoded(c.size()));
        Counts back;
        REQUIRE(dec(e, w, h, &back));
        REQUIRE(back == c);
      }
    }
  }
}

TEST_CASE("tile_codec: a constant 64x64 tile encodes in at most 70 bytes") {
  const Bytes e = enc(Counts(64 * 64, 7), 64, 64);
  CHECK(e.size() <= 70);
  // One delta, then 4095 equal pixels in 64-runs: 63 of 0x3F and one 0x3E.
  Bytes want = {0xA7};
  want.insert(want.end(), 63, 0x3F);
  want.push_back(0x3E);
  CHECK(e == want);
  CHECK(enc(Counts(64 * 64, 0), 64, 64).size() == 64);
  CHECK(enc(Counts(64 * 64, 50000), 64, 64).size() == 3 + 64);
}

TEST_CASE("tile_codec: encode into a short buffer gives 0") {
  const Counts c = {100, 8191, 100, 8192, 65535};  // 12 bytes
  Bytes out(11);
  CHECK(tile_encode(c.data(), 5, 1, out.data(), out.size()) == 0);
  CHECK(tile_encode(c.data(), 5, 1, out.data(), 0) == 0);
}

// The contract is "0 when out is too small"; a buffer of exactly the encoded length is not.
TEST_CASE("tile_codec: encode fits a buffer of exactly the encoded length") {
  const Counts c(8, 7);  // encodes as A7 06
  Bytes out(2);
  const size_t n = tile_encode(c.data(), 4, 2, out.data(), out.size());
  CHECK_MESSAGE(n == 2, "tile_encode into a 2-byte buffer for a 2-byte encoding gave " << n);
  const Counts lit = {100, 8191, 100, 8192, 65535};  // 12 bytes, ending in a 3-byte literal
  Bytes out12(12);
  CHECK(tile_encode(lit.data(), 5, 1, out12.data(), out12.size()) == 12);
}
