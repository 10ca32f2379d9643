#include "picocray/crc8.h"

namespace picocray {

uint8_t crc8(const uint8_t* data, size_t len) {
  uint8_t crc = 0;
  for (size_t i = 0; i < len; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k)
      crc = static_cast<uint8_t>((crc & 0x80u) ? (crc << 1) ^ 0x07u : crc << 1);
  }
  return crc;
}

}  // namespace picocray
