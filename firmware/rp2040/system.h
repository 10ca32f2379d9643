// Identity, reset, the watchdog and the on-board LED.
#pragma once
#include "compute.h"
#include "pico/time.h"
#include "picocray/hal.h"

namespace picocray::rp2040 {

// pico_unique_id's 8 bytes, the first one lowest.
uint64_t board_unique_id();

class System final : public hal::System {
 public:
  explicit System(Compute& compute) : compute_(compute) {}
  // The LED and its timer; call once, early.
  void init();
  // From here on a node that stops feeding the watchdog is reset.
  void start_watchdog();

  uint64_t unique_id() override;
  [[noreturn]] void reboot(hal::RebootKind kind) override;
  void feed_watchdog() override;
  uint32_t random() override;
  const char* board_name() override;
  uint32_t capabilities() override { return 0; }  // real hardware
  uint32_t cpu_hz() override;
  // hal::NodeLed: idle slow blink 1 Hz, busy on, enumerating fast blink 5 Hz, error double blink.
  void show_state(hal::NodeLed state) override { state_ = static_cast<uint8_t>(state); }

 private:
  static bool led_tick(repeating_timer_t* timer);

  Compute& compute_;
  uint64_t unique_id_ = 0;
  bool watchdog_on_ = false;
  volatile uint8_t state_ = static_cast<uint8_t>(hal::NodeLed::enumerating);
  uint8_t led_step_ = 0;
  repeating_timer_t led_timer_{};
};

}  // namespace picocray::rp2040
