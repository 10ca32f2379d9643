// Escape-time kernels for the Cortex-M0+ (RP2040): the same counts as the portable references in
// kernel.cpp, bit for bit, in far fewer cycles.
//
// The M0+ has a single-cycle 32x32->32 MULS and no long multiply, so the compiler turns every
// 64-bit product into a call to __aeabi_lmul. Here every product is built from 16x16->32 partial
// products with the carries kept in ADCS, in Thumb-1 assembly. Each product is still the exact
// magnitude product with the low bits dropped (docs/performance.md has the proof sketch and the
// measurements; tools/m0plus-cycles checks the counts against the host on seeded points).
//
// One shortcut is shared by all widths: the reference escapes when |x| > 2 or |y| > 2, and
// otherwise when x^2 + y^2 > 4. If |x| > 2 then x^2 > 4 too, so the second test returns the same
// k; these kernels escape early only on |x| >= 4 or |y| >= 4 (one shift of the top limbs), which
// keeps every product within its bounds, and let the x^2 + y^2 test catch the rest.
#include "picocray/kernel.h"

#if defined(__ARM_ARCH_6M__)

// The kernels run from SRAM on the board: the Pico SDK's linker script copies .time_critical.*
// there, so they neither wait on flash nor compete for the XIP cache.
#define PICOCRAY_M0PLUS_KERNEL(name) \
  __attribute__((naked, noinline, section(".time_critical.picocray_" name)))

// Assembler macros shared by the kernels, defined and purged inside each kernel's asm.
// umul32: (a, hi) = a * b exactly, from four 16x16 products, each middle product added on its own
// (their sum can pass 2^32); b, t1 and t2 are clobbered.
// usqr32: (a, hi) = a * a exactly, from three: h^2 << 32 + (h*l) << 17 + l^2; t1, t2 clobbered.
#define PICOCRAY_M0PLUS_MACROS           \
  "    .syntax unified\n"                \
  "    .macro umul32 a, b, hi, t1, t2\n" \
  "      lsrs  \\t1, \\a, #16\n"         \
  "      uxth  \\a, \\a\n"               \
  "      lsrs  \\t2, \\b, #16\n"         \
  "      uxth  \\b, \\b\n"               \
  "      movs  \\hi, \\t1\n"             \
  "      muls  \\hi, \\t2\n"             \
  "      muls  \\t1, \\b\n"              \
  "      muls  \\t2, \\a\n"              \
  "      muls  \\a, \\b\n"               \
  "      lsls  \\b, \\t1, #16\n"         \
  "      lsrs  \\t1, \\t1, #16\n"        \
  "      adds  \\a, \\a, \\b\n"          \
  "      adcs  \\hi, \\t1\n"             \
  "      lsls  \\b, \\t2, #16\n"         \
  "      lsrs  \\t2, \\t2, #16\n"        \
  "      adds  \\a, \\a, \\b\n"          \
  "      adcs  \\hi, \\t2\n"             \
  "    .endm\n"                          \
  "    .macro usqr32 a, hi, t1, t2\n"    \
  "      lsrs  \\t1, \\a, #16\n"         \
  "      uxth  \\a, \\a\n"               \
  "      movs  \\hi, \\t1\n"             \
  "      muls  \\hi, \\t1\n"             \
  "      muls  \\t1, \\a\n"              \
  "      muls  \\a, \\a\n"               \
  "      lsls  \\t2, \\t1, #17\n"        \
  "      lsrs  \\t1, \\t1, #15\n"        \
  "      adds  \\a, \\a, \\t2\n"         \
  "      adcs  \\hi, \\t1\n"             \
  "    .endm\n"
#define PICOCRAY_M0PLUS_PURGE "\n.purgem umul32\n.purgem usqr32\n"

