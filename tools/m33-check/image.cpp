// The image for an emulated Cortex-M33 (qemu-system-arm, machine mps2-an505): runs the board's
// Cortex-M33 kernels (common/src/kernel_m33.cpp) over the seeded check points and prints each
// width's digest of counts and work through semihosting; run.sh compares them with the host's.
// Then the timing points, one call each, for trace.py to count the cycles of.
#include <cstdint>

#include "picocray/kernel.h"
#include "points.h"

using namespace picocray;

namespace {

void semihost(uint32_t op, const void* arg) {
  register uint32_t r0 asm("r0") = op;
  register const void* r1 asm("r1") = arg;
  asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
}

void print(const char* s) {
  semihost(0x04, s);
}  // SYS_WRITE0

void print_hex(uint32_t v) {
  char b[11] = "0x";
  for (int i = 0; i < 8; ++i) b[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xF];
  b[10] = 0;
  print(b);
}

}  // namespace

// The timing points: long runs, so that per-call costs vanish; returns the iterations run.
extern "C" __attribute__((noinline)) uint32_t m33_timing(int limbs) {
  // -0.1+0.1i, -0.5+0.5i and -1.3+0.05i stay inside for 300 iterations; -0.75+0.01i escapes late.
  static const int32_t cx[] = {-13421773, -67108864, -100663296, -174483046};
  static const int32_t cy[] = {13421773, 67108864, 1342177, 6710886};
  uint32_t sum = 0;
  for (int i = 0; i < 4; ++i) {
    Coord x = fx::zero<4>(), y = fx::zero<4>();
    x.w[3] = static_cast<uint32_t>(cx[i]);
    y.w[3] = static_cast<uint32_t>(cy[i]);
    uint32_t work = 0;
    if (limbs == 1) escape32(fx::narrow<1>(x), fx::narrow<1>(y), 300, &work);
    if (limbs == 2) escape64(fx::narrow<2>(x), fx::narrow<2>(y), 300, &work);
    if (limbs == 4) escape128(x, y, 300, &work);
    sum += work;
  }
  return sum;  // the iterations the kernels ran
}

extern "C" int m33_main() {
#if defined(PICOCRAY_M33_TIMING)
  // trace.py's run: only the timing points at one width, and their work.
  print("work ");
  print_hex(m33_timing(PICOCRAY_M33_TIMING));
  print("\n");
  return 0;
#endif
  for (int limbs = 1; limbs <= 4; limbs *= 2) {
    print(limbs == 1 ? "p32 " : limbs == 2 ? "p64 " : "p128 ");
    print_hex(m33check::digest<false>(limbs, limbs == 4 ? 1200 : 4000));
    print("\n");
  }
  return 0;
}
