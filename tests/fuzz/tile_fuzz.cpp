// Fuzz target: the tile codec (tile_codec.h) and tile blocks (tile_block.h).
//
// Input: a mode byte, then
//   mode 0: w, h (each modulo 65), then a payload for tile_decode. A payload that decodes must
//     re-encode (tile_encode) within tile_max_encoded and decode again to the same counts.
//   mode 1: w, h (each modulo 65), then w*h little-endian counts: tile_encode must take them, and
//     tile_decode must give them back.
//   mode 4, 5: modes 0 and 1 for codec 2 (tile_decode_range, tile_encode_range), whose encoder is
//     given room for its own worst case: at most 35 decisions a pixel, none over 8.1 bits (the
//     rarest probability is 15/4096), and the flush.
//   mode 2: a tile block for tile_block_parse; mode 3: the same, resealed first (its last 4 bytes
//     replaced by the CRC of the rest) to get past the CRC. A block that parses must carry a
//     payload that decodes for its w and h (else the block is rejected on the host, which is fine)
//     and, rebuilt with tile_block_build, parse to the same header and decode to the same counts.
#include <vector>

#include "fuzz.h"
#include "picocray/i2c_map.h"
#include "picocray/kernel.h"
#include "picocray/tile_block.h"
#include "picocray/tile_codec.h"

using namespace picocray;
using picocray_fuzz::Input;

namespace {

// Buffers are sized exactly (w*h counts, tile_max_encoded bytes), so that AddressSanitizer sees
// any access past them.
using Counts = std::vector<uint16_t>;

void reencode(const Counts& counts, uint32_t w, uint32_t h) {
  const size_t n = size_t{w} * h;
  std::vector<uint8_t> enc(tile_max_encoded(n));
  size_t len = tile_encode(counts.data(), w, h, enc.data(), enc.size());
  FUZZ_CHECK(len != 0 || n == 0, "tile_encode refused counts with a worst-case buffer");
  FUZZ_CHECK(len <= enc.size(), "tile_encode claims more than its buffer");
  enc.resize(len);
  Counts again(n);
  FUZZ_CHECK(tile_decode(enc.data(), len, w, h, again.data()),
             "tile_encode wrote what tile_decode refuses");
  FUZZ_CHECK(again == counts, "a tile decoded to other counts than were encoded");
}

void reencode_range(const Counts& counts, uint32_t w, uint32_t h) {
  const size_t n = size_t{w} * h;
  std::vector<uint8_t> enc(36 * n + 8);
  const size_t len = tile_encode_range(counts.data(), w, h, enc.data(), enc.size());
  FUZZ_CHECK(len != 0, "tile_encode_range refused counts with room for its worst case");
  FUZZ_CHECK(len <= enc.size(), "tile_encode_range claims more than its buffer");
  enc.resize(len);
  Counts again(n);
  FUZZ_CHECK(tile_decode_range(enc.data(), len, w, h, again.data()),
             "tile_encode_range wrote what tile_decode_range refuses");
  FUZZ_CHECK(again == counts, "a codec 2 tile decoded to other counts than were encoded");
}

void decode_range_mode(Input& in) {
  uint32_t w = in.u8() % 65u, h = in.u8() % 65u;
  size_t len = 0;
  const uint8_t* src = in.rest(&len);
  std::vector<uint8_t> payload(src, src + len);
  Counts counts(size_t{w} * h);
  if (!tile_decode_range(payload.data(), len, w, h, counts.data())) return;
  reencode_range(counts, w, h);
  reencode(counts, w, h);
}

void encode_range_mode(Input& in) {
  uint32_t w = in.u8() % 65u, h = in.u8() % 65u;
  Counts counts(size_t{w} * h);
  for (uint16_t& c : counts) c = in.u16();
  reencode_range(counts, w, h);
}

void decode_mode(Input& in) {
  uint32_t w = in.u8() % 65u, h = in.u8() % 65u;
  size_t len = 0;
  const uint8_t* src = in.rest(&len);
  std::vector<uint8_t> payload(src, src + len);
  Counts counts(size_t{w} * h);
  if (!tile_decode(payload.data(), len, w, h, counts.data())) return;
  reencode(counts, w, h);
}

void encode_mode(Input& in) {
  uint32_t w = in.u8() % 65u, h = in.u8() % 65u;
  Counts counts(size_t{w} * h);
  for (uint16_t& c : counts) c = in.u16();
  reencode(counts, w, h);
}

void block_mode(Input& in, bool reseal) {
  size_t len = 0;
  const uint8_t* src = in.rest(&len);
  std::vector<uint8_t> block(src, src + len);
  if (reseal && len >= 4) i2c::seal(block.data(), len - 4);
  TileHeader h;
  const uint8_t* payload = nullptr;
  if (!tile_block_parse(block.data(), len, &h, &payload)) return;
  FUZZ_CHECK(h.rect.w >= 1 && h.rect.h >= 1 && h.rect.w <= kMaxTileSide && h.rect.h <= kMaxTileSide,
             "a block with a bad tile size parsed");
  FUZZ_CHECK(
      payload == block.data() + kTileHeaderSize && kTileHeaderSize + h.payload_len + 4u == len,
      "a parsed block's payload is not where its header says");
  Counts counts(size_t{h.rect.w} * h.rect.h);
  if (!tile_decode_codec(h.codec, payload, h.payload_len, h.rect.w, h.rect.h, counts.data()))
    return;
  std::vector<uint8_t> rebuilt(kTileBlockMax);
  size_t n = tile_block_build(h, counts.data(), rebuilt.data(), rebuilt.size());
  FUZZ_CHECK(n != 0, "tile_block_build refused a tile that decoded");
  TileHeader h2;
  const uint8_t* p2 = nullptr;
  FUZZ_CHECK(tile_block_parse(rebuilt.data(), n, &h2, &p2), "a rebuilt block does not parse");
  FUZZ_CHECK(h2.job_id == h.job_id && h2.tile_index == h.tile_index && h2.rect.x == h.rect.x &&
                 h2.rect.y == h.rect.y && h2.rect.w == h.rect.w && h2.rect.h == h.rect.h &&
                 h2.node == h.node && h2.iterations == h.iterations,
             "a rebuilt block parsed to another header");
  // Codec 2 gives way to codec 1 for a tile it cannot fit in codec 1's worst case.
  FUZZ_CHECK(h2.codec == h.codec || (h.codec == kTileCodecRange && h2.codec == kTileCodecRuns),
             "a rebuilt block changed its codec");
  Counts again(counts.size());
  FUZZ_CHECK(tile_decode_codec(h2.codec, p2, h2.payload_len, h2.rect.w, h2.rect.h, again.data()),
             "a rebuilt block's payload does not decode");
  FUZZ_CHECK(again == counts, "a rebuilt block decoded to other counts");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  switch (in.u8() % 6) {
    case 0: decode_mode(in); break;
    case 1: encode_mode(in); break;
    case 2: block_mode(in, false); break;
    case 3: block_mode(in, true); break;
    case 4: decode_range_mode(in); break;
    default: encode_range_mode(in); break;
  }
  return 0;
}
