// Microseconds since boot, from the RP2040/RP2350 64-bit timer.
#pragma once
#include "pico/time.h"
#include "picocray/hal.h"

namespace picocray::rp2040 {

class Clock final : public hal::Clock {
 public:
  uint64_t now_us() override { return time_us_64(); }
};

}  // namespace picocray::rp2040
