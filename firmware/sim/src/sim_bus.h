// The simulator's I2C bus: the targets listening on it, and each transfer as the wires carry it,
// with its modelled time and the deadline pico-sdk enforces (docs/model.md).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "picocray/hal.h"
#include "picocray/sim.h"

namespace picocray::sim {

// What the bus needs of the cluster around it: the model, the virtual clock, the faults injected
// on the wires and the figures it keeps.
class BusEnv {
 public:
  virtual const Model& model() const = 0;
  // The initiator is blocked this long (pico-sdk's transfers are blocking calls).
  virtual void advance(uint64_t ns) = 0;
  // Something changed: every board looks again.
  virtual void touch() = 0;
  // A byte as the wires carry it, and whether a transfer is NACKed (injected faults).
  virtual uint8_t on_wire(uint8_t byte) = 0;
  virtual bool drop_transfer() = 0;
  virtual Stats& stats() = 0;

 protected:
  ~BusEnv() = default;
};

// One I2C target's registration on the bus.
struct Target {
  size_t board = 0;
  uint8_t address = 0;
  hal::I2cTargetHandler* handler = nullptr;
};

class Bus {
 public:
  explicit Bus(BusEnv& env) : env_(env) {}

  // A transfer: the address, then tx (a write) or rx (a read), or both with a repeated start
  // between them (a register read). As pico-sdk's i2c_*_timeout_us, timeout_us bounds the whole
  // transfer: when its modelled end is not before the deadline, the bytes that were on the wires
  // by then reach the target (and rx), the target sees the STOP of the firmware's bus recovery,
  // the initiator is blocked until the deadline, and the answer is timeout.
  hal::I2cStatus transfer(uint8_t address, const uint8_t* tx, size_t tx_len, uint8_t* rx,
                          size_t rx_len, uint32_t timeout_us);

  void listen(size_t board, uint8_t address, hal::I2cTargetHandler* handler);
  void stop(size_t board);

 private:
  class Span;
  hal::I2cStatus end(const Span& s, hal::I2cStatus status);
  hal::I2cStatus timed_out(const Span& s, const std::vector<Target*>& hit);

  BusEnv& env_;
  std::vector<Target> targets_;
};

}  // namespace picocray::sim
