// The code under test on the emulated Cortex-M0+: thin C entry points around the project's own
// kernels (common/src/kernel.cpp and kernel_m0plus.cpp, compiled alongside this file by build.sh)
// and the soft-double loop a Pico user would write. run.js calls these by address.
#include <cstdint>

#include "picocray/kernel.h"

using namespace picocray;

extern "C" {

uint32_t h_escape32(const Fixed32* cx, const Fixed32* cy, uint32_t max_iter) {
  return escape32(*cx, *cy, static_cast<uint16_t>(max_iter));
}
uint32_t h_escape32_portable(const Fixed32* cx, const Fixed32* cy, uint32_t max_iter) {
  return escape32_portable(*cx, *cy, static_cast<uint16_t>(max_iter));
}
uint32_t h_escape64(const Fixed64* cx, const Fixed64* cy, uint32_t max_iter) {
  return escape64(*cx, *cy, static_cast<uint16_t>(max_iter));
}
uint32_t h_escape64_limbs(const Fixed64* cx, const Fixed64* cy, uint32_t max_iter) {
  return escape64_limbs(*cx, *cy, static_cast<uint16_t>(max_iter));
}
uint32_t h_escape128(const Fixed128* cx, const Fixed128* cy, uint32_t max_iter) {
  return escape128(*cx, *cy, static_cast<uint16_t>(max_iter));
}
uint32_t h_escape128_limbs(const Fixed128* cx, const Fixed128* cy, uint32_t max_iter) {
  return escape128_limbs(*cx, *cy, static_cast<uint16_t>(max_iter));
}

// The baseline: the same loop in double, compiled to libgcc's soft float (__aeabi_dmul, ...).
__attribute__((noinline)) uint16_t escape_double(double cx, double cy, uint16_t max_iter) {
  double x = cx, y = cy;
  for (uint16_t k = 1;; ++k) {
    double x2 = x * x, y2 = y * y;
    if (x2 + y2 > 4.0) return k;
    if (k == max_iter) return max_iter;
    y = 2 * x * y + cy;
    x = x2 - y2 + cx;
  }
}
uint32_t h_escape_double(const double* cx, const double* cy, uint32_t max_iter) {
  return escape_double(*cx, *cy, static_cast<uint16_t>(max_iter));
}

// One 16x16 tile from the middle of the whole set at 640x480 (-2.5..1 x -1.25..1.25) through
// compute_tile, to measure what a pixel costs beyond its iterations; returns the sum of counts.
uint32_t h_tile(uint32_t precision, uint32_t max_iter, uint16_t* counts) {
  TileTask t;
  JobGeometry& g = t.geometry;
  g.precision = static_cast<Precision>(precision);
  g.max_iter = static_cast<uint16_t>(max_iter);
  g.width = 640;
  g.height = 480;
  g.region.x0 = fx::from_int<4>(0);
  g.region.x0.w[3] = 0xEC000000u;  // -2.5
  g.region.x1 = fx::from_int<4>(1);
  g.region.y0 = fx::from_int<4>(0);
  g.region.y0.w[3] = 0xF6000000u;  // -1.25
  g.region.y1 = fx::from_int<4>(0);
  g.region.y1.w[3] = 0x0A000000u;  // 1.25
  t.rect.x = 400;
  t.rect.y = 160;
  t.rect.w = t.rect.h = 16;
  return compute_tile(t, counts);
}

// Many points in one call, for the exactness check: point i is cx limbs, cy limbs, max_iter.
typedef uint32_t (*Kernel)(const void*, const void*, uint32_t);
struct Batch {
  Kernel kernel;
  uint32_t limbs;
  uint32_t n;
  const uint32_t* points;
  uint16_t* counts;
};
void h_batch(const Batch* b) {
  const uint32_t* p = b->points;
  for (uint32_t i = 0; i < b->n; ++i, p += 2 * b->limbs + 1)
    b->counts[i] = static_cast<uint16_t>(b->kernel(p, p + b->limbs, p[2 * b->limbs]));
}

}  // extern "C"

// Timing probes for run.js to check the emulator's cycle model against the Cortex-M0+ Technical
// Reference Manual: each is a fixed prologue, the instructions under test, and `bx lr`; run.js
// subtracts probe_empty.
#define PICOCRAY_PROBE(name, body)                                                 \
  asm(".section .text." #name ",\"ax\",%progbits\n.global " #name "\n.type " #name \
      ",%function\n.thumb_func\n.p2align 2\n" #name                                \
      ":\nmov r2, sp\nsubs r2, #32\n"                                              \
      "mov r3, lr\ncmp r0, r0\n" body "mov lr, r3\nbx lr\n.previous\n");
asm(".syntax unified\n.thumb\n");
PICOCRAY_PROBE(probe_empty, "")
PICOCRAY_PROBE(probe_adds, ".rept 8\nadds r0, r0, r1\n.endr\n")
PICOCRAY_PROBE(probe_muls, ".rept 8\nmuls r0, r1\n.endr\n")
PICOCRAY_PROBE(probe_ldr, ".rept 8\nldr r0, [r2]\n.endr\n")
PICOCRAY_PROBE(probe_str, ".rept 8\nstr r0, [r2]\n.endr\n")
PICOCRAY_PROBE(probe_ldm4, ".rept 8\nldm r2!, {r0, r1, r4, r5}\nsubs r2, #16\n.endr\n")
PICOCRAY_PROBE(probe_b, ".rept 8\nb 1f\n1:\n.endr\n")
PICOCRAY_PROBE(probe_beq_taken, ".rept 8\nbeq 1f\n1:\n.endr\n")
PICOCRAY_PROBE(probe_bne_not_taken, ".rept 8\nbne 1f\n1:\n.endr\n")
PICOCRAY_PROBE(probe_bl_bx, ".rept 8\nbl probe_leaf\n.endr\n")
PICOCRAY_PROBE(probe_push_pop4, ".rept 8\npush {r4, r5, r6, r7}\npop {r4, r5, r6, r7}\n.endr\n")
PICOCRAY_PROBE(probe_push_lr, ".rept 8\npush {r4, lr}\npop {r4, r5}\n.endr\n")
asm(".section .text.probe_leaf,\"ax\",%progbits\n.global probe_leaf\n.type probe_leaf,%function\n"
    ".thumb_func\nprobe_leaf:\nbx lr\n.previous\n");
