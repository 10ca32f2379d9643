// The code under test on the emulated Cortex-M0+: thin C entry points around the project's own
// kernels (common/src/kernel.cpp and kernel_m0plus.cpp, compiled alongside this file by build.sh)
// and the soft-double loop a Pico user would write, and the tile encoders (tile_codec*.cpp). run.js
// calls these by address.
#include <cstdint>

#include "picocray/crc32.h"
#include "picocray/kernel.h"
#include "picocray/tile_codec.h"

using namespace picocray;

extern "C" {

// Each entry point returns the count in r0 and, where the kernel reports it, the work (iterations
// run) in r1.
static uint64_t with_work(uint16_t count, uint32_t work) {
  return count | static_cast<uint64_t>(work) << 32;
}
uint64_t h_escape32(const Fixed32* cx, const Fixed32* cy, uint32_t max_iter) {
  uint32_t work = 0;
  const uint16_t n = escape32(*cx, *cy, static_cast<uint16_t>(max_iter), &work);
  return with_work(n, work);
}
// The 32-bit kernel's two loops on their own: the plain loop throughout, and checking throughout.
uint64_t h_escape32_plain(const Fixed32* cx, const Fixed32* cy, uint32_t max_iter) {
  return escape32_m0plus(cx, cy, max_iter & 0xFFFFu, kNoCycleCheck);
}
uint64_t h_escape32_checked(const Fixed32* cx, const Fixed32* cy, uint32_t max_iter) {
  return escape32_m0plus(cx, cy, max_iter & 0xFFFFu, 0);
}
uint64_t h_escape32_portable(const Fixed32* cx, const Fixed32* cy, uint32_t max_iter) {
  return with_work(escape32_portable(*cx, *cy, static_cast<uint16_t>(max_iter)), 0);
}
uint64_t h_escape64(const Fixed64* cx, const Fixed64* cy, uint32_t max_iter) {
  uint32_t work = 0;
  const uint16_t n = escape64(*cx, *cy, static_cast<uint16_t>(max_iter), &work);
  return with_work(n, work);
}
uint64_t h_escape64_limbs(const Fixed64* cx, const Fixed64* cy, uint32_t max_iter) {
  return with_work(escape64_limbs(*cx, *cy, static_cast<uint16_t>(max_iter)), 0);
}
uint64_t h_escape128(const Fixed128* cx, const Fixed128* cy, uint32_t max_iter) {
  uint32_t work = 0;
  const uint16_t n = escape128(*cx, *cy, static_cast<uint16_t>(max_iter), &work);
  return with_work(n, work);
}
uint64_t h_escape128_limbs(const Fixed128* cx, const Fixed128* cy, uint32_t max_iter) {
  return with_work(escape128_limbs(*cx, *cy, static_cast<uint16_t>(max_iter)), 0);
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

// The 32x32 tile (the bench's tile size) at x, y (xy = x | y << 16) of the whole set at 640x480
// (-2.5..1 x -1.25..1.25), computed as the board computes it (firmware/rp2040/compute.cpp): one
// compute_tile_rows call per row, each a piece of one row. run.js subtracts the iterations to get
// what a pixel costs besides the kernel; returns the sum of counts.
uint32_t h_tile_at(uint32_t precision, uint32_t max_iter, uint16_t* counts, uint32_t xy) {
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
  t.rect.x = static_cast<uint16_t>(xy);
  t.rect.y = static_cast<uint16_t>(xy >> 16);
  t.rect.w = t.rect.h = 32;
  uint32_t sum = 0;
  for (uint8_t r = 0; r < t.rect.h; ++r) {
    TileTask piece = t;
    piece.rect.y = static_cast<uint16_t>(t.rect.y + r);
    piece.rect.h = 1;
    sum += compute_tile_rows(piece, counts + r * t.rect.w, 0, 1);
  }
  return sum;
}

// From the middle of the set.
uint32_t h_tile(uint32_t precision, uint32_t max_iter, uint16_t* counts) {
  return h_tile_at(precision, max_iter, counts, 400 | 160u << 16);
}

// A 32x32 tile's counts in codec 1 or 2, as a secondary encodes each tile it finishes; returns the
// length (0 when out is too small).
uint32_t h_encode(uint32_t codec, const uint16_t* counts, uint8_t* out, uint32_t cap) {
  return static_cast<uint32_t>(codec == kTileCodecRange
                                   ? tile_encode_range(counts, 32, 32, out, cap)
                                   : tile_encode(counts, 32, 32, out, cap));
}

// The block's CRC-32, which the secondary computes over the header and payload of each block.
uint32_t h_crc32(const uint8_t* data, uint32_t len) {
  return crc32(data, len);
}

// Many points in one call, for the exactness check: point i is cx limbs, cy limbs, max_iter; its
// count goes to counts[i] and its work to works[i].
typedef uint64_t (*Kernel)(const void*, const void*, uint32_t);
struct Batch {
  Kernel kernel;
  uint32_t limbs;
  uint32_t n;
  const uint32_t* points;
  uint16_t* counts;
  uint32_t* works;
};
void h_batch(const Batch* b) {
  const uint32_t* p = b->points;
  for (uint32_t i = 0; i < b->n; ++i, p += 2 * b->limbs + 1) {
    const uint64_t r = b->kernel(p, p + b->limbs, p[2 * b->limbs]);
    b->counts[i] = static_cast<uint16_t>(r);
    b->works[i] = static_cast<uint32_t>(r >> 32);
  }
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
