// Codec 2 (tile_codec.h): each count told from its neighbours by adaptive binary range coding.
#include "picocray/tile_codec.h"

namespace picocray {
namespace {

constexpr uint32_t kProbBits = 12;
constexpr uint16_t kProbHalf = 1u << (kProbBits - 1);
constexpr uint32_t kAdapt = 4;           // a probability moves 1/16 of the way to each bit seen
constexpr uint32_t kTop = 1u << 24;      // the range is renormalised below this
constexpr uint32_t kLengthBins = 17;     // bit lengths 0..16 of a residual's magnitude + 1
constexpr uint32_t kContexts = 16;       // which of the neighbours a, b, c, d are equal
constexpr uint32_t kLengthContexts = 8;  // the length bins use the low three context bits

// Adaptive probabilities of one tile, each the chance of a 0 in 1/4096: every tile starts afresh,
// so a tile decodes on its own.
struct Model {
  uint16_t same_left[kContexts];
  uint16_t same_above[kContexts];
  uint16_t length[kLengthContexts][kLengthBins];
  Model() {
    for (auto& p : same_left) p = kProbHalf;
    for (auto& p : same_above) p = kProbHalf;
    for (auto& row : length)
      for (auto& p : row) p = kProbHalf;
  }
};

inline void learn(uint16_t& p, uint32_t bit) {
  if (bit)
    p = static_cast<uint16_t>(p - (p >> kAdapt));
  else
    p = static_cast<uint16_t>(p + (((1u << kProbBits) - p) >> kAdapt));
}

// The neighbours a pixel is told from: left a, above b, above-left c, above-right d, each falling
// back to one that exists (0 for the first pixel of the tile).
struct Neighbours {
  uint32_t a, b, ctx;
};

inline Neighbours neighbours(const uint16_t* counts, uint32_t w, uint32_t x, uint32_t y,
                             uint32_t p) {
  const uint32_t a = x > 0 ? counts[p - 1] : (y > 0 ? counts[p - w] : 0);
  const uint32_t b = y > 0 ? counts[p - w] : a;
  const uint32_t c = (x > 0 && y > 0) ? counts[p - w - 1] : b;
  const uint32_t d = (y > 0 && x + 1 < w) ? counts[p - w + 1] : b;
  const uint32_t ctx = static_cast<uint32_t>(a == b) | static_cast<uint32_t>(b == c) << 1 |
                       static_cast<uint32_t>(a == c) << 2 | static_cast<uint32_t>(b == d) << 3;
  return {a, b, ctx};
}

// A carry-propagating range encoder: low is 33 bits, the bytes still open for a carry are the
// cached one and a count of 0xFF bytes after it.
class Encoder {
 public:
  Encoder(uint8_t* out, size_t cap) : out_(out), cap_(cap) {}

  void bit(uint16_t& p, uint32_t b) {
    const uint32_t bound = (range_ >> kProbBits) * p;
    if (b) {
      low_ += bound;
      range_ -= bound;
    } else {
      range_ = bound;
    }
    learn(p, b);
    normalise();
  }

  // A bit with no model: half the range.
  void direct(uint32_t b) {
    range_ >>= 1;
    if (b) low_ += range_;
    normalise();
  }

  // Ends the stream on the value in [low, low + range) with the most zero bytes at its end, which
  // the decoder supplies itself, and drops them. Returns the length, or 0 when out was too small.
  size_t finish() {
    low_ = (low_ + (kTop - 1)) & ~static_cast<uint64_t>(kTop - 1);
    for (int i = 0; i < 5; ++i) shift();
    return overflow_ ? 0 : (len_ == 0 ? put_empty() : len_);
  }

 private:
  void normalise() {
    while (range_ < kTop) {
      range_ <<= 8;
      shift();
    }
  }
  // Out of line: it runs about once in ten pixels, and inlined it crowds the loop's registers
  // (203 cycles a pixel on the M0+ against 171, tools/m0plus-cycles).
  __attribute__((noinline)) void shift() {
    if (static_cast<uint32_t>(low_) < 0xFF000000u || (low_ >> 32) != 0) {
      const uint8_t carry = static_cast<uint8_t>(low_ >> 32);
      if (started_) emit(static_cast<uint8_t>(cache_ + carry));
      for (; pending_ff_ > 0; --pending_ff_) emit(static_cast<uint8_t>(0xFF + carry));
      started_ = true;
      cache_ = static_cast<uint8_t>(low_ >> 24);
    } else {
      ++pending_ff_;
    }
    low_ = (low_ & 0x00FFFFFFu) << 8;
  }
  // Zero bytes are held back until a non-zero one follows: those at the end are never sent.
  void emit(uint8_t v) {
    if (v == 0) {
      ++zeros_;
      return;
    }
    if (cap_ - len_ < zeros_ + 1) {
      overflow_ = true;
      zeros_ = 0;
      return;
    }
    for (; zeros_ > 0; --zeros_) out_[len_++] = 0;
    out_[len_++] = v;
  }
  // Every byte was zero: one zero byte keeps the payload non-empty, which decodes the same.
  size_t put_empty() {
    if (cap_ == 0) return 0;
    out_[0] = 0;
    return 1;
  }

