// The shared lines as open-drain GPIOs: low is driven, high is the pull-ups' doing.
#pragma once
#include "picocray/hal.h"

namespace picocray::rp2040 {

class Gpio final : public hal::Gpio {
 public:
  // Sets every line to input with its pull-up; call before anything reads the role.
  void init();
  bool read(hal::Line line) override;
  void pull_low(hal::Line line, bool low) override;
};

}  // namespace picocray::rp2040
