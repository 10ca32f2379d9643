// PicoCray board firmware: one image for every Pico in the cluster. GPIO22 tied low makes a board
// the controller; left open it is a secondary (docs/hardware.md).
#include "clock.h"
#include "compute.h"
#include "display.h"
#include "gpio.h"
#include "host_link.h"
#include "i2c.h"
#include "picocray/node.h"
#include "pins.h"
#include "system.h"

namespace {

using namespace picocray;

rp2040::Gpio gpio;
rp2040::I2cInitiator initiator;
rp2040::I2cTarget target;
rp2040::Clock us_clock;
rp2040::HostLink host;
rp2040::Compute compute;
rp2040::System sys(compute);
rp2040::DisplayBus lcd;
hal::Board board{initiator, target, gpio, us_clock, host, compute, sys};
// Static, never on the stack: the controller and secondary each hold tens of KiB of buffers.
Node node(board);

// Core 0 between pieces of a secondary's tile: the USB stack and the watchdog keep going.
void between_pieces() {
  rp2040::usb_task();
  sys.feed_watchdog();
}

}  // namespace

int main() {
  gpio.init();
  const bool controller = !gpio.read(hal::Line::role);
  sys.init();
  // Only the controller pulls the bus up (docs/hardware.md).
  initiator.init(rp2040::i2c_bus_init(rp2040::kI2cHz, /*pull_ups=*/controller));
  rp2040::usb_init();  // on a secondary too: picotool can still reset it into BOOTSEL
  compute.init(/*core0_shares=*/!controller, &between_pieces);
  if (controller) {
    // The LCD is the controller's alone; node.start() finds out whether one answers.
    lcd.init();
    board.display = &lcd;
    node.controller().set_touch_calibration(rp2040::kTouchCalibration);
  }

  node.start();
  sys.start_watchdog();
  for (;;) {
    rp2040::usb_task();
    node.poll();  // its deadline is not needed: the loop comes round in microseconds
    sys.feed_watchdog();
  }
}
