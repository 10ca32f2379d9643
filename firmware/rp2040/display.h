// The controller's LCD wiring (docs/hardware.md): the ILI9341 on SPI0 (GP2 SCK, GP3 MOSI, GP4
// MISO; CS GP5, RESET GP6, DC GP7) and the XPT2046 on SPI1 (GP14 T_CLK, GP15 T_DIN, GP8 T_DO)
// with its pen line on GP9.
#pragma once
#include "picocray/hal.h"

namespace picocray::rp2040 {

class DisplayBus final : public hal::DisplayBus {
 public:
  // Sets up both SPI blocks and the lines; harmless with nothing wired (the ID read then fails).
  void init();
  void select(bool selected) override;
  void data_mode(bool data) override;
  void reset_line(bool asserted) override;
  void write(const uint8_t* data, size_t len) override;
  void read(uint8_t* data, size_t len) override;
  void pause_us(uint32_t us) override;
  bool touch_down() override;
  uint16_t touch_read(uint8_t control) override;
};

}  // namespace picocray::rp2040
