#include "display.h"

#include <initializer_list>

#include "hardware/gpio.h"
#include "hardware/spi.h"
#include "pico/time.h"
#include "pins.h"

namespace picocray::rp2040 {

void DisplayBus::init() {
  spi_init(spi0, kLcdWriteHz);
  for (unsigned pin : {kPinLcdSck, kPinLcdMosi, kPinLcdMiso}) gpio_set_function(pin, GPIO_FUNC_SPI);
  // A MISO with no panel on it reads ones, never the ILI9341's ID (pull-ups only: RP2350 E9).
  gpio_pull_up(kPinLcdMiso);
  for (unsigned pin : {kPinLcdCs, kPinLcdReset, kPinLcdDc}) {
    gpio_init(pin);
    gpio_put(pin, true);
    gpio_set_dir(pin, GPIO_OUT);
  }
  spi_init(spi1, kTouchHz);
  for (unsigned pin : {kPinTouchClk, kPinTouchDin, kPinTouchDout})
    gpio_set_function(pin, GPIO_FUNC_SPI);
  gpio_init(kPinTouchIrq);
  gpio_set_dir(kPinTouchIrq, GPIO_IN);
  gpio_pull_up(kPinTouchIrq);
}

void DisplayBus::select(bool selected) {
  gpio_put(kPinLcdCs, !selected);
}

void DisplayBus::data_mode(bool data) {
  gpio_put(kPinLcdDc, data);
}

void DisplayBus::reset_line(bool asserted) {
  gpio_put(kPinLcdReset, !asserted);
}

void DisplayBus::write(const uint8_t* data, size_t len) {
  spi_write_blocking(spi0, data, len);
}

void DisplayBus::read(uint8_t* data, size_t len) {
  // The ILI9341's read cycle is slower than its write cycle.
  spi_set_baudrate(spi0, kLcdReadHz);
  spi_read_blocking(spi0, 0x00, data, len);
  spi_set_baudrate(spi0, kLcdWriteHz);
}

void DisplayBus::pause_us(uint32_t us) {
  sleep_us(us);
}

bool DisplayBus::touch_down() {
  return !gpio_get(kPinTouchIrq);
}

uint16_t DisplayBus::touch_read(uint8_t control) {
  // The control byte, then 16 clocks: the 12-bit result arrives MSB first after one busy clock.
  const uint8_t tx[3] = {control, 0, 0};
  uint8_t rx[3] = {0, 0, 0};
  spi_write_read_blocking(spi1, tx, rx, 3);
  return static_cast<uint16_t>(((rx[1] << 8) | rx[2]) >> 3);
}

}  // namespace picocray::rp2040
