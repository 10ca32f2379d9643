// The tile encoding: escape counts of one tile, row-major, as a byte string of tokens.
// The previous value starts at 0 for each tile.
//   0x00-0x3F  run of 1..64 pixels equal to the previous pixel     (n = low 6 bits + 1)
//   0x40-0x7F  run of 1..64 pixels each equal to the pixel above   (never in row 0)
//   0x80-0xBF  one pixel: previous + (low 6 bits - 32)             (delta -32..31)
//   0xC0-0xDF  one pixel: ((low 5 bits) << 8) | next byte          (0..8191)
//   0xE0       one pixel: next two bytes, little-endian            (0..65535)
//   0xE1-0xFF  reserved; a decoder rejects them
// Interiors and smooth bands become runs, so typical views take well under a byte per pixel.
//
// Codec 2 (tile_codec_range.cpp, docs/protocol.md): each count told from its neighbours (equal to
// the left one? to the one above? else its difference from the left one, by bit length) with
// adaptive binary range coding, every probability starting afresh in each tile: about 40% fewer
// bytes than codec 1 on the bench scenes.
#pragma once
#include <cstddef>
#include <cstdint>

namespace picocray {

// Worst case: every pixel a 3-byte literal.
constexpr size_t tile_max_encoded(size_t pixels) {
  return 3 * pixels;
}

// Returns the encoded length, or 0 when out is too small.
size_t tile_encode(const uint16_t* counts, uint32_t w, uint32_t h, uint8_t* out, size_t cap);

// Decodes exactly w*h counts; false on a reserved token, a run past the end or above row 0, a
// delta out of range, a truncated literal, or bytes left over.
bool tile_decode(const uint8_t* in, size_t len, uint32_t w, uint32_t h, uint16_t* counts);

constexpr uint8_t kTileCodecRuns = 1;   // tile_encode above
constexpr uint8_t kTileCodecRange = 2;  // tile_encode_range (since protocol 1.4)

// Codec 2. Returns the encoded length, or 0 when out is too small (the caller then sends codec 1,
// whose worst case tile_max_encoded bounds every block).
size_t tile_encode_range(const uint16_t* counts, uint32_t w, uint32_t h, uint8_t* out, size_t cap);
// Decodes exactly w*h counts; false on a count out of range or bytes the decoding never reached.
bool tile_decode_range(const uint8_t* in, size_t len, uint32_t w, uint32_t h, uint16_t* counts);

// Decodes a payload of the given codec; false for an unknown codec or a payload it rejects.
bool tile_decode_codec(uint8_t codec, const uint8_t* in, size_t len, uint32_t w, uint32_t h,
                       uint16_t* counts);

}  // namespace picocray
