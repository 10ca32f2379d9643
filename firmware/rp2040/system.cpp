#include "system.h"

#include "hardware/clocks.h"
#include "hardware/gpio.h"
#include "hardware/watchdog.h"
#include "host_link.h"
#include "pico/bootrom.h"
#include "pico/rand.h"
#include "pico/unique_id.h"

#ifndef PICOCRAY_BOARD_NAME
#define PICOCRAY_BOARD_NAME "pico"
#endif

namespace picocray::rp2040 {
namespace {

// The RP2040's watchdog counts to about 8.3 s. Pieces of a tile take well under a second
// (compute.cpp), so a node that misses this is stuck, not busy.
constexpr uint32_t kWatchdogMs = 8000;
// Core 1 may go this long without finishing a piece of work before core 0 stops feeding.
constexpr uint64_t kCore1StallUs = 8000000;

// LED patterns: 20 steps of 50 ms, bit i lit at step i.
constexpr int kLedSteps = 20;
constexpr uint32_t kLedIdle = 0x003FFu;         // 500 ms on, 500 ms off
constexpr uint32_t kLedBusy = 0xFFFFFu;         // on
constexpr uint32_t kLedEnumerating = 0x33333u;  // 100 ms on, 100 ms off
constexpr uint32_t kLedError = 0x00033u;        // two 100 ms flashes, then 700 ms off

uint32_t led_pattern(uint8_t state) {
  switch (static_cast<hal::NodeLed>(state)) {
    case hal::NodeLed::idle: return kLedIdle;
    case hal::NodeLed::busy: return kLedBusy;
    case hal::NodeLed::enumerating: return kLedEnumerating;
    default: return kLedError;
  }
}

}  // namespace

uint64_t board_unique_id() {
  pico_unique_board_id_t id;
  pico_get_unique_board_id(&id);
  uint64_t v = 0;
  for (int i = PICO_UNIQUE_BOARD_ID_SIZE_BYTES - 1; i >= 0; --i) v = (v << 8) | id.id[i];
  return v;
}

void System::init() {
  unique_id_ = board_unique_id();
#ifdef PICO_DEFAULT_LED_PIN
  gpio_init(PICO_DEFAULT_LED_PIN);
  gpio_set_dir(PICO_DEFAULT_LED_PIN, GPIO_OUT);
  // Negative: 50 ms from one start to the next, whatever the callback costs.
  add_repeating_timer_ms(-50, &System::led_tick, this, &led_timer_);
#endif
}

bool System::led_tick(repeating_timer_t* timer) {
#ifdef PICO_DEFAULT_LED_PIN
  System& s = *static_cast<System*>(timer->user_data);
  s.led_step_ = static_cast<uint8_t>((s.led_step_ + 1) % kLedSteps);
  gpio_put(PICO_DEFAULT_LED_PIN, (led_pattern(s.state_) >> s.led_step_) & 1u);
#else
  (void)timer;
#endif
  return true;
}

void System::start_watchdog() {
  watchdog_enable(kWatchdogMs, true);  // paused while a debugger halts the cores
  watchdog_on_ = true;
}

void System::feed_watchdog() {
  if (!watchdog_on_) return;
  if (compute_.core1_stalled(time_us_64(), kCore1StallUs)) return;
  watchdog_update();
}

uint64_t System::unique_id() {
  return unique_id_;
}

void System::reboot(hal::RebootKind kind) {
  drain_host_link(100000);  // the answer to the request that asked for this reaches the host
  if (kind == hal::RebootKind::bootsel) {
#ifdef PICO_DEFAULT_LED_PIN
    reset_usb_boot(1u << PICO_DEFAULT_LED_PIN, 0);  // the LED flickers with USB activity
#else
    reset_usb_boot(0, 0);
#endif
  }
  watchdog_reboot(0, 0, 0);
  for (;;) tight_loop_contents();
}

uint32_t System::random() {
  return get_rand_32();
}

const char* System::board_name() {
  return PICOCRAY_BOARD_NAME;
}

uint32_t System::cpu_hz() {
  return clock_get_hz(clk_sys);
}

}  // namespace picocray::rp2040
