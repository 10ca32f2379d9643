// Time constants of the node logic, in microseconds.
#pragma once
#include <cstddef>
#include <cstdint>

namespace picocray {

// poll() returns the time it next needs to run; this one means "only when something happens".
constexpr uint64_t kNoDeadline = UINT64_MAX;

namespace timing {
constexpr uint32_t kI2cTimeoutUs = 5000;          // one transfer, beyond its bytes' own time
constexpr uint32_t kClaimHoldUs = 20000;          // a secondary holding the assert line unanswered
constexpr uint32_t kBackoffMaxUs = 4000;          // random back-off after a collision
constexpr uint32_t kEnumerationQuietUs = 30000;   // assert line idle this long: enumeration done
constexpr uint32_t kAddressSettleUs = 200;        // a claimed secondary moves to its address
constexpr uint32_t kProgressIntervalUs = 100000;  // PROGRESS frames during a render
constexpr uint32_t kRebootDrainUs = 20000;        // time for a last answer to leave before a reboot
constexpr uint8_t kMaxGarbled = 8;  // attempts at a block whose check keeps failing (noisy bus)
constexpr uint32_t kStuckMinUs = 1000000;  // a node silent on its last tiles at least this long
constexpr uint32_t kProbeMinUs = 50000;    // a node holding tiles this long unheard is asked
constexpr uint8_t kMaxRetries = 3;         // I2C attempts before a node counts as lost

// The deadline of one transfer of `bytes` bytes (address and register bytes included) at hz:
// pico-sdk's i2c_*_timeout_us apply theirs to the whole transfer, so a long tile block needs
// more than a register read. Twice the bytes' time on the wire (9 clocks each, a margin for
// clock stretching), plus kI2cTimeoutUs.
constexpr uint32_t transfer_timeout_us(size_t bytes, uint32_t hz) {
  const uint64_t wire_us = hz == 0 ? 0 : (static_cast<uint64_t>(bytes) * 9u * 1000000u) / hz;
  return static_cast<uint32_t>(kI2cTimeoutUs + 2 * wire_us);
}
}  // namespace timing

}  // namespace picocray
