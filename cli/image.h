// Image outputs: PNG through stb_image_write, and the raw counts as a 16-bit binary PGM.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace picocray::cli {

std::vector<uint8_t> encode_png(const std::vector<uint16_t>& counts, uint32_t w, uint32_t h,
                                uint16_t max_iter, const std::string& palette);
// P5, maxval 65535, big-endian samples.
// An 8-bit RGB image (3 bytes a pixel, row-major) as a PNG.
std::vector<uint8_t> encode_rgb_png(const std::vector<uint8_t>& rgb, uint32_t w, uint32_t h);
std::vector<uint8_t> encode_pgm(const std::vector<uint16_t>& counts, uint32_t w, uint32_t h);

}  // namespace picocray::cli
