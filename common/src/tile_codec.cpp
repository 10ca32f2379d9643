#include "picocray/tile_codec.h"

namespace picocray {

size_t tile_encode(const uint16_t* counts, uint32_t w, uint32_t h, uint8_t* out, size_t cap) {
  const uint32_t n = w * h;
  size_t o = 0;
  uint16_t prev = 0;
  uint32_t p = 0;
  while (p < n) {
    uint32_t left = 0;
    while (p + left < n && left < 64 && counts[p + left] == prev) ++left;
    uint32_t up = 0;
    if (p >= w)
      while (p + up < n && up < 64 && counts[p + up] == counts[p + up - w]) ++up;
    if (o + 1 > cap) return 0;
    if (left > 0 && left >= up) {
      out[o++] = static_cast<uint8_t>(left - 1);
      p += left;
      continue;
    }
    if (up > 0) {
      out[o++] = static_cast<uint8_t>(0x40 | (up - 1));
      p += up;
      prev = counts[p - 1];
      continue;
    }
    uint16_t v = counts[p];
    int delta = static_cast<int>(v) - static_cast<int>(prev);
    if (delta >= -32 && delta <= 31) {
      out[o++] = static_cast<uint8_t>(0x80 | (delta + 32));
    } else if (v < 8192) {
      if (o + 2 > cap) return 0;
      out[o++] = static_cast<uint8_t>(0xC0 | (v >> 8));
      out[o++] = static_cast<uint8_t>(v);
    } else {
      if (o + 3 > cap) return 0;
      out[o++] = 0xE0;
      out[o++] = static_cast<uint8_t>(v);
      out[o++] = static_cast<uint8_t>(v >> 8);
    }
    prev = v;
    ++p;
  }
  return o;
}

bool tile_decode(const uint8_t* in, size_t len, uint32_t w, uint32_t h, uint16_t* counts) {
  const uint32_t n = w * h;
  uint32_t p = 0;
  uint16_t prev = 0;
  size_t i = 0;
  while (i < len) {
    uint8_t t = in[i++];
    if (t < 0x80) {
      uint32_t run = (t & 0x3Fu) + 1;
      if (run > n - p) return false;
      if (t < 0x40) {
        for (uint32_t k = 0; k < run; ++k) counts[p++] = prev;
      } else {
        if (p < w) return false;
        for (uint32_t k = 0; k < run; ++k, ++p) counts[p] = counts[p - w];
        prev = counts[p - 1];
      }
      continue;
    }
    if (p >= n) return false;
    uint32_t v;
    if (t < 0xC0) {
      int d = static_cast<int>(prev) + static_cast<int>(t & 0x3Fu) - 32;
      if (d < 0 || d > 65535) return false;
      v = static_cast<uint32_t>(d);
    } else if (t < 0xE0) {
      if (i >= len) return false;
      v = (static_cast<uint32_t>(t & 0x1Fu) << 8) | in[i++];
    } else if (t == 0xE0) {
      if (len - i < 2) return false;
      v = in[i] | (static_cast<uint32_t>(in[i + 1]) << 8);
      i += 2;
    } else {
      return false;
    }
    prev = static_cast<uint16_t>(v);
    counts[p++] = prev;
  }
  return p == n;
}

bool tile_decode_codec(uint8_t codec, const uint8_t* in, size_t len, uint32_t w, uint32_t h,
                       uint16_t* counts) {
  if (codec == kTileCodecRuns) return tile_decode(in, len, w, h, counts);
  if (codec == kTileCodecRange) return tile_decode_range(in, len, w, h, counts);
  return false;
}

}  // namespace picocray
