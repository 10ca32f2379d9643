#include "picocray/wire.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

using picocray::Reader;
using picocray::Writer;
using Bytes = std::vector<uint8_t>;

TEST_CASE("wire: u8/u16/u32/u64 are written little-endian") {
  uint8_t buf[32];
  Writer w(buf, sizeof buf);
  w.u8(0xA5);
  w.u16(0x1234);
  w.u32(0x89ABCDEFu);
  w.u64(0x0102030405060708ull);
  REQUIRE(w.ok());
  REQUIRE(w.size() == 15);
  const Bytes want = {0xA5, 0x34, 0x12, 0xEF, 0xCD, 0xAB, 0x89, 0x08,
                      0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
  CHECK(Bytes(buf, buf + w.size()) == want);
  CHECK(w.data() == buf);

  Reader r(want.data(), want.size());
  CHECK(r.u8() == 0xA5);
  CHECK(r.u16() == 0x1234);
  CHECK(r.u32() == 0x89ABCDEFu);
  CHECK(r.u64() == 0x0102030405060708ull);
  CHECK(r.ok());
  CHECK(r.done());
}

TEST_CASE("wire: extreme values survive a round trip") {
  uint8_t buf[15];
  Writer w(buf, sizeof buf);
  w.u8(0xFF);
  w.u16(0xFFFF);
  w.u32(0xFFFFFFFFu);
  w.u64(0x8000000000000001ull);
  REQUIRE(w.ok());
  Reader r(buf, w.size());
  CHECK(r.u8() == 0xFF);
  CHECK(r.u16() == 0xFFFF);
  CHECK(r.u32() == 0xFFFFFFFFu);
  CHECK(r.u64() == 0x8000000000000001ull);
  CHECK(r.done());
}

TEST_CASE("wire: Writer refuses to write past its capacity") {
  uint8_t buf[8];
  std::memset(buf, 0xEE, sizeof buf);
  Writer w(buf, 5);
  w.u32(0x11223344u);
  CHECK(w.ok());
  CHECK(w.size() == 4);
  w.u16(0x5566);  // needs 2, only 1 left
  CHECK_FALSE(w.ok());
  CHECK(w.size() == 4);
  CHECK_MESSAGE(buf[4] == 0xEE, "a refused field must not be partly written");
  w.u8(0x77);  // would fit, but the writer has already failed
  CHECK_FALSE(w.ok());
  CHECK(w.size() == 4);
  CHECK(buf[4] == 0xEE);

  Writer exact(buf, 8);
  exact.u64(1);
  CHECK(exact.ok());
  exact.bytes(nullptr, 0);
  CHECK(exact.ok());
  exact.u8(1);
  CHECK_FALSE(exact.ok());

  Writer none(buf, 0);
  none.u8(1);
  CHECK_FALSE(none.ok());
}

TEST_CASE("wire: Reader past the end fails, returns 0, and stays failed") {
  const uint8_t data[] = {0x01, 0x02, 0x03};
  Reader r(data, sizeof data);
  CHECK(r.u16() == 0x0201);
  CHECK(r.remaining() == 1);
  CHECK(r.u16() == 0);  // one byte left
  CHECK_FALSE(r.ok());
  CHECK_FALSE(r.done());
  CHECK(r.pos() == 2);
  CHECK_MESSAGE(r.u8() == 0, "a failed reader returns 0 even when a byte is left");
  CHECK_FALSE(r.ok());

  Reader r2(data, sizeof data);
  CHECK(r2.u64() == 0);
  CHECK_FALSE(r2.ok());
  CHECK(r2.take(1) == nullptr);

  Reader r3(data, sizeof data);
  uint8_t out[4] = {9, 9, 9, 9};
  r3.bytes(out, 4);
  CHECK_FALSE(r3.ok());
  CHECK_MESSAGE(out[0] == 0, "bytes() past the end zero-fills");
  CHECK(out[3] == 0);
}

TEST_CASE("wire: done() is true only when everything was read without error") {
  const uint8_t data[] = {0x01, 0x02};
  Reader r(data, sizeof data);
  CHECK_FALSE(r.done());
  r.u8();
  CHECK_FALSE(r.done());
  r.u8();
  CHECK(r.done());
  r.u8();
  CHECK_FALSE(r.done());

  Reader empty(nullptr, 0);
  CHECK(empty.done());

  Reader t(data, sizeof data);
  const uint8_t* p = t.take(2);
  REQUIRE(p == data);
  CHECK(t.done());
}

TEST_CASE("wire: strings round-trip as a u8 length and bytes") {
  uint8_t buf[300];
  Writer w(buf, sizeof buf);
  w.str("pico");
  w.str("");
  REQUIRE(w.ok());
  CHECK(Bytes(buf, buf + w.size()) == Bytes{4, 'p', 'i', 'c', 'o', 0});

  Reader r(buf, w.size());
  char s[16];
  r.str(s, sizeof s);
  CHECK(std::string(s) == "pico");
  r.str(s, sizeof s);
  CHECK(std::string(s) == "");
  CHECK(r.done());
}

TEST_CASE("wire: strings are cut at 255 bytes on write and to cap-1 on read") {
  std::string longs(300, 'x');
  for (size_t i = 0; i < longs.size(); ++i) longs[i] = static_cast<char>('a' + i % 26);
  uint8_t buf[400];
  Writer w(buf, sizeof buf);
  w.str(longs.c_str());
  REQUIRE(w.ok());
  CHECK(w.size() == 256);
  CHECK(buf[0] == 255);

  Reader r(buf, w.size());
  char big[300];
  r.str(big, sizeof big);
  CHECK(std::string(big) == longs.substr(0, 255));
  CHECK(r.done());

  // Reading into a small buffer cuts to cap-1 but still consumes the whole string.
  Reader r2(buf, w.size());
  char small[5];
  r2.str(small, sizeof small);
  CHECK(std::string(small) == "abcd");
  CHECK(r2.done());

  // A length byte that promises more than there is fails and leaves an empty string.
  const uint8_t trunc[] = {5, 'a', 'b'};
  Reader r3(trunc, sizeof trunc);
  char out[8] = "junk";
  r3.str(out, sizeof out);
  CHECK_FALSE(r3.ok());
  CHECK(std::string(out) == "");
}
