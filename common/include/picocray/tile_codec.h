// The tile encoding: escape counts of one tile, row-major, as a byte string of tokens.
// The previous value starts at 0 for each tile.
//   0x00-0x3F  run of 1..64 pixels equal to the previous pixel     (n = low 6 bits + 1)
//   0x40-0x7F  run of 1..64 pixels each equal to the pixel above   (never in row 0)
//   0x80-0xBF  one pixel: previous + (low 6 bits - 32)             (delta -32..31)
//   0xC0-0xDF  one pixel: ((low 5 bits) << 8) | next byte          (0..8191)
//   0xE0       one pixel: next two bytes, little-endian            (0..65535)
//   0xE1-0xFF  reserved; a decoder rejects them
// Interiors and smooth bands become runs, so typical views take well under a byte per pixel.
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

}  // namespace picocray
