// CRC-8 as SMBus's packet error check computes it: polynomial 0x07, init 0, no reflection, no
// xor-out. "123456789" checks as 0xF4. Guards the short POLL block, read far more often than any
// other, where a CRC-32 would double the bytes.
#pragma once
#include <cstddef>
#include <cstdint>

namespace picocray {

uint8_t crc8(const uint8_t* data, size_t len);

}  // namespace picocray
