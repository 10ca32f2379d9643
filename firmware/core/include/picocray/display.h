// The controller's LCD: an ILI9341 (320 x 240, RGB565, landscape) and its XPT2046 touch panel,
// driven through hal::DisplayBus. It mirrors a render as tiles pass through the controller: each
// tile is decoded and drawn, scaled (lcd_fit.h), into its own window of the panel, so the
// controller never holds the image. The panel's memory is read back for DISPLAY_READ.
#pragma once
#include <cstddef>
#include <cstdint>

#include "picocray/geometry.h"
#include "picocray/hal.h"
#include "picocray/lcd_fit.h"
#include "picocray/palette.h"

namespace picocray {

// Receives every tile block of a job as it is delivered (scheduler.h).
class TileSink {
 public:
  virtual void tile(const uint8_t* block, size_t len) = 0;

 protected:
  ~TileSink() = default;
};

// The ILI9341 commands the driver uses (its datasheet, section 8).
namespace ili9341 {
constexpr uint8_t kSoftwareReset = 0x01;
constexpr uint8_t kSleepOut = 0x11;
constexpr uint8_t kDisplayOn = 0x29;
constexpr uint8_t kColumnSet = 0x2A;
constexpr uint8_t kPageSet = 0x2B;
constexpr uint8_t kMemoryWrite = 0x2C;
constexpr uint8_t kMemoryRead = 0x2E;
constexpr uint8_t kMemoryAccess = 0x36;  // MADCTL
constexpr uint8_t kPixelFormat = 0x3A;
constexpr uint8_t kReadId4 = 0xD3;          // dummy, 0x00, 0x93, 0x41
constexpr uint8_t kMadctlLandscape = 0x28;  // row/column exchange, BGR filter
constexpr uint8_t kPixel16 = 0x55;
}  // namespace ili9341

// XPT2046 control bytes: a 12-bit differential conversion of X or Y, pen interrupt left on.
namespace xpt2046 {
constexpr uint8_t kReadX = 0xD0;
constexpr uint8_t kReadY = 0x90;
}  // namespace xpt2046

// Raw XPT2046 readings at the panel's left/right and top/bottom edges, and how the axes lie
// (docs/hardware.md, "Touch calibration").
struct TouchCalibration {
  uint16_t x_min = 200, x_max = 3900;
  uint16_t y_min = 200, y_max = 3900;
  bool swap_xy = false;  // the touch X line runs along the panel's rows
  bool flip_x = false, flip_y = false;
};

struct TouchPoint {
  uint16_t x = 0, y = 0;  // panel pixel
};

class Display final : public TileSink {
 public:
  // Resets the panel on bus (none: no display) and reads its ID; only an ILI9341 that answers is
  // set up (and cleared).
  bool start(hal::DisplayBus* bus);
  bool present() const { return present_; }
  void set_calibration(const TouchCalibration& c) { cal_ = c; }

  // Fills a rectangle (panel pixels, clipped) with one RGB565 colour.
  void fill(uint16_t x, uint16_t y, uint16_t w, uint16_t h, uint16_t colour);
  // Tiles of this job are drawn from now on; clear: the panel is first made black.
  void begin_mirror(const JobGeometry& g, Palette p, bool clear);
  // A tile block of the job: drawn into its window; a block that does not parse is skipped.
  void tile(const uint8_t* block, size_t len) override;
  // Rows y .. y + rows - 1 of the panel as RGB565, little-endian, 2 * 320 bytes a row.
  void read_rows(uint16_t y, uint16_t rows, uint8_t* out);
  // Text in the built-in 3 x 5 font at twice its size (8 panel pixels a character, 10 high):
  // digits, '.', ' ', and the letters d i n p s t.
  void text(uint16_t x, uint16_t y, const char* s, uint16_t fg, uint16_t bg);
  // Whether the pen is down; if so *p is where, in panel pixels.
  bool touch(TouchPoint* p);

 private:
  void command(uint8_t cmd, const uint8_t* params, size_t n);
  // Sets the window (inclusive corners) and starts a memory write or read into it; the panel
  // stays selected, in data mode, until end().
  void open_window(uint16_t x0, uint16_t y0, uint16_t x1, uint16_t y1, uint8_t cmd);
  void end();
  void draw_glyph(uint16_t x, uint16_t y, uint16_t bits, uint16_t fg, uint16_t bg);
  uint16_t touch_axis(uint8_t control);

  hal::DisplayBus* bus_ = nullptr;
  bool present_ = false;
  TouchCalibration cal_;
  JobGeometry geometry_;
  Palette palette_ = Palette::classic;
  LcdFit fit_;
  uint16_t counts_[kMaxTilePixels];
  uint8_t line_[3 * kLcdWidth];
};

}  // namespace picocray
