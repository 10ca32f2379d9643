// A tile block: one encoded tile as the node that computed it wrote it. It crosses the I2C bus,
// passes through the controller unchanged as the body of a TILE frame, and is decoded on the host.
//
//   off size field
//    0   2   job_id        the controller's own job number (not the RENDER request's seq)
//    2   4   tile_index    row-major index in the job's tile grid
//    6   2   x             tile origin, image pixels
//    8   2   y
//   10   1   w             tile size, 1..64
//   11   1   h
//   12   1   node          I2C address of the secondary that computed it; 0xFF is the controller
//   13   1   codec         1 or 2 (tile_codec.h)
//   14   4   iterations    sum of the tile's escape counts
//   18   2   payload_len
//   20   n   payload
//   20+n 4   crc32         over bytes 0 .. 20+n-1
#pragma once
#include <cstddef>
#include <cstdint>

#include "picocray/kernel.h"
#include "picocray/tile_codec.h"

namespace picocray {

constexpr size_t kTileHeaderSize = 20;
constexpr size_t kTileBlockMax = kTileHeaderSize + tile_max_encoded(kMaxTilePixels) + 4;
constexpr uint8_t kControllerNode = 0xFF;  // the node field of a tile the controller computed

struct TileHeader {
  uint16_t job_id = 0;
  uint32_t tile_index = 0;
  TileRect rect;
  uint8_t node = 0;
  uint8_t codec = kTileCodecRuns;
  uint32_t iterations = 0;
  uint16_t payload_len = 0;
};

// Encodes counts (w*h) into a whole block in out, in h.codec (codec 2 falls back to codec 1 for a
// tile it would make longer than codec 1's worst case); returns its length or 0 when out is too
// small.
size_t tile_block_build(TileHeader h, const uint16_t* counts, uint8_t* out, size_t cap);

// Checks the CRC and the header of a block; on success fills h and points payload into block.
bool tile_block_parse(const uint8_t* block, size_t len, TileHeader* h, const uint8_t** payload);

}  // namespace picocray
