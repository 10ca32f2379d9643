// The virtual ILI9341 and XPT2046 on the simulated controller's SPI lines.
#include "picocray/display.h"
#include "sim_internal.h"

namespace picocray::sim {

namespace {

constexpr uint64_t kNsPerS = 1000000000ull;

// The XPT2046's wiring in the simulator: the firmware's default calibration, the pixel's centre.
uint16_t raw_of(uint16_t pixel, uint16_t lo, uint16_t hi, uint16_t side) {
  return static_cast<uint16_t>(lo + ((2u * pixel + 1u) * (hi - lo)) / (2u * side));
}

}  // namespace

VirtualPanel::VirtualPanel(Cluster& cluster, bool attached)
    : cluster_(cluster), attached_(attached), memory_(kLcdWidth * kLcdHeight, 0) {}

void VirtualPanel::select(bool selected) {
  selected_ = selected;
  if (!selected) n_param_ = 0;
}

void VirtualPanel::reset_line(bool asserted) {
  if (!asserted) return;
  cmd_ = 0;
  n_param_ = 0;
}

void VirtualPanel::pause_us(uint32_t us) {
  cluster_.advance(uint64_t{us} * 1000);
}

void VirtualPanel::write(const uint8_t* data, size_t len) {
  cluster_.advance(len * 8 * kNsPerS / cluster_.model().lcd_write_hz);
  if (!attached_ || !selected_) return;
  for (size_t i = 0; i < len; ++i) {
    if (!data_)
      command(data[i]);
    else
      param(data[i]);
  }
}

void VirtualPanel::command(uint8_t cmd) {
  cmd_ = cmd;
  n_param_ = 0;
  if (cmd == ili9341::kMemoryWrite || cmd == ili9341::kMemoryRead) {
    x_ = sc_;
    y_ = sp_;
  }
}

void VirtualPanel::param(uint8_t byte) {
  const uint32_t k = n_param_++;
  if (cmd_ == ili9341::kColumnSet || cmd_ == ili9341::kPageSet) {
    if (k >= 4) return;
    params_[k] = byte;
    if (k != 3) return;
    const auto a = static_cast<uint16_t>(params_[0] << 8 | params_[1]);
    const auto b = static_cast<uint16_t>(params_[2] << 8 | params_[3]);
    if (cmd_ == ili9341::kColumnSet) {
      sc_ = a;
      ec_ = b;
    } else {
      sp_ = a;
      ep_ = b;
    }
    return;
  }
  if (cmd_ != ili9341::kMemoryWrite) return;  // set-up commands: taken, nothing to model
  if ((k & 1) == 0) {
    hi_ = byte;
    return;
  }
  if (x_ < kLcdWidth && y_ < kLcdHeight && y_ <= ep_)
    memory_[size_t{y_} * kLcdWidth + x_] = static_cast<uint16_t>(hi_ << 8 | byte);
  // Along the row, then the next one, as the panel's address counter moves.
  if (x_ >= ec_) {
    x_ = sc_;
    ++y_;
  } else {
    ++x_;
  }
}

uint8_t VirtualPanel::read_byte() {
  const uint32_t k = n_param_++;
  if (cmd_ == ili9341::kReadId4) {
    static const uint8_t id[4] = {0x00, 0x00, 0x93, 0x41};
    return k < 4 ? id[k] : 0;
  }
  if (cmd_ != ili9341::kMemoryRead || k == 0) return 0;  // the dummy byte first
  const uint32_t channel = (k - 1) % 3;
  uint16_t v = 0;
  if (x_ < kLcdWidth && y_ < kLcdHeight) v = memory_[size_t{y_} * kLcdWidth + x_];
  // 18 bits out, a channel a byte in its top 6 bits: 5-bit red and blue gain a low bit.
  uint8_t out = 0;
  if (channel == 0) out = static_cast<uint8_t>(((v >> 11) << 3) | ((v >> 15) << 2));
  if (channel == 1) out = static_cast<uint8_t>(((v >> 5) & 0x3F) << 2);
  if (channel == 2) out = static_cast<uint8_t>(((v & 0x1F) << 3) | (((v >> 4) & 1) << 2));
  if (channel == 2) {
    if (x_ >= ec_) {
      x_ = sc_;
      ++y_;
    } else {
      ++x_;
    }
  }
  return out;
}

void VirtualPanel::read(uint8_t* data, size_t len) {
  cluster_.advance(len * 8 * kNsPerS / cluster_.model().lcd_read_hz);
  for (size_t i = 0; i < len; ++i) data[i] = attached_ && selected_ && data_ ? read_byte() : 0;
}

void VirtualPanel::press(uint16_t x, uint16_t y, uint64_t hold_ns) {
  pen_x_ = x < kLcdWidth ? x : kLcdWidth - 1;
  pen_y_ = y < kLcdHeight ? y : kLcdHeight - 1;
  pen_from_ns_ = cluster_.now_ns();
  pen_until_ns_ = pen_from_ns_ + hold_ns;
}

bool VirtualPanel::pressed() const {
  const uint64_t now = cluster_.now_ns();
  return now >= pen_from_ns_ && now < pen_until_ns_;
}

bool VirtualPanel::touch_down() {
  return attached_ && pressed();
}

uint16_t VirtualPanel::touch_read(uint8_t control) {
  // A control byte out, 16 clocks back: 24 SPI clocks.
  cluster_.advance(24 * kNsPerS / cluster_.model().touch_hz);
  if (!attached_ || !pressed()) return 0;
  const TouchCalibration cal;
  const uint32_t channel = (control >> 4) & 7u;
  if (channel == ((xpt2046::kReadX >> 4) & 7u))
    return raw_of(pen_x_, cal.x_min, cal.x_max, kLcdWidth);
  if (channel == ((xpt2046::kReadY >> 4) & 7u))
    return raw_of(pen_y_, cal.y_min, cal.y_max, kLcdHeight);
  return 0;
}

}  // namespace picocray::sim
