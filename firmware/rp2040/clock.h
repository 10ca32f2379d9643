// Microseconds since boot, from the RP2040/RP2350 64-bit timer.
#pragma once
#include "picocray/hal.h"
#include "pico/time.h"

namespace picocray::rp2040 {

class Clock final : public hal::Clock {
 public:
  uint64_t now_us() override { return time_us_64(); }
};

}  // namespace picocray::rp2040
