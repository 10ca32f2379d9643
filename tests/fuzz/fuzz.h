// Shared by the fuzz targets: the libFuzzer entry point, a failing check that aborts (so libFuzzer
// and the replay runner both stop on it), and a cursor over the input bytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace picocray_fuzz {

[[noreturn]] inline void fail(const char* file, int line, const char* cond, const char* what) {
  std::fprintf(stderr, "%s:%d: fuzz check failed: %s: %s\n", file, line, cond, what);
  std::abort();
}

// A property every input must keep; `what` says what differed.
#define FUZZ_CHECK(cond, what)                                           \
  do {                                                                   \
    if (!(cond)) ::picocray_fuzz::fail(__FILE__, __LINE__, #cond, what); \
  } while (0)

// Reads the input front to back; past the end every read gives zeros.
class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  size_t remaining() const { return size_ - pos_; }
  uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint16_t u16() { return static_cast<uint16_t>(u8() | u8() << 8); }
  uint32_t u32() { return static_cast<uint32_t>(u16()) | static_cast<uint32_t>(u16()) << 16; }
  uint64_t u64() { return static_cast<uint64_t>(u32()) | static_cast<uint64_t>(u32()) << 32; }
  // Up to n bytes from the input; *got says how many there were.
  const uint8_t* take(size_t n, size_t* got) {
    *got = n < remaining() ? n : remaining();
    const uint8_t* p = data_ + pos_;
    pos_ += *got;
    return p;
  }
  const uint8_t* rest(size_t* got) { return take(remaining(), got); }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// The parsers of the messages target, by its selector byte (seeds.cpp writes the same numbers).
namespace message_kind {
enum : uint8_t {
  kHelloRequest,
  kHelloReply,
  kInfoReply,
  kNodeEntry,
  kNodesAnswer,
  kRenderRequest,
  kRenderSummary,
  kProgressUpdate,
  kResetRequest,
  kErrorReply,
  kStatusBlock,
  kIdentBlock,
  kJobBlock,
  kTileAssign,
  kAckBlock,
  kClaimBlock,
  kResetMagic,
  kBackoffMagic,
  kEcho,
  kPollBlock,
  kKinds
};
}  // namespace message_kind

}  // namespace picocray_fuzz
