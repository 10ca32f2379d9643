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
// A controller with an LCD that no host has spoken to this long after start, while its USB link
// has no host holding it open, goes standalone (standalone.h).
constexpr uint32_t kStandaloneAfterUs = 3000000;
constexpr uint8_t kMaxGarbled = 8;  // attempts at a block whose check keeps failing (noisy bus)
// Liveness. A node holding tiles is asked (POLL) at least every kWatchUs; one whose heartbeat
// (StatusBlock::beat, moved after every piece of work: under a second on an RP2040 at any depth)
// has not moved for kStallUs while it had no finished tile waiting is lost, whatever its tile
// costs. A lost node is asked every kRejoinProbeUs during a job (and before a job or a NODES
// answer); one that answers with its heartbeat moved, or idle, takes tiles again.
constexpr uint32_t kWatchUs = 250000;
constexpr uint32_t kStallUs = 3000000;
constexpr uint32_t kRejoinProbeUs = 1000000;
constexpr uint8_t kMaxRetries = 3;  // I2C attempts before a node counts as lost

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
