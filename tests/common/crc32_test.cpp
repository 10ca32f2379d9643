#include "picocray/crc32.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <vector>

using picocray::crc32;
using picocray::crc32_update;

TEST_CASE("crc32: the standard check value") {
  const char* s = "123456789";
  CHECK(crc32(reinterpret_cast<const uint8_t*>(s), std::strlen(s)) == 0xCBF43926u);
}

TEST_CASE("crc32: empty input is 0, and an empty update leaves the CRC alone") {
  CHECK(crc32(nullptr, 0) == 0u);
  CHECK(crc32_update(0xCBF43926u, nullptr, 0) == 0xCBF43926u);
}

TEST_CASE("crc32: known single-byte and zero-filled values") {
  const uint8_t a = 'a';
  CHECK(crc32(&a, 1) == 0xE8B7BE43u);
  const uint8_t zeros[4] = {0, 0, 0, 0};
  CHECK(crc32(zeros, sizeof zeros) == 0x2144DF1Cu);
}

TEST_CASE("crc32: incremental updates over split buffers equal the one-shot CRC") {
  std::vector<uint8_t> data(1000);
  uint32_t x = 12345;
  for (auto& b : data) {
    x = x * 1103515245u + 12345u;
    b = static_cast<uint8_t>(x >> 24);
  }
  const uint32_t whole = crc32(data.data(), data.size());
  for (size_t split : {size_t{0}, size_t{1}, size_t{7}, size_t{500}, size_t{999}, size_t{1000}}) {
    CAPTURE(split);
    uint32_t c = crc32_update(0, data.data(), split);
    c = crc32_update(c, data.data() + split, data.size() - split);
    CHECK(c == whole);
  }
  // Byte by byte.
  uint32_t c = 0;
  for (uint8_t b : data) c = crc32_update(c, &b, 1);
  CHECK(c == whole);
}
