// CRC-32 as zlib and IEEE 802.3 compute it: reflected, polynomial 0xEDB88320, init and xor-out
// 0xFFFFFFFF. "123456789" checks as 0xCBF43926.
#pragma once
#include <cstddef>
#include <cstdint>

namespace picocray {

// Continue a running CRC: pass the previous result (0 to start) and get the new one.
uint32_t crc32_update(uint32_t crc, const uint8_t* data, size_t len);
inline uint32_t crc32(const uint8_t* data, size_t len) {
  return crc32_update(0, data, len);
}

}  // namespace picocray
