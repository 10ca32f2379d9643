// Every host kernel (firmware/sim/include/picocray/host_kernels.h) gives common/'s counts, bit for
// bit: each SIMD kernel the CPU has against the portable references, on seeded random points and
// on tile grids at 32, 64 and 128 bits; and the choice of kernel can be forced to the fallback.
#include "picocray/host_kernels.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "picocray/decimal.h"
#include "picocray/kernel.h"

using namespace picocray;
using host::KernelKind;

namespace {

struct Rng {
  uint64_t s;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

Coord dec(const char* s) {
  Coord c = fx::zero<4>();
  bool ok = parse_decimal(s, std::strlen(s), &c);
  REQUIRE_MESSAGE(ok, "parse_decimal failed on \"" << s << "\"");
  return c;
}

std::vector<KernelKind> available() {
  std::vector<KernelKind> v;
  for (KernelKind k : host::kAllKernels)
    if (host::kernel_available(k)) v.push_back(k);
  return v;
}

// A raw value at F fraction bits in [-4, 4): every bit random, a third of the time near +-2 (the
// |x| > 2 edge) and a third inside the cardioid's neighbourhood, where counts run long.
template <class E, int F>
E random_value(Rng& rng, bool imag) {
  const uint64_t bits = rng.next();
  const uint64_t unit = uint64_t{1} << F;
  switch (rng.next() % 3) {
    case 0:
      return static_cast<E>(static_cast<int64_t>(bits % (8 * unit)) -
                            static_cast<int64_t>(4 * unit));
    case 1: {
      const int64_t off =
          static_cast<int64_t>(bits % (unit >> 10)) - static_cast<int64_t>(unit >> 11);
      return static_cast<E>(((rng.next() & 1) ? 2 : -2) * static_cast<int64_t>(unit) + off);
    }
    default:
      // [-0.8, 0.4) x [-0.7, 0.7): mostly slow escapes and inside points.
      if (imag)
        return static_cast<E>(static_cast<int64_t>(bits % (unit * 14 / 10)) -
                              static_cast<int64_t>(unit * 7 / 10));
      return static_cast<E>(static_cast<int64_t>(bits % (unit * 12 / 10)) -
                            static_cast<int64_t>(unit * 8 / 10));
  }
}

uint16_t portable32(int32_t cx, int32_t cy, uint16_t max_iter) {
  Fixed32 x, y;
  x.w[0] = static_cast<uint32_t>(cx);
  y.w[0] = static_cast<uint32_t>(cy);
  return escape32_portable(x, y, max_iter);
}

uint16_t portable64(int64_t cx, int64_t cy, uint16_t max_iter) {
  Fixed64 x, y;
  x.w[0] = static_cast<uint32_t>(static_cast<uint64_t>(cx));
  x.w[1] = static_cast<uint32_t>(static_cast<uint64_t>(cx) >> 32);
  y.w[0] = static_cast<uint32_t>(static_cast<uint64_t>(cy));
  y.w[1] = static_cast<uint32_t>(static_cast<uint64_t>(cy) >> 32);
  return escape64_limbs(x, y, max_iter);
}

TileTask view(const char* x0, const char* x1, const char* y0, const char* y1, uint16_t width,
              uint16_t height, uint16_t iter, Precision p) {
  TileTask t;
  JobGeometry& g = t.geometry;
  g.precision = p;
  g.max_iter = iter;
  g.width = width;
  g.height = height;
  g.region.x0 = dec(x0);
  g.region.x1 = dec(x1);
  g.region.y0 = dec(y0);
  g.region.y1 = dec(y1);
  return t;
}

// The iterations the node's kernel runs for pixel (x, y) of the job.
uint32_t node_work(const JobGeometry& g, uint32_t x, uint32_t y) {
  const Coord cx = pixel_x(g, x), cy = pixel_y(g, y);
  uint32_t work = 0;
  if (g.precision == Precision::p32)
    escape32(fx::narrow<1>(cx), fx::narrow<1>(cy), g.max_iter, &work);
  else if (g.precision == Precision::p64)
    escape64(fx::narrow<2>(cx), fx::narrow<2>(cy), g.max_iter, &work);
  else
    escape128(cx, cy, g.max_iter, &work);
  return work;
}

// Every tile of the view (tile side `side`, edges cut short) on kernel k against compute_tile,
// and each pixel's work against the node's kernel.
void check_grid(KernelKind k, TileTask t, uint8_t side) {
  std::vector<uint16_t> got(kMaxTilePixels), want(kMaxTilePixels);
  std::vector<uint32_t> work(kMaxTilePixels);
  uint32_t sums[kMaxTileSide];
  const JobGeometry& g = t.geometry;
  for (uint32_t y = 0; y < g.height; y += side)
    for (uint32_t x = 0; x < g.width; x += side) {
      t.rect.x = static_cast<uint16_t>(x);
      t.rect.y = static_cast<uint16_t>(y);
      t.rect.w = static_cast<uint8_t>(std::min<uint32_t>(side, g.width - x));
      t.rect.h = static_cast<uint8_t>(std::min<uint32_t>(side, g.height - y));
      const uint32_t want_sum = compute_tile(t, want.data());
      const uint32_t got_sum = host::compute_tile(k, t, got.data(), sums, work.data());
      for (uint32_t r = 0; r < t.rect.h; ++r) {
        uint32_t s = 0;
        for (uint32_t c = 0; c < t.rect.w; ++c) {
          const uint32_t i = r * t.rect.w + c;
          REQUIRE_MESSAGE(got[i] == want[i],
                          host::kernel_name(k)
                              << " at " << static_cast<int>(g.precision) << " bits: pixel " << x + c
                              << "," << y + r << " counts " << got[i] << ", common/ " << want[i]);
          REQUIRE_MESSAGE(work[i] == node_work(g, x + c, y + r),
                          host::kernel_name(k)
                              << " at " << static_cast<int>(g.precision) << " bits: pixel " << x + c
                              << "," << y + r << " work " << work[i]);
          s += want[i];
        }
        REQUIRE_MESSAGE(sums[r] == s, "row sum of row " << y + r);
      }
      REQUIRE(got_sum == want_sum);
    }
}

}  // namespace

TEST_CASE("host kernels: the portable kernel is always there, and the best is picked") {
  CHECK(host::kernel_available(KernelKind::portable));
  const KernelKind best = host::best_kernel();
  CHECK(host::kernel_available(best));
  for (KernelKind k : host::kAllKernels)
    if (host::kernel_available(k)) CHECK(static_cast<int>(k) <= static_cast<int>(best));
  MESSAGE("kernels on this CPU: best is ", std::string(host::kernel_name(best)));
}

TEST_CASE("host kernels: every kernel equals the portable 32-bit reference on random points") {
  for (KernelKind k : available()) {
    CAPTURE(host::kernel_name(k));
    Rng rng{0x5EED0032ull + static_cast<uint64_t>(k)};
    for (uint16_t max_iter : {1, 2, 3, 17, 256, 1000}) {
      // An odd count, so the last vectors run part empty.
      const uint32_t n = 4099;
      std::vector<int32_t> cx(n), cy(n);
      for (uint32_t i = 0; i < n; ++i) {
        cx[i] = random_value<int32_t, 27>(rng, false);
        cy[i] = random_value<int32_t, 27>(rng, true);
      }
      std::vector<uint16_t> out(n, 0xBEEF);
      host::escape32_points(k, cx.data(), cy.data(), n, max_iter, out.data());
      uint32_t inside = 0;
      for (uint32_t i = 0; i < n; ++i) {
        const uint16_t want = portable32(cx[i], cy[i], max_iter);
        REQUIRE_MESSAGE(out[i] == want, host::kernel_name(k)
                                            << " point " << i << " (" << cx[i] << ", " << cy[i]
                                            << ") max_iter " << max_iter << ": " << out[i]
                                            << ", reference " << want);
        inside += want == max_iter;
      }
      if (max_iter >= 256) CHECK(inside > n / 10);
    }
  }
}

TEST_CASE("host kernels: every kernel's 32-bit work is the node kernel's, cycle check included") {
  // escape32 runs cycle_check_after's schedule (Brent's check from there on): its work, and its
  // counts, are what each kernel must give when asked for work. max_iter 40 checks from the start.
  for (KernelKind k : available()) {
    const std::string name = host::kernel_name(k);
    CAPTURE(name);
    Rng rng{0x5EEDC7C1ull + static_cast<uint64_t>(k)};
    for (uint16_t max_iter : {1, 2, 40, 300, 2048, 0}) {
      const uint32_t n = max_iter == 0 ? 301 : 3001;
      std::vector<int32_t> cx(n), cy(n);
      for (uint32_t i = 0; i < n; ++i) {
        cx[i] = random_value<int32_t, 27>(rng, false);
        cy[i] = random_value<int32_t, 27>(rng, true);
      }
      std::vector<uint16_t> out(n, 0xBEEF);
      std::vector<uint32_t> work(n, 0xDEADBEEF);
      host::escape32_points(k, cx.data(), cy.data(), n, max_iter, out.data(), work.data());
      uint32_t cycles = 0;
      for (uint32_t i = 0; i < n; ++i) {
        Fixed32 x, y;
        x.w[0] = static_cast<uint32_t>(cx[i]);
        y.w[0] = static_cast<uint32_t>(cy[i]);
        uint32_t want_work = 0;
        const uint16_t want = escape32(x, y, max_iter, &want_work);
        REQUIRE_MESSAGE(out[i] == want, name << " point " << i << " max_iter " << max_iter << ": "
                                             << out[i] << ", reference " << want);
        REQUIRE_MESSAGE(work[i] == want_work, host::kernel_name(k)
                                                  << " point " << i << " max_iter " << max_iter
                                                  << ": work " << work[i] << ", reference "
                                                  << want_work);
        cycles += want == max_iter && want_work < (max_iter ? max_iter : 65536u);
      }
      if (max_iter >= 300 || max_iter == 0) CHECK(cycles > n / 20);
    }
  }
}

// Kernel k against `reference` on n random points (from gen(imag)) at each max_iter; at 256
// iterations or more, more than n / inside_div of them must be inside (the grid is not trivial).
template <typename T, typename Gen, typename Points, typename Ref>
void check_random_points(KernelKind k, uint32_t n, std::initializer_list<uint16_t> iterations,
                         uint32_t inside_div, Gen gen, Points points, Ref reference) {
  for (uint16_t max_iter : iterations) {
    std::vector<T> cx(n), cy(n);
    for (uint32_t i = 0; i < n; ++i) {
      cx[i] = gen(false);
      cy[i] = gen(true);
    }
    std::vector<uint16_t> out(n, 0xBEEF);
    points(k, cx.data(), cy.data(), n, max_iter, out.data());
    uint32_t inside = 0;
    for (uint32_t i = 0; i < n; ++i) {
      const uint16_t want = reference(cx[i], cy[i], max_iter);
      REQUIRE_MESSAGE(out[i] == want, host::kernel_name(k)
                                          << " point " << i << " max_iter " << max_iter << ": "
                                          << out[i] << ", reference " << want);
      inside += want == max_iter;
    }
    if (max_iter >= 256) CHECK(inside > n / inside_div);
  }
}

TEST_CASE("host kernels: every kernel equals the portable 64-bit reference on random points") {
  for (KernelKind k : available()) {
    CAPTURE(host::kernel_name(k));
    Rng rng{0x5EED0064ull + static_cast<uint64_t>(k)};
    check_random_points<int64_t>(
        k, 3001, {1, 2, 5, 300}, 10,
        [&](bool imag) { return random_value<int64_t, 59>(rng, imag); }, host::escape64_points,
        portable64);
  }
}

// A 64-bit point of random_value's kinds with random bits below it; one in eight has every one
// of its 128 bits random (the most negative value and wrapping sums included).
Fixed128 random_value128(Rng& rng, bool imag) {
  Fixed128 v;
  const bool wild = rng.next() % 8 == 0;
  const uint64_t high =
      wild ? rng.next() : static_cast<uint64_t>(random_value<int64_t, 59>(rng, imag));
  v.w[3] = static_cast<uint32_t>(high >> 32);
  v.w[2] = static_cast<uint32_t>(high);
  for (int w = 0; w < 2; ++w) v.w[w] = static_cast<uint32_t>(rng.next());
  return v;
}

TEST_CASE("host kernels: every kernel equals escape128_limbs on random 128-bit points") {
  for (KernelKind k : available()) {
    CAPTURE(host::kernel_name(k));
    Rng rng{0x5EED0128ull + static_cast<uint64_t>(k)};
    // One in 20 inside at least: the wild points escape at once.
    check_random_points<Fixed128>(
        k, 1003, {1, 2, 9, 400}, 20, [&](bool imag) { return random_value128(rng, imag); },
        host::escape128_points,
        [](const Fixed128& x, const Fixed128& y, uint16_t m) { return escape128_limbs(x, y, m); });
    // The edges exactly: |x| = 2 and x^2 + y^2 = 4 do not escape, one unit of the last place
    // beyond does; and max_iter 0 is 65536 iterations, answer 0.
    const Fixed128 zero = fx::zero<4>(), two = fx::from_int<4>(2), minus_two = fx::from_int<4>(-2);
    Fixed128 ulp = zero;
    ulp.w[0] = 1;
    const Fixed128 above = fx::add(two, ulp), below = fx::sub(minus_two, ulp);
    const Fixed128 px[] = {two, minus_two, above, below, zero, fx::from_int<4>(-1)};
    const Fixed128 py[] = {zero, zero, zero, zero, two, zero};
    for (uint16_t max_iter : {1, 3, 0}) {
      uint16_t out[6];
      host::escape128_points(k, px, py, 6, max_iter, out);
      for (int i = 0; i < 6; ++i)
        CHECK_MESSAGE(out[i] == escape128_limbs(px[i], py[i], max_iter),
                      "edge point " << i << " max_iter " << max_iter << ": " << out[i]);
    }
    uint16_t out[2] = {1, 1};
    host::escape128_points(k, &px[4], &py[0], 1, 0, out);
    host::escape128_points(k, &px[5], &py[5], 1, 0, out + 1);
    CHECK(out[0] == 0);
    CHECK(out[1] == 0);
  }
}

TEST_CASE("host kernels: max_iter 0 runs 65536 iterations and answers 0, as the reference") {
  // c = 0 and c = -1 never escape; c = 0.25 + 0.0001i escapes only after thousands.
  const int32_t cx32[] = {0, -(1 << 27), 1 << 25, 3 << 28};
  const int32_t cy32[] = {0, 0, 13422, 0};
  for (KernelKind k : available()) {
    CAPTURE(host::kernel_name(k));
    uint16_t out[4];
    host::escape32_points(k, cx32, cy32, 4, 0, out);
    for (int i = 0; i < 4; ++i) CHECK(out[i] == portable32(cx32[i], cy32[i], 0));
    CHECK(out[0] == 0);
    const int64_t cx64[] = {0, -(int64_t{1} << 59)};
    const int64_t cy64[] = {0, 0};
    host::escape64_points(k, cx64, cy64, 2, 0, out);
    CHECK(out[0] == 0);
    CHECK(out[1] == 0);
  }
}

TEST_CASE("host kernels: every kernel's tiles equal compute_tile over whole grids, all widths") {
  for (KernelKind k : available()) {
    CAPTURE(host::kernel_name(k));
    // The whole set and a seahorse close-up at 32 bits; a 1e-9 view at 64 and a 1e-20 one at 128;
    // and each at the other widths too, where the counts differ but must still agree.
    for (Precision p : {Precision::p32, Precision::p64, Precision::p128}) {
      CAPTURE(static_cast<int>(p));
      check_grid(k, view("-2.5", "1", "-1.25", "1.25", 97, 61, 200, p), 32);
      check_grid(k, view("-0.7615", "-0.7315", "0.08625", "0.11125", 64, 48, 600, p), 64);
      check_grid(k,
                 view("-0.74364388770", "-0.74364388670", "0.13182590400", "0.13182590500", 40, 40,
                      700, p),
                 13);
      if (p == Precision::p128)
        check_grid(k,
                   view("-1.74972192974230150000005", "-1.74972192974230149999995",
                        "-0.00000000000000000000005", "0.00000000000000000000005", 24, 24, 300, p),
                   7);
    }
    // One-pixel tiles and an odd max_iter.
    check_grid(k, view("-2", "0.5", "-1.25", "1.25", 9, 7, 3, Precision::p32), 1);
    check_grid(k, view("-2", "0.5", "-1.25", "1.25", 9, 7, 1, Precision::p64), 2);
  }
}

TEST_CASE("host kernels: seeded random jobs give compute_tile's counts on every kernel") {
  Rng rng{0x0B5E55EDull};
  for (int job = 0; job < 12; ++job) {
    CAPTURE(job);
    // A random square view around a random point of [-2, 1) x [-1.2, 1.2), span 10^-1..10^-11.
    const int64_t unit = int64_t{1} << 40;
    const int64_t cx =
        static_cast<int64_t>(rng.next() % static_cast<uint64_t>(3 * unit)) - 2 * unit;
    const int64_t cy =
        static_cast<int64_t>(rng.next() % static_cast<uint64_t>(24 * unit / 10)) - 12 * unit / 10;
    int64_t half = unit / 20;
    for (uint64_t d = rng.next() % 10; d > 0; --d) half /= 10;
    auto at = [](int64_t v) {
      // v / 2^40 as a coordinate: 59 fraction bits at 64, widened exactly to 128.
      const uint64_t s = static_cast<uint64_t>(v) << 19;
      Fixed64 f;
      f.w[0] = static_cast<uint32_t>(s);
      f.w[1] = static_cast<uint32_t>(s >> 32);
      return fx::widen<4>(f);
    };
    TileTask t;
    JobGeometry& g = t.geometry;
    g.region.x0 = at(cx - half);
    g.region.x1 = at(cx + half);
    g.region.y0 = at(cy - half);
    g.region.y1 = at(cy + half);
    g.width = static_cast<uint16_t>(20 + rng.next() % 60);
    g.height = static_cast<uint16_t>(20 + rng.next() % 60);
    g.max_iter = static_cast<uint16_t>(1 + rng.next() % 700);
    const Precision p =
        choose_precision(g.region.x0, g.region.x1, g.region.y0, g.region.y1, g.width, g.height);
    const uint8_t side = static_cast<uint8_t>(1 + rng.next() % 64);
    for (KernelKind k : available())
      for (Precision q : {Precision::p32, Precision::p64}) {
        g.precision = q;
        CAPTURE(host::kernel_name(k));
        CAPTURE(static_cast<int>(q));
        check_grid(k, t, side);
      }
    g.precision = p;
    if (p == Precision::p128)
      for (KernelKind k : available()) {
        CAPTURE(host::kernel_name(k));
        check_grid(k, t, side);
      }
  }
}

TEST_CASE("host kernels: PICOCRAY_HOST_KERNEL forces the fallback, and a bad value is refused") {
  KernelKind k = KernelKind::avx512;
  std::string error;
  REQUIRE(setenv("PICOCRAY_HOST_KERNEL", "portable", 1) == 0);
  CHECK(host::kernel_from_env(&k, &error));
  CHECK(k == KernelKind::portable);

  REQUIRE(setenv("PICOCRAY_HOST_KERNEL", "sse9", 1) == 0);
  CHECK_FALSE(host::kernel_from_env(&k, &error));
  CHECK(error.find("sse9") != std::string::npos);
  CHECK(error.find("portable, avx2, avx512 or avx512ifma") != std::string::npos);
  CHECK(k == host::best_kernel());

  for (KernelKind want : host::kAllKernels) {
    REQUIRE(setenv("PICOCRAY_HOST_KERNEL", host::kernel_name(want), 1) == 0);
    error.clear();
    const bool ok = host::kernel_from_env(&k, &error);
    CHECK(ok == host::kernel_available(want));
    if (ok)
      CHECK(k == want);
    else
      CHECK(error.find("cannot run") != std::string::npos);
  }
  REQUIRE(unsetenv("PICOCRAY_HOST_KERNEL") == 0);
  CHECK(host::kernel_from_env(&k, &error));
  CHECK(k == host::best_kernel());

  // Forced, compute_tile's default runs the fallback; and back.
  const KernelKind before = host::selected_kernel();
  REQUIRE(host::select_kernel(KernelKind::portable));
  CHECK(host::selected_kernel() == KernelKind::portable);
  TileTask t = view("-2.5", "1", "-1.25", "1.25", 32, 32, 100, Precision::p32);
  t.rect.w = t.rect.h = 32;
  std::vector<uint16_t> a(1024), b(1024);
  CHECK(host::compute_tile(t, a.data()) == compute_tile(t, b.data()));
  CHECK(a == b);
  CHECK(host::select_kernel(before));
}