  uint8_t* out_;
  size_t cap_;
  size_t len_ = 0;
  uint64_t low_ = 0;
  uint32_t range_ = 0xFFFFFFFFu;
  uint8_t cache_ = 0;
  uint32_t pending_ff_ = 0;
  size_t zeros_ = 0;
  bool started_ = false;  // the first byte out of shift() is always 0 and is not sent
  bool overflow_ = false;
};

class Decoder {
 public:
  Decoder(const uint8_t* in, size_t len) : in_(in), len_(len) {
    for (int i = 0; i < 4; ++i) code_ = (code_ << 8) | next();
  }

  uint32_t bit(uint16_t& p) {
    const uint32_t bound = (range_ >> kProbBits) * p;
    uint32_t b;
    if (code_ < bound) {
      range_ = bound;
      b = 0;
    } else {
      code_ -= bound;
      range_ -= bound;
      b = 1;
    }
    learn(p, b);
    normalise();
    return b;
  }

  uint32_t direct() {
    range_ >>= 1;
    uint32_t b = 0;
    if (code_ >= range_) {
      code_ -= range_;
      b = 1;
    }
    normalise();
    return b;
  }

  // A stream the encoder wrote ends where the decoder has read it all; bytes beyond that are junk.
  bool all_read() const { return pos_ >= len_; }

 private:
  void normalise() {
    while (range_ < kTop) {
      range_ <<= 8;
      code_ = (code_ << 8) | next();
    }
  }
  uint32_t next() {
    if (pos_ >= len_) {
      ++pos_;  // past the end: the zero bytes the encoder dropped
      return 0;
    }
    return in_[pos_++];
  }

  const uint8_t* in_;
  size_t len_;
  size_t pos_ = 0;
  uint32_t code_ = 0;
  uint32_t range_ = 0xFFFFFFFFu;
};

// A residual e != 0 as u = zigzag(e) - 1 >= 0 (e = 1, -1, 2, -2, ... give 0, 1, 2, 3, ...), sent
// as the bit length n of u + 1 (in unary over adaptive bins) and its n bits below the top one.
inline uint32_t residual_code(int32_t e) {
  return e > 0 ? static_cast<uint32_t>(e) * 2 - 2 : static_cast<uint32_t>(-e) * 2 - 1;
}
inline int32_t residual_value(uint32_t u) {
  return (u & 1) ? -static_cast<int32_t>((u + 1) / 2) : static_cast<int32_t>(u / 2 + 1);
}

}  // namespace

size_t tile_encode_range(const uint16_t* counts, uint32_t w, uint32_t h, uint8_t* out, size_t cap) {
  Model m;
  Encoder enc(out, cap);
  for (uint32_t y = 0, p = 0; y < h; ++y) {
    for (uint32_t x = 0; x < w; ++x, ++p) {
      const Neighbours nb = neighbours(counts, w, x, y, p);
      const uint32_t v = counts[p];
      enc.bit(m.same_left[nb.ctx], v == nb.a);
      if (v == nb.a) continue;
      if (nb.b != nb.a) {
        enc.bit(m.same_above[nb.ctx], v == nb.b);
        if (v == nb.b) continue;
      }
      const uint32_t u1 = residual_code(static_cast<int32_t>(v) - static_cast<int32_t>(nb.a)) + 1;
      uint32_t n = 0;
      while ((u1 >> (n + 1)) != 0) ++n;
      uint16_t* bins = m.length[nb.ctx & (kLengthContexts - 1)];
      for (uint32_t i = 0; i < n; ++i) enc.bit(bins[i], 1);
      if (n + 1 < kLengthBins) enc.bit(bins[n], 0);
      for (uint32_t i = n; i-- > 0;) enc.direct((u1 >> i) & 1);
    }
  }
  return enc.finish();
}

bool tile_decode_range(const uint8_t* in, size_t len, uint32_t w, uint32_t h, uint16_t* counts) {
  if (len == 0) return false;
  Model m;
  Decoder dec(in, len);
  for (uint32_t y = 0, p = 0; y < h; ++y) {
    for (uint32_t x = 0; x < w; ++x, ++p) {
      const Neighbours nb = neighbours(counts, w, x, y, p);
      if (dec.bit(m.same_left[nb.ctx])) {
        counts[p] = static_cast<uint16_t>(nb.a);
        continue;
      }
      if (nb.b != nb.a && dec.bit(m.same_above[nb.ctx])) {
        counts[p] = static_cast<uint16_t>(nb.b);
        continue;
      }
      uint16_t* bins = m.length[nb.ctx & (kLengthContexts - 1)];
      uint32_t n = 0;
      while (n + 1 < kLengthBins && dec.bit(bins[n])) ++n;
      uint32_t u1 = 1;
      for (uint32_t i = 0; i < n; ++i) u1 = (u1 << 1) | dec.direct();
      const int32_t v = static_cast<int32_t>(nb.a) + residual_value(u1 - 1);
      if (v < 0 || v > 65535) return false;
      counts[p] = static_cast<uint16_t>(v);
    }
  }
  return dec.all_read();
}

}  // namespace picocray
