// Little-endian field writer and reader with bounds checks. Every field on the wire (USB frames
// and I2C blocks alike) goes through these, one by one; no struct is ever copied onto the wire.
#pragma once
#include <cstddef>
#include <cstdint>

namespace picocray {

class Writer {
 public:
  Writer(uint8_t* buf, size_t cap) : buf_(buf), cap_(cap) {}
  void u8(uint8_t v) { put(&v, 1); }
  void u16(uint16_t v) { le(v, 2); }
  void u32(uint32_t v) { le(v, 4); }
  void u64(uint64_t v) { le(v, 8); }
  void bytes(const uint8_t* p, size_t n) { put(p, n); }
  // A string as u8 length then bytes, cut at 255 bytes.
  void str(const char* s);
  size_t size() const { return len_; }
  bool ok() const { return ok_; }
  uint8_t* data() { return buf_; }

 private:
  void le(uint64_t v, int n) {
    uint8_t b[8];
    for (int i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
    put(b, static_cast<size_t>(n));
  }
  void put(const uint8_t* p, size_t n);
  uint8_t* buf_;
  size_t cap_;
  size_t len_ = 0;
  bool ok_ = true;
};

class Reader {
 public:
  Reader(const uint8_t* buf, size_t len) : buf_(buf), len_(len) {}
  uint8_t u8() { return static_cast<uint8_t>(le(1)); }
  uint16_t u16() { return static_cast<uint16_t>(le(2)); }
  uint32_t u32() { return static_cast<uint32_t>(le(4)); }
  uint64_t u64() { return le(8); }
  void bytes(uint8_t* out, size_t n);
  // Reads a u8-length string into out (always NUL-terminated, cut to cap-1).
  void str(char* out, size_t cap);
  // A view of the next n bytes without copying; nullptr (and !ok()) when they are not there.
  const uint8_t* take(size_t n);
  size_t remaining() const { return len_ - pos_; }
  size_t pos() const { return pos_; }
  bool ok() const { return ok_; }
  // True when everything was read and nothing was left over.
  bool done() const { return ok_ && pos_ == len_; }

 private:
  uint64_t le(int n);
  const uint8_t* buf_;
  size_t len_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace picocray
