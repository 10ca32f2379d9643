// Helpers shared by the tile codec tests: encode into a worst-case buffer, decode into counts
// pre-filled with a marker, and compare with a byte string written out in the test.
#pragma once
#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "picocray/tile_codec.h"

namespace picocray_test {

using TileBytes = std::vector<uint8_t>;
using TileCounts = std::vector<uint16_t>;

// One codec's entry points (tile_codec.h).
struct TileCodec {
  size_t (*encode)(const uint16_t*, uint32_t, uint32_t, uint8_t*, size_t);
  bool (*decode)(const uint8_t*, size_t, uint32_t, uint32_t, uint16_t*);
};

inline TileBytes encode_tile(const TileCodec& codec, const TileCounts& c, uint32_t w, uint32_t h) {
  REQUIRE(c.size() == w * h);
  TileBytes out(picocray::tile_max_encoded(c.size()));
  const size_t n = codec.encode(c.data(), w, h, out.data(), out.size());
  REQUIRE_MESSAGE(n > 0, "the encoder failed for " << w << "x" << h);
  out.resize(n);
  return out;
}

inline bool decode_tile(const TileCodec& codec, const TileBytes& in, uint32_t w, uint32_t h,
                        TileCounts* out) {
  out->assign(w * h, 0xDEAD);
  return codec.decode(in.data(), in.size(), w, h, out->data());
}

inline void check_tile_vector(const TileCodec& codec, const TileCounts& c, uint32_t w, uint32_t h,
                              const TileBytes& want) {
  CHECK(encode_tile(codec, c, w, h) == want);
  TileCounts back;
  REQUIRE(decode_tile(codec, want, w, h, &back));
  CHECK(back == c);
}

}  // namespace picocray_test
