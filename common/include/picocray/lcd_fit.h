// How an image of W x H pixels is shown on the controller's 320 x 240 LCD (docs/protocol.md,
// "The display"): scaled to fit with its aspect kept, centred, the rest black; each panel pixel
// shows the image pixel under its centre (nearest pixel). Host and controller compute the same
// mapping from these functions, in integers, so a mirrored render and the host's own scaled
// picture agree bit for bit.
#pragma once
#include <cstdint>

namespace picocray {

constexpr uint16_t kLcdWidth = 320;
constexpr uint16_t kLcdHeight = 240;

// The image's box on the panel.
struct LcdFit {
  uint16_t x = 0, y = 0;  // top-left panel pixel of the box
  uint16_t w = kLcdWidth, h = kLcdHeight;
};

// W * 240 >= H * 320 (as wide as the panel or wider): the box is 320 wide and
// max(1, floor(H * 320 / W)) high; otherwise 240 high and max(1, floor(W * 240 / H)) wide. It is
// centred: x = (320 - w) / 2, y = (240 - h) / 2, floored.
LcdFit lcd_fit(uint16_t width, uint16_t height);

// The image column (row) shown at box offset d, for an image side of `size` over a box side of
// `box`: floor((2d + 1) * size / (2 * box)), the pixel under the panel pixel's centre.
constexpr uint32_t lcd_source(uint32_t d, uint32_t size, uint32_t box) {
  return ((2 * d + 1) * size) / (2 * box);
}

// The first box offset whose source is at least i (box when there is none): where a tile that
// starts at image column (row) i starts on the panel.
uint32_t lcd_first(uint32_t i, uint32_t size, uint32_t box);

}  // namespace picocray
