// Time constants of the node logic, in microseconds.
#pragma once
#include <cstdint>

namespace picocray {

// poll() returns the time it next needs to run; this one means "only when something happens".
constexpr uint64_t kNoDeadline = UINT64_MAX;

namespace timing {
constexpr uint32_t kI2cTimeoutUs = 5000;          // one transfer
constexpr uint32_t kClaimHoldUs = 20000;          // a secondary holding the assert line unanswered
constexpr uint32_t kBackoffMaxUs = 4000;          // random back-off after a collision
constexpr uint32_t kEnumerationQuietUs = 30000;   // assert line idle this long: enumeration done
constexpr uint32_t kAddressSettleUs = 200;        // a claimed secondary moves to its address
constexpr uint32_t kProgressIntervalUs = 100000;  // PROGRESS frames during a render
constexpr uint32_t kRebootDrainUs = 20000;        // time for a last answer to leave before a reboot
constexpr uint8_t kMaxGarbled = 8;  // attempts at a block whose check keeps failing (noisy bus)
constexpr uint32_t kStuckMinUs = 1000000;
constexpr uint32_t kProbeMinUs = 50000;  // a node holding tiles this long unheard is asked  // a node silent on its last tiles at least this long
constexpr uint8_t kMaxRetries = 3;         // I2C attempts before a node counts as lost
}  // namespace timing

}  // namespace picocray