namespace picocray {

// Q4.27 in one register. Per iteration: |x|, |y| and the sign of xy; each square from three
// 16x16 products, x2 = 32 h^2 + ((h l + (l^2 >> 17)) >> 10) for |x| = h 2^16 + l, and xy from four,
// 32 xh yh + ((xh yl + xl yh + (xl yl >> 16)) >> 11): the floors taken one after the other are
// the floor of the whole (floor((a + floor(b / M)) / N) = floor((a + b / M) / N) for integers), and
// nothing passes 2^32, so no carries. Registers: r0 x, r1 y, r3 the iterations left in this run,
// r8 cx, r9 cy, r10 max_iter (65536 for 0), r11 the last iteration of this run, r12 and [sp] the
// saved state, [sp+4] the next run's length, lr 2^29 (4.0).
//
// Runs: first check_after plain iterations, then Brent's runs of 1, 2, 4, ... iterations, each
// comparing every new state with the one it began at (x first, in a register; y only when x is
// equal). Returns the count in r0 and the iterations run (the work) in r1, as the portable
// reference's orbit() defines them.
PICOCRAY_M0PLUS_KERNEL("escape32")
uint64_t escape32_m0plus(const Fixed32*, const Fixed32*, uint32_t, uint32_t) {
  asm(R"(
    .syntax unified
    @ One iteration: x in r0, y in r1 become the next x and y; branches to esc if the point escapes.
    .macro iter32 esc
      asrs  r2, r0, #31
      eors  r0, r2
      subs  r0, r0, r2           @ r0 = |x|
      asrs  r5, r1, #31
      eors  r1, r5
      subs  r1, r1, r5           @ r1 = |y|
      eors  r2, r5               @ r2 = sign of xy (0 or -1)
      movs  r5, r0
      orrs  r5, r1
      lsrs  r5, r5, #29
      bne   \esc                 @ |x| >= 4 or |y| >= 4
      lsrs  r5, r0, #16          @ x2 = 32 h^2 + ((h l + (l^2 >> 17)) >> 10)
      uxth  r6, r0
      movs  r4, r6
      muls  r4, r6
      lsrs  r4, r4, #17
      muls  r6, r5
      adds  r4, r4, r6
      lsrs  r4, r4, #10
      muls  r5, r5
      lsls  r5, r5, #5
      adds  r4, r4, r5           @ r4 = x2
      lsrs  r5, r1, #16          @ y2 likewise
      uxth  r6, r1
      movs  r7, r6
      muls  r7, r6
      lsrs  r7, r7, #17
      muls  r6, r5
      adds  r7, r7, r6
      lsrs  r7, r7, #10
      muls  r5, r5
      lsls  r5, r5, #5
      adds  r7, r7, r5           @ r7 = y2
      adds  r5, r4, r7
      cmp   r5, lr
      bhi   \esc                 @ x2 + y2 > 4
      subs  r4, r4, r7           @ r4 = x2 - y2
      lsrs  r5, r0, #16          @ xy: |x|, |y| <= 2 now, so xh, yh < 2^13
      uxth  r0, r0
      lsrs  r6, r1, #16
      uxth  r1, r1
      movs  r7, r0
      muls  r7, r1               @ xl yl
      lsrs  r7, r7, #16
      muls  r0, r6               @ xl yh
      muls  r1, r5               @ xh yl
      adds  r7, r7, r0
      adds  r7, r7, r1
      lsrs  r7, r7, #11
      muls  r5, r6               @ xh yh
      lsls  r5, r5, #5
      adds  r7, r7, r5           @ r7 = |xy|
      eors  r7, r2
      subs  r7, r7, r2           @ xy with its sign
      lsls  r1, r7, #1
      add   r1, r9               @ y = 2xy + cy
      movs  r0, r4
      add   r0, r8               @ x = x2 - y2 + cx
    .endm

    push  {r4-r7, lr}
    mov   r4, r8
    mov   r5, r9
    mov   r6, r10
    mov   r7, r11
    push  {r4-r7}
    sub   sp, #8                 @ [sp] saved y, [sp+4] the next run's length
    ldr   r0, [r0]
    ldr   r1, [r1]
    mov   r8, r0
    mov   r9, r1
    cmp   r2, #0
    bne   1f
    movs  r2, #1
    lsls  r2, r2, #16            @ max_iter 0 wraps like the uint16_t counter: 65536 iterations
1:  mov   r10, r2
    cmp   r3, r2
    bls   2f
    movs  r3, r2                 @ the plain run: min(check_after, max_iter)
2:  mov   r11, r3
    movs  r4, #1
    str   r4, [sp, #4]
    lsls  r4, r4, #29
    mov   lr, r4
    cmp   r3, #0
    beq   .Lesc32_run_end

.Lesc32_plain:
    iter32 .Lesc32_plain_escape
    subs  r3, #1
    bne   .Lesc32_plain
    b     .Lesc32_run_end
.Lesc32_plain_escape:
    b     .Lesc32_escape

.Lesc32_checked:
    iter32 .Lesc32_checked_escape
    cmp   r0, r12
    beq   .Lesc32_same_x
.Lesc32_checked_on:
    subs  r3, #1
    bne   .Lesc32_checked

.Lesc32_run_end:                 @ r3 = 0: r11 iterations done
    mov   r4, r11
    cmp   r4, r10
    beq   .Lesc32_max
    mov   r12, r0                @ the next run begins here: save the state
    str   r1, [sp]
    ldr   r3, [sp, #4]
    lsls  r5, r3, #1
    str   r5, [sp, #4]
    mov   r5, r10
    subs  r5, r5, r4             @ iterations left
    cmp   r3, r5
    bls   3f
    movs  r3, r5
3:  adds  r4, r4, r3
    mov   r11, r4
    b     .Lesc32_checked

.Lesc32_same_x:
    ldr   r4, [sp]
    cmp   r1, r4
    bne   .Lesc32_checked_on
    mov   r1, r11                @ a cycle: inside; work = the iteration that closed it
    adds  r1, #1
    subs  r1, r1, r3
    mov   r0, r10
    b     .Lesc32_out
.Lesc32_checked_escape:
.Lesc32_escape:
    mov   r1, r11
    adds  r1, #1
    subs  r1, r1, r3             @ k = last of the run + 1 - left in it
    movs  r0, r1
    b     .Lesc32_out
.Lesc32_max:
    mov   r0, r10
    mov   r1, r10
.Lesc32_out:
    uxth  r0, r0
    add   sp, #8
    pop   {r4-r7}
    mov   r8, r4
    mov   r9, r5
    mov   r10, r6
    mov   r11, r7
    pop   {r4-r7, pc}
    .purgem iter32
  )");
}

uint16_t escape32(const Fixed32& cx, const Fixed32& cy, uint16_t max_iter, uint32_t* work) {
  const uint64_t r =
      escape32_m0plus(&cx, &cy, max_iter, cycle_check_after(Precision::p32, max_iter));
  if (work) *work = static_cast<uint32_t>(r >> 32);
  return static_cast<uint16_t>(r);
}

// Q4.59 in two limbs. The frame holds cx, cy and the magnitudes |x|, |y|; r8 max_iter (65536
// for 0), r9 the iterations left, r10 the sign of xy, r11:r12 x2 and then the next x.
//   x2 = |x|^2 >> 59 from a0^2 (its high word), (a0 * 2a1) << 32 and a1^2 << 64: 10 MULS;
//   xy = |x||y| >> 59 from a0b0 (high word), a0b1 and a1b0 << 32, a1b1 << 64: 16 MULS.
PICOCRAY_M0PLUS_KERNEL("escape64")
uint16_t escape64_m0plus(const Fixed64*, const Fixed64*, uint32_t) {
  asm(PICOCRAY_M0PLUS_MACROS R"(
    @ (r0, r1) = (r0, r1)^2 >> 59 for a magnitude below 2^61; r2-r7 clobbered
    .macro sqr64
      movs  r2, r0
      usqr32 r2, r6, r4, r5      @ r6 = high word of a0^2
      lsls  r3, r1, #1
      umul32 r0, r3, r5, r4, r7  @ (r0, r5) = a0 * 2a1
      movs  r2, #0
      adds  r6, r6, r0           @ P1
      adcs  r5, r2
      usqr32 r1, r3, r4, r7      @ (r1, r3) = a1^2
      adds  r5, r5, r1           @ P2
      adcs  r3, r2               @ P3
      lsrs  r6, r6, #27
      lsls  r0, r5, #5
      orrs  r0, r6
      lsrs  r5, r5, #27
      lsls  r1, r3, #5
      orrs  r1, r5
    .endm

    push  {r4-r7, lr}
    mov   r4, r8
    mov   r5, r9
    mov   r6, r10
    mov   r7, r11
    push  {r4-r7}
    sub   sp, #32              @ [0] cx [8] cy [16] |x| [24] |y|
    ldm   r0!, {r4, r5}
    ldm   r1!, {r6, r7}
    mov   r3, sp
    stm   r3!, {r4-r7}
    cmp   r2, #0
    bne   1f
    movs  r2, #1
    lsls  r2, r2, #16          @ max_iter 0 wraps like the uint16_t counter: 65536 iterations
1:  mov   r8, r2
    mov   r9, r2
    movs  r0, r4
    movs  r1, r5
    movs  r2, r6
    movs  r3, r7
    b     .Lesc64_loop
.Lesc64_far_escape:            @ within reach of the loop's first conditional branch
    b     .Lesc64_escape

.Lesc64_loop:                  @ x in r0:r1, y in r2:r3
    asrs  r4, r1, #31
    eors  r0, r4
    eors  r1, r4
    subs  r0, r0, r4
    sbcs  r1, r4               @ |x|
    asrs  r5, r3, #31
    eors  r2, r5
    eors  r3, r5
    subs  r2, r2, r5
    sbcs  r3, r5               @ |y|
    eors  r4, r5
    mov   r10, r4              @ sign of xy
    movs  r4, r1
    orrs  r4, r3
    lsrs  r4, r4, #29
    bne   .Lesc64_far_escape   @ |x| >= 4 or |y| >= 4
    add   r4, sp, #16
    stm   r4!, {r0-r3}

    sqr64                      @ x2
    mov   r11, r0
    mov   r12, r1
    ldr   r0, [sp, #24]
    ldr   r1, [sp, #28]
    sqr64                      @ y2
    mov   r2, r11
    mov   r3, r12              @ x2 in r2:r3, y2 in r0:r1
    movs  r5, r3
    adds  r4, r2, r0
    adcs  r5, r1               @ x2 + y2 (below 2^64: both below 2^63)
    lsrs  r6, r5, #29
    bne   .Lesc64_near_four
.Lesc64_inside:
    mov   r4, r9
    subs  r4, #1
    beq   .Lesc64_max          @ k == max_iter
    mov   r9, r4

    subs  r2, r2, r0
    sbcs  r3, r1
    ldr   r4, [sp, #0]
    ldr   r5, [sp, #4]
    adds  r2, r2, r4
    adcs  r3, r5
    mov   r11, r2
    mov   r12, r3              @ next x = x2 - y2 + cx

    add   r4, sp, #16
    ldm   r4!, {r0-r3}         @ |x|, |y|: both at most 2^60 now
    mov   lr, r1
    movs  r4, r0
    movs  r5, r2
    umul32 r4, r5, r1, r6, r7  @ r1 = high word of a0b0: P1
    movs  r5, r3
    umul32 r0, r5, r7, r4, r6  @ (r0, r7) = a0b1
    movs  r4, #0
    adds  r1, r1, r0
    adcs  r7, r4               @ P2
    mov   r0, lr
    umul32 r0, r2, r6, r4, r5  @ (r0, r6) = a1b0
    adds  r1, r1, r0
    adcs  r7, r6
    mov   r0, lr
    umul32 r0, r3, r6, r4, r5  @ (r0, r6) = a1b1
    movs  r4, #0
    adds  r7, r7, r0
    adcs  r6, r4               @ P3
    lsrs  r1, r1, #27
    lsls  r0, r7, #5
    orrs  r0, r1
    lsrs  r7, r7, #27
    lsls  r1, r6, #5
    orrs  r1, r7               @ |xy|

    mov   r4, r10
    eors  r0, r4
    eors  r1, r4
    subs  r0, r0, r4
    sbcs  r1, r4               @ xy with its sign
    adds  r0, r0, r0
    adcs  r1, r1
    ldr   r4, [sp, #8]
    ldr   r5, [sp, #12]
    adds  r2, r0, r4
    movs  r3, r1
    adcs  r3, r5               @ y = 2xy + cy
    mov   r0, r11
    mov   r1, r12
    b     .Lesc64_loop

.Lesc64_near_four:             @ x2 + y2 >= 4: escape unless exactly 4
    movs  r6, #1
    lsls  r6, r6, #29
    cmp   r5, r6
    bhi   .Lesc64_escape
    cmp   r4, #0
    beq   .Lesc64_inside
.Lesc64_escape:
    mov   r0, r8
    mov   r1, r9
    subs  r0, r0, r1
    adds  r0, #1               @ k = max_iter - left + 1
    b     .Lesc64_out
.Lesc64_max:
    mov   r0, r8
.Lesc64_out:
    uxth  r0, r0
    add   sp, #32
    pop   {r4-r7}
    mov   r8, r4
    mov   r9, r5
    mov   r10, r6
    mov   r11, r7
    pop   {r4-r7, pc}
    .purgem sqr64
  )" PICOCRAY_M0PLUS_PURGE);
}

// Q4.123 in four limbs, all in the frame: [0] cx [16] cy [32] x [48] y [64] |y| [80] |x|
// [96] y2 [112] x2 [128] xy; r8 max_iter (65536 for 0), r9 the iterations left, r10 the sign of xy.
// Products are column-wise (Comba): each column's 32x32 products go into a three-word accumulator
// (three of r5-r7, turning round one place per column); columns 0-2 only carry, columns 3-7 give
// the result's words (>> 123), shifted through r12. The square (4 squares, 6 doubled products) is a
// subroutine on [sp+80] -> [sp+112], called with sp 16 lower for y (lower, never higher, so an
// interrupt's stacking cannot reach the frame).
PICOCRAY_M0PLUS_KERNEL("escape128")
uint16_t escape128_m0plus(const Fixed128*, const Fixed128*, uint32_t) {
  asm(PICOCRAY_M0PLUS_MACROS R"(
    .macro acc c0, c1, c2        @ (c2:c1:c0) += (r2:r0)
      movs  r1, #0
      adds  \c0, \c0, r0
      adcs  \c1, r2
      adcs  \c2, r1
    .endm
    .macro mac a, b, c0, c1, c2  @ += [sp+a] * [sp+b]
      ldr   r0, [sp, #\a]
      ldr   r1, [sp, #\b]
      umul32 r0, r1, r2, r3, r4
      acc   \c0, \c1, \c2
    .endm
    .macro mac2 a, b, c0, c1, c2 @ += 2 [sp+a] [sp+b]
      mac   \a, \b, \c0, \c1, \c2
      adds  \c0, \c0, r0
      adcs  \c1, r2
      adcs  \c2, r1
    .endm
    .macro mac2top a, b, c0, c1, c2  @ += [sp+a] * 2 [sp+b], for a top limb [sp+b] below 2^31
      ldr   r0, [sp, #\a]
      ldr   r1, [sp, #\b]
      lsls  r1, r1, #1
      umul32 r0, r1, r2, r3, r4
      acc   \c0, \c1, \c2
    .endm
    .macro sqa a, c0, c1, c2     @ += [sp+a]^2
      ldr   r0, [sp, #\a]
      usqr32 r0, r2, r3, r4
      acc   \c0, \c1, \c2
    .endm
    .macro col_carry c0          @ columns 0-2: only their carries count
      movs  \c0, #0
    .endm
    .macro col_first c0          @ column 3: bits 123-127 of the product
      lsrs  \c0, \c0, #27
      mov   r12, \c0
      movs  \c0, #0
    .endm
    .macro col_out c0, out       @ columns 4-7: one word of the product >> 123
      lsls  r0, \c0, #5
      mov   r1, r12
      orrs  r0, r1
      str   r0, [sp, #\out]
      lsrs  \c0, \c0, #27
      mov   r12, \c0
      movs  \c0, #0
    .endm

    push  {r4-r7, lr}
    mov   r4, r8
    mov   r5, r9
    mov   r6, r10
    mov   r7, r11
    push  {r4-r7}
    sub   sp, #144
    mov   r3, sp
    ldm   r0!, {r4-r7}
    stm   r3!, {r4-r7}             @ cx
    ldm   r1!, {r4-r7}
    stm   r3!, {r4-r7}             @ cy
    subs  r0, #16
    ldm   r0!, {r4-r7}
    stm   r3!, {r4-r7}             @ x = cx
    subs  r1, #16
    ldm   r1!, {r4-r7}
    stm   r3!, {r4-r7}             @ y = cy
    cmp   r2, #0
    bne   1f
    movs  r2, #1
    lsls  r2, r2, #16              @ max_iter 0 wraps like the uint16_t counter: 65536 iterations
1:  mov   r8, r2
    mov   r9, r2
    b     .Lesc128_loop

.Lesc128_far_escape:
    b     .Lesc128_escape
.Lesc128_far_max:
    b     .Lesc128_max
.Lesc128_near_four:                @ x2 + y2 >= 4: escape unless exactly 4
    movs  r4, #1
    lsls  r4, r4, #29
    cmp   r3, r4
    bhi   .Lesc128_far_escape
    orrs  r0, r1
    orrs  r0, r2
    bne   .Lesc128_far_escape
    b     .Lesc128_inside

.Lesc128_loop:
    add   r4, sp, #32
    ldm   r4!, {r0-r3}             @ x
    asrs  r5, r3, #31
    eors  r0, r5
    eors  r1, r5
    eors  r2, r5
    eors  r3, r5
    subs  r0, r0, r5
    sbcs  r1, r5
    sbcs  r2, r5
    sbcs  r3, r5
    mov   r10, r5
    movs  r6, r3
    add   r4, sp, #80
    stm   r4!, {r0-r3}             @ |x|
    add   r7, sp, #48
    ldm   r7!, {r0-r3}             @ y
    asrs  r5, r3, #31
    eors  r0, r5
    eors  r1, r5
    eors  r2, r5
    eors  r3, r5
    subs  r0, r0, r5
    sbcs  r1, r5
    sbcs  r2, r5
    sbcs  r3, r5
    add   r4, sp, #64
    stm   r4!, {r0-r3}             @ |y|
    mov   r4, r10
    eors  r4, r5
    mov   r10, r4                  @ sign of xy
    orrs  r6, r3
    lsrs  r6, r6, #29
    bne   .Lesc128_far_escape      @ |x| >= 4 or |y| >= 4

    bl    .Lesc128_sqr             @ x2
    sub   sp, #16
    bl    .Lesc128_sqr             @ y2
    add   sp, #16
    add   r4, sp, #96
    ldm   r4!, {r0-r3}             @ y2
    ldm   r4, {r4-r7}              @ x2
    adds  r0, r0, r4
    adcs  r1, r5
    adcs  r2, r6
    adcs  r3, r7                   @ x2 + y2 (below 2^128: both below 2^127)
    lsrs  r4, r3, #29
    bne   .Lesc128_near_four
.Lesc128_inside:
    mov   r4, r9
    subs  r4, #1
    beq   .Lesc128_far_max         @ k == max_iter
    mov   r9, r4

    add   r4, sp, #112
    ldm   r4!, {r0-r3}             @ x2
    add   r7, sp, #96
    ldm   r7, {r4-r7}              @ y2
    subs  r0, r0, r4
    sbcs  r1, r5
    sbcs  r2, r6
    sbcs  r3, r7
    mov   r7, sp
    ldm   r7, {r4-r7}              @ cx
    adds  r0, r0, r4
    adcs  r1, r5
    adcs  r2, r6
    adcs  r3, r7
    add   r4, sp, #32
    stm   r4!, {r0-r3}             @ next x = x2 - y2 + cx

    @ xy = |x||y| >> 123 into [128]: |x| at [80], |y| at [64], both at most 2^124 now
    movs  r5, #0
    movs  r6, #0
    movs  r7, #0
    mac   80, 64, r5, r6, r7
    col_carry r5
    mac   80, 68, r6, r7, r5
    mac   84, 64, r6, r7, r5
    col_carry r6
    mac   80, 72, r7, r5, r6
    mac   84, 68, r7, r5, r6
    mac   88, 64, r7, r5, r6
    col_carry r7
    mac   80, 76, r5, r6, r7
    mac   84, 72, r5, r6, r7
    mac   88, 68, r5, r6, r7
    mac   92, 64, r5, r6, r7
    col_first r5
    mac   84, 76, r6, r7, r5
    mac   88, 72, r6, r7, r5
    mac   92, 68, r6, r7, r5
    col_out r6, 128
    mac   88, 76, r7, r5, r6
    mac   92, 72, r7, r5, r6
    col_out r7, 132
    mac   92, 76, r5, r6, r7
    col_out r5, 136
    col_out r6, 140

    add   r4, sp, #128
    ldm   r4!, {r0-r3}
    mov   r4, r10
    eors  r0, r4
    eors  r1, r4
    eors  r2, r4
    eors  r3, r4
    subs  r0, r0, r4
    sbcs  r1, r4
    sbcs  r2, r4
    sbcs  r3, r4                   @ xy with its sign
    adds  r0, r0, r0
    adcs  r1, r1
    adcs  r2, r2
    adcs  r3, r3
    add   r7, sp, #16
    ldm   r7, {r4-r7}              @ cy
    adds  r0, r0, r4
    adcs  r1, r5
    adcs  r2, r6
    adcs  r3, r7
    add   r4, sp, #48
    stm   r4!, {r0-r3}             @ next y = 2xy + cy
    b     .Lesc128_loop

.Lesc128_escape:
    mov   r0, r8
    mov   r1, r9
    subs  r0, r0, r1
    adds  r0, #1                   @ k = max_iter - left + 1
    b     .Lesc128_out
.Lesc128_max:
    mov   r0, r8
.Lesc128_out:
    uxth  r0, r0
    add   sp, #144
    pop   {r4-r7}
    mov   r8, r4
    mov   r9, r5
    mov   r10, r6
    mov   r11, r7
    pop   {r4-r7, pc}

    @ [sp+112] = [sp+80]^2 >> 123, for a magnitude below 2^127; r0-r7, r12 clobbered
.Lesc128_sqr:
    movs  r5, #0
    movs  r6, #0
    movs  r7, #0
    sqa   80, r5, r6, r7
    col_carry r5
    mac2  80, 84, r6, r7, r5
    col_carry r6
    mac2  80, 88, r7, r5, r6
    sqa   84, r7, r5, r6
    col_carry r7
    mac2top 80, 92, r5, r6, r7
    mac2  84, 88, r5, r6, r7
    col_first r5
    mac2top 84, 92, r6, r7, r5
    sqa   88, r6, r7, r5
    col_out r6, 112
    mac2top 88, 92, r7, r5, r6
    col_out r7, 116
    sqa   92, r5, r6, r7
    col_out r5, 120
    col_out r6, 124
    bx    lr

    .purgem acc
    .purgem mac
    .purgem mac2
    .purgem mac2top
    .purgem sqa
    .purgem col_carry
    .purgem col_first
    .purgem col_out
  )" PICOCRAY_M0PLUS_PURGE);
}

// The 64- and 128-bit kernels run the plain loop (cycle_check_after: checking does not pay at these
// widths on the bench scenes); work is the count, or max_iter (65536 for 0) inside.
uint16_t escape64(const Fixed64& cx, const Fixed64& cy, uint16_t max_iter, uint32_t* work) {
  const uint16_t n = escape64_m0plus(&cx, &cy, max_iter);
  if (work) *work = n ? n : 65536u;  // 0 only as 65536 iterations (max_iter 0)
  return n;
}

uint16_t escape128(const Fixed128& cx, const Fixed128& cy, uint16_t max_iter, uint32_t* work) {
  const uint16_t n = escape128_m0plus(&cx, &cy, max_iter);
  if (work) *work = n ? n : 65536u;
  return n;
}

}  // namespace picocray
#endif  // __ARM_ARCH_6M__
