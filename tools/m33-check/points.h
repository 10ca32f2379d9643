// The seeded check points shared by the emulated Cortex-M33 image (image.cpp) and the host
// (host.cpp): the same generator on both sides, so each computes the same points' counts.
#pragma once
#include <cstdint>

#include "picocray/kernel.h"

namespace m33check {

struct Rng {
  uint64_t s = 0x2350c0de5eed1234ull;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

struct Point {
  picocray::Coord x, y;
  uint16_t max_iter;
};

// Point i: edges at small i, then random ones over the set (every limb random), the seahorse
// valley, and the chaotic real segment with a tiny cy, where a product one unit off changes counts.
inline Point point(Rng& rng, uint32_t i) {
  using namespace picocray;
  Point p;
  for (int k = 0; k < 4; ++k) {
    p.x.w[k] = static_cast<uint32_t>(rng.next());
    p.y.w[k] = static_cast<uint32_t>(rng.next());
  }
  switch (i % 4) {
    case 0:  // [-2.5, 1.5) x [-1.5, 1.5)
      p.x.w[3] = static_cast<uint32_t>(rng.next() % (4u << 27)) - (5u << 26);
      p.y.w[3] = static_cast<uint32_t>(rng.next() % (3u << 27)) - (3u << 26);
      p.max_iter = 256;
      break;
    case 1:  // the seahorse valley, x in [-0.76, -0.73), y in [0.08, 0.12)
      p.x.w[3] = static_cast<uint32_t>(-(0x06147AE1 - static_cast<int32_t>(rng.next() % 0x3D70A3)));
      p.y.w[3] = 0x00A3D70Au + static_cast<uint32_t>(rng.next() % 0x51EB85);
      p.max_iter = 300;
      break;
    case 2: {  // c in [-2, -1.6], cy a few units of the last place of some width from 0
      p.x.w[3] =
          static_cast<uint32_t>(-(0x10000000 - static_cast<int32_t>(rng.next() % 0x3333333)));
      const int limb = static_cast<int>(rng.next() % 3);  // 32, 64 or 128-bit scale
      for (int k = 0; k < 4; ++k) p.y.w[k] = 0;
      p.y.w[3 - (limb == 0 ? 0 : limb == 1 ? 1 : 3)] = static_cast<uint32_t>(rng.next() % 4096);
      if (rng.next() & 1) p.y = fx::neg(p.y);
      p.max_iter = 1000;
      break;
    }
    default:  // [-4, 4)^2, short max_iter
      p.x.w[3] = static_cast<uint32_t>(rng.next() % (8u << 27)) - (4u << 27);
      p.y.w[3] = static_cast<uint32_t>(rng.next() % (8u << 27)) - (4u << 27);
      p.max_iter = static_cast<uint16_t>(1 + rng.next() % 64);
      break;
  }
  return p;
}

// FNV-1a over counts and work, width by width.
struct Digest {
  uint32_t h = 2166136261u;
  void add(uint32_t v) {
    for (int k = 0; k < 4; ++k) {
      h ^= (v >> (8 * k)) & 0xFFu;
      h *= 16777619u;
    }
  }
};

// Runs escape at one width over n points; digest of (count, work) pairs. With reference set, the
// portable reference with the kernels' schedule.
template <bool reference>
inline uint32_t digest(int limbs, uint32_t n) {
  using namespace picocray;
  Rng rng;
  Digest d;
  for (uint32_t i = 0; i < n; ++i) {
    const Point p = point(rng, i);
    uint32_t work = 0;
    uint16_t c = 0;
    const uint16_t m = p.max_iter;
    if (limbs == 1) {
      const Fixed32 x = fx::narrow<1>(p.x), y = fx::narrow<1>(p.y);
      c = reference ? escape32_portable(x, y, m, cycle_check_after(Precision::p32, m), &work)
                    : escape32(x, y, m, &work);
    } else if (limbs == 2) {
      const Fixed64 x = fx::narrow<2>(p.x), y = fx::narrow<2>(p.y);
      c = reference ? escape64_limbs(x, y, m, cycle_check_after(Precision::p64, m), &work)
                    : escape64(x, y, m, &work);
    } else {
      c = reference ? escape128_limbs(p.x, p.y, m, cycle_check_after(Precision::p128, m), &work)
                    : escape128(p.x, p.y, m, &work);
    }
    d.add(c);
    d.add(work);
  }
  return d.h;
}

}  // namespace m33check
