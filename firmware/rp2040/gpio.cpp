#include "gpio.h"

#include <initializer_list>

#include "hardware/gpio.h"
#include "pico/time.h"
#include "pins.h"

namespace picocray::rp2040 {
namespace {

unsigned pin_of(hal::Line line) {
  switch (line) {
    case hal::Line::role: return kPinRole;
    case hal::Line::assert_: return kPinAssert;
    case hal::Line::attention:
    default: return kPinAttention;
  }
}

}  // namespace

void Gpio::init() {
  for (unsigned pin : {kPinRole, kPinAssert, kPinAttention}) {
    gpio_init(pin);
    gpio_put(pin, false);  // the output latch stays 0: enabling the output is pulling low
    gpio_set_dir(pin, GPIO_IN);
    gpio_pull_up(pin);
  }
  busy_wait_us(50);  // let the pull-ups charge the wires before the role is read
}

bool Gpio::read(hal::Line line) {
  return gpio_get(pin_of(line));
}

void Gpio::pull_low(hal::Line line, bool low) {
  if (line == hal::Line::role) return;  // the role is strapped, never driven
  // Open drain: never drive high, so two boards can hold a line at once without a fight.
  gpio_set_dir(pin_of(line), low ? GPIO_OUT : GPIO_IN);
}

}  // namespace picocray::rp2040
