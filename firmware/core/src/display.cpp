#include "picocray/display.h"

#include "picocray/tile_block.h"

namespace picocray {

namespace {

constexpr uint32_t kResetPulseUs = 20;
constexpr uint32_t kAfterResetUs = 5000;       // before the first command (datasheet: 5 ms)
constexpr uint32_t kAfterSleepOutUs = 120000;  // before the display is switched on

void be16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

}  // namespace

bool Display::start(hal::DisplayBus* bus) {
  bus_ = bus;
  present_ = false;
  if (bus_ == nullptr) return false;
  bus_->select(false);
  bus_->reset_line(true);
  bus_->pause_us(kResetPulseUs);
  bus_->reset_line(false);
  bus_->pause_us(kAfterResetUs);
  uint8_t id[4] = {0, 0, 0, 0};
  bus_->select(true);
  bus_->data_mode(false);
  const uint8_t cmd = ili9341::kReadId4;
  bus_->write(&cmd, 1);
  bus_->data_mode(true);
  bus_->read(id, sizeof id);
  bus_->select(false);
  if (id[2] != 0x93 || id[3] != 0x41) return false;
  command(ili9341::kSoftwareReset, nullptr, 0);
  bus_->pause_us(kAfterResetUs);
  const uint8_t format = ili9341::kPixel16, madctl = ili9341::kMadctlLandscape;
  command(ili9341::kPixelFormat, &format, 1);
  command(ili9341::kMemoryAccess, &madctl, 1);
  command(ili9341::kSleepOut, nullptr, 0);
  bus_->pause_us(kAfterSleepOutUs);
  command(ili9341::kDisplayOn, nullptr, 0);
  present_ = true;
  fill(0, 0, kLcdWidth, kLcdHeight, 0);
  return true;
}

void Display::command(uint8_t cmd, const uint8_t* params, size_t n) {
  bus_->select(true);
  bus_->data_mode(false);
  bus_->write(&cmd, 1);
  if (n > 0) {
    bus_->data_mode(true);
    bus_->write(params, n);
  }
  bus_->select(false);
}

void Display::open_window(uint16_t x0, uint16_t y0, uint16_t x1, uint16_t y1, uint8_t cmd) {
  uint8_t p[4];
  be16(p, x0);
  be16(p + 2, x1);
  command(ili9341::kColumnSet, p, 4);
  be16(p, y0);
  be16(p + 2, y1);
  command(ili9341::kPageSet, p, 4);
  bus_->select(true);
  bus_->data_mode(false);
  bus_->write(&cmd, 1);
  bus_->data_mode(true);
}

void Display::end() {
  bus_->select(false);
}

void Display::fill(uint16_t x, uint16_t y, uint16_t w, uint16_t h, uint16_t colour) {
  if (!present_ || x >= kLcdWidth || y >= kLcdHeight || w == 0 || h == 0) return;
  if (w > kLcdWidth - x) w = static_cast<uint16_t>(kLcdWidth - x);
  if (h > kLcdHeight - y) h = static_cast<uint16_t>(kLcdHeight - y);
  for (uint16_t i = 0; i < w; ++i) be16(line_ + 2 * i, colour);
  open_window(x, y, static_cast<uint16_t>(x + w - 1), static_cast<uint16_t>(y + h - 1),
              ili9341::kMemoryWrite);
  for (uint16_t r = 0; r < h; ++r) bus_->write(line_, 2u * w);
  end();
}

void Display::begin_mirror(const JobGeometry& g, Palette p, bool clear) {
  geometry_ = g;
  palette_ = p;
  fit_ = lcd_fit(g.width, g.height);
  if (clear) fill(0, 0, kLcdWidth, kLcdHeight, 0);
}

void Display::tile(const uint8_t* block, size_t len) {
  TileHeader h;
  const uint8_t* payload = nullptr;
  if (!present_ || !tile_block_parse(block, len, &h, &payload)) return;
  if (!tile_decode_codec(h.codec, payload, h.payload_len, h.rect.w, h.rect.h, counts_)) return;
  const TileRect& t = h.rect;
  const uint32_t W = geometry_.width, H = geometry_.height;
  if (t.x + t.w > W || t.y + t.h > H) return;
  // The panel pixels whose centres fall on this tile: a window of its own.
  const uint32_t c0 = lcd_first(t.x, W, fit_.w), c1 = lcd_first(t.x + t.w, W, fit_.w);
  const uint32_t r0 = lcd_first(t.y, H, fit_.h), r1 = lcd_first(t.y + t.h, H, fit_.h);
  if (c0 >= c1 || r0 >= r1) return;
  open_window(static_cast<uint16_t>(fit_.x + c0), static_cast<uint16_t>(fit_.y + r0),
              static_cast<uint16_t>(fit_.x + c1 - 1), static_cast<uint16_t>(fit_.y + r1 - 1),
              ili9341::kMemoryWrite);
  for (uint32_t r = r0; r < r1; ++r) {
    const uint16_t* row = counts_ + (lcd_source(r, H, fit_.h) - t.y) * t.w;
    uint8_t* o = line_;
    for (uint32_t c = c0; c < c1; ++c, o += 2) {
      const uint16_t n = row[lcd_source(c, W, fit_.w) - t.x];
      be16(o, rgb565(palette_colour(palette_, n, geometry_.max_iter)));
    }
    bus_->write(line_, static_cast<size_t>(o - line_));
  }
  end();
}

void Display::read_rows(uint16_t y, uint16_t rows, uint8_t* out) {
  if (!present_) return;
  for (uint16_t r = 0; r < rows; ++r) {
    // One memory read a row: a dummy byte, then R, G, B of each pixel in a byte's top 6 bits.
    open_window(0, static_cast<uint16_t>(y + r), kLcdWidth - 1, static_cast<uint16_t>(y + r),
                ili9341::kMemoryRead);
    uint8_t dummy;
    bus_->read(&dummy, 1);
    bus_->read(line_, 3 * kLcdWidth);
    end();
    for (uint16_t i = 0; i < kLcdWidth; ++i) {
      const uint8_t* p = line_ + 3 * i;
      const auto v = static_cast<uint16_t>(((p[0] >> 3) << 11) | ((p[1] >> 2) << 5) | (p[2] >> 3));
      *out++ = static_cast<uint8_t>(v);
      *out++ = static_cast<uint8_t>(v >> 8);
    }
  }
}

uint16_t Display::touch_axis(uint8_t control) {
  // The first conversion after the pen goes down settles; the next four are averaged.
  bus_->touch_read(control);
  uint32_t sum = 0;
  for (int k = 0; k < 4; ++k) sum += bus_->touch_read(control);
  return static_cast<uint16_t>(sum / 4);
}

namespace {

uint16_t scale_axis(uint16_t raw, uint16_t lo, uint16_t hi, uint16_t side, bool flip) {
  uint32_t v = 0;
  if (hi > lo && raw > lo) v = (static_cast<uint32_t>(raw - lo) * side) / (hi - lo);
  if (v >= side) v = side - 1u;
  return static_cast<uint16_t>(flip ? side - 1u - v : v);
}

}  // namespace

bool Display::touch(TouchPoint* p) {
  if (!present_ || !bus_->touch_down()) return false;
  uint16_t a = touch_axis(xpt2046::kReadX), b = touch_axis(xpt2046::kReadY);
  if (cal_.swap_xy) {
    const uint16_t t = a;
    a = b;
    b = t;
  }
  p->x = scale_axis(a, cal_.x_min, cal_.x_max, kLcdWidth, cal_.flip_x);
  p->y = scale_axis(b, cal_.y_min, cal_.y_max, kLcdHeight, cal_.flip_y);
  return true;
}

}  // namespace picocray
