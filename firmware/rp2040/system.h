// Identity, reset, the watchdog and the on-board LED.
#pragma once
#include "compute.h"
#include "pico/time.h"
#include "picocray/hal.h"

namespace picocray::rp2040 {

// What the LED shows; the codes the core passes to show_state (docs/hardware.md).
enum class LedState : uint8_t {
  idle = 0,         // slow blink, 1 Hz
  busy = 1,         // on
  enumerating = 2,  // fast blink, 5 Hz
  error = 3,        // double blink every second (also any unknown code)
};

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
  uint32_t cpu_hz() override;
  void show_state(uint8_t state) override { state_ = state; }

 private:
  static bool led_tick(repeating_timer_t* timer);

  Compute& compute_;
  uint64_t unique_id_ = 0;
  bool watchdog_on_ = false;
  volatile uint8_t state_ = static_cast<uint8_t>(LedState::enumerating);
  uint8_t led_step_ = 0;
  repeating_timer_t led_timer_{};
};

}  // namespace picocray::rp2040
