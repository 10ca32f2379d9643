// The shared bus on I2C1 (GPIO10 SDA, GPIO11 SCL): the controller's initiator and a secondary's
// target through pico-sdk's hardware_i2c and pico_i2c_slave.
#pragma once
#include "picocray/hal.h"

namespace picocray::rp2040 {

// Pins to I2C1, and the block at the given SCL frequency.
// Returns the frequency the divider really gives.
// pull_ups: the internal ones on SDA/SCL, for the controller only; one board's ~50k is enough for
// a board or two on short wires, a board each in parallel sinks more than the pins are meant to
// (docs/hardware.md: a cluster needs external 2.2k-4.7k).
uint32_t i2c_bus_init(uint32_t hz, bool pull_ups);

class I2cInitiator final : public hal::I2cInitiator {
 public:
  void init(uint32_t actual_hz) { hz_ = actual_hz; }
  hal::I2cStatus write(uint8_t address, const uint8_t* data, size_t len,
                       uint32_t timeout_us) override;
  hal::I2cStatus read(uint8_t address, uint8_t* data, size_t len, uint32_t timeout_us) override;
  hal::I2cStatus write_read(uint8_t address, const uint8_t* tx, size_t tx_len, uint8_t* rx,
                            size_t rx_len, uint32_t timeout_us) override;
  uint32_t clock_hz() const override { return hz_; }

 private:
  hal::I2cStatus finish(int result, size_t len);
  uint32_t hz_ = 0;
};

class I2cTarget final : public hal::I2cTarget {
 public:
  void listen(uint8_t address, hal::I2cTargetHandler* handler) override;
  void stop() override;

 private:
  bool active_ = false;
};

}  // namespace picocray::rp2040
