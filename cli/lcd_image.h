// The controller's LCD from the host's side: the panel's 320 x 240 RGB565 picture that a render
// mirrored on it must show (the host's own scaling, lcd_fit.h, and common/'s palette), and PNG
// files of panel pictures.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "picocray/palette.h"

namespace picocray::cli {

// 320 x 240 RGB565, row 0 at the top: counts (width x height) scaled to fit, centred, black
// around, each panel pixel the image pixel under its centre.
std::vector<uint16_t> lcd_reference(const std::vector<uint16_t>& counts, uint32_t width,
                                    uint32_t height, uint16_t max_iter, Palette palette);
// A panel picture as a PNG, each channel widened to 8 bits (rgb565_expand).
std::vector<uint8_t> encode_lcd_png(const std::vector<uint16_t>& pixels);

}  // namespace picocray::cli
