#include "picocray/tile_block.h"

#include "picocray/crc32.h"
#include "picocray/protocol.h"
#include "picocray/wire.h"

namespace picocray {

size_t tile_block_build(TileHeader h, const uint16_t* counts, uint8_t* out, size_t cap) {
  if (cap < kTileHeaderSize + 4) return 0;
  const size_t room = cap - kTileHeaderSize - 4;
  const uint32_t pixels = static_cast<uint32_t>(h.rect.w) * h.rect.h;
  size_t n = 0;
  if (h.codec == kTileCodecRange) {
    const size_t bound = tile_max_encoded(pixels);
    n = tile_encode_range(counts, h.rect.w, h.rect.h, out + kTileHeaderSize,
                          room < bound ? room : bound);
    if (n == 0) h.codec = kTileCodecRuns;
  } else {
    h.codec = kTileCodecRuns;
  }
  if (h.codec == kTileCodecRuns) {
    n = tile_encode(counts, h.rect.w, h.rect.h, out + kTileHeaderSize, room);
    if (n == 0 && pixels != 0) return 0;
  }
  h.payload_len = static_cast<uint16_t>(n);
  Writer wr(out, kTileHeaderSize);
  wr.u16(h.job_id);
  wr.u32(h.tile_index);
  encode_rect(wr, h.rect);
  wr.u8(h.node);
  wr.u8(h.codec);
  wr.u32(h.iterations);
  wr.u16(h.payload_len);
  size_t body = kTileHeaderSize + n;
  uint32_t crc = crc32(out, body);
  Writer tail(out + body, 4);
  tail.u32(crc);
  return body + 4;
}

bool tile_block_parse(const uint8_t* block, size_t len, TileHeader* h, const uint8_t** payload) {
  if (len < kTileHeaderSize + 4 || len > kTileBlockMax) return false;
  Reader rd(block, len);
  h->job_id = rd.u16();
  h->tile_index = rd.u32();
  h->rect = decode_rect(rd);
  h->node = rd.u8();
  h->codec = rd.u8();
  h->iterations = rd.u32();
  h->payload_len = rd.u16();
  if (kTileHeaderSize + h->payload_len + 4u != len) return false;
  Reader tail(block + len - 4, 4);
  if (crc32(block, len - 4) != tail.u32()) return false;
  if ((h->codec != kTileCodecRuns && h->codec != kTileCodecRange) || !rect_valid(h->rect))
    return false;
  *payload = block + kTileHeaderSize;
  return true;
}

}  // namespace picocray
