// Host side of the harness: writes the benchmark points and a few thousand seeded check points,
// each with the count the host's portable reference kernels give it, as JSON for run.js.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "picocray/decimal.h"
#include "picocray/kernel.h"

using namespace picocray;

namespace {

uint64_t g_state = 0x5eed0f2040c0ffeeull;
uint64_t next() {
  g_state ^= g_state << 13;
  g_state ^= g_state >> 7;
  g_state ^= g_state << 17;
  return g_state;
}

Coord dec(const char* s) {
  Coord c = fx::zero<4>();
  if (!parse_decimal(s, std::strlen(s), &c)) {
    std::fprintf(stderr, "points: bad decimal %s\n", s);
    std::exit(1);
  }
  return c;
}

// A random coordinate in [lo, lo + span) with every bit of all four limbs random.
Coord random_in(const char* lo, const char* span) {
  Coord r;
  for (int i = 0; i < 4; ++i) r.w[i] = static_cast<uint32_t>(next());
  r.w[3] &= 0x7FFFFFFu;  // [0, 1)
  return fx::add(dec(lo), fx::mul(r, dec(span)));
}

uint16_t reference(int limbs, const Coord& x, const Coord& y, uint16_t max_iter) {
  switch (limbs) {
    case 1: return escape32_portable(fx::narrow<1>(x), fx::narrow<1>(y), max_iter);
    case 2: return escape64_limbs(fx::narrow<2>(x), fx::narrow<2>(y), max_iter);
    default: return escape128_limbs(x, y, max_iter);
  }
}

void put_limbs(const Coord& c, int limbs) {
  for (int i = 4 - limbs; i < 4; ++i) std::printf("%u,", c.w[i]);
}

struct Point {
  Coord x, y;
  uint16_t max_iter;
};

}  // namespace

int main(int argc, char** argv) {
  const int n_random = argc > 1 ? std::atoi(argv[1]) : 3000;

  // Benchmark points: long runs (inside, or escaping late) so per-call cost vanishes.
  struct Bench {
    const char *x, *y;
    uint16_t max_iter;
  };
  const Bench bench[] = {
      {"-0.1", "0.1", 2000},  {"-1", "0.2", 2000},     {"-0.5", "0.5", 2000},
      {"0.3", "0.0", 2000},   {"-0.75", "0.01", 2000}, {"0.2501", "0", 2000},
      {"-1.3", "0.05", 2000}, {"-0.12", "0.75", 2000},
  };
  std::printf("{\"bench\":[");
  for (size_t i = 0; i < sizeof bench / sizeof bench[0]; ++i) {
    const Bench& b = bench[i];
    Coord x = dec(b.x), y = dec(b.y);
    std::printf("%s{\"x\":\"%s\",\"y\":\"%s\",\"max_iter\":%u,\"dx\":%.17g,\"dy\":%.17g,",
                i ? "," : "", b.x, b.y, b.max_iter, std::strtod(b.x, nullptr),
                std::strtod(b.y, nullptr));
    for (int limbs : {1, 2, 4}) {
      std::printf("\"p%d\":{\"x\":[", 32 * limbs);
      put_limbs(x, limbs);
      std::printf("0],\"y\":[");
      put_limbs(y, limbs);
      std::printf("0],\"expect\":%u},", reference(limbs, x, y, b.max_iter));
    }
    std::printf("\"_\":0}");
  }
  std::printf("],\"check\":{");

  // Check points: hand-picked edges, then seeded random points over the set and out to +-4.
  std::vector<Point> pts;
  const char* edges[][2] = {
      {"0", "0"},
      {"-2", "0"},
      {"2", "0"},
      {"0", "2"},
      {"0", "-2"},
      {"-2", "2"},
      {"2", "-2"},
      {"1.999999999", "0"},
      {"-2.000000001", "0"},
      {"0.25", "0"},
      {"-0.75", "0"},
      {"-1.5", "0"},
      {"0", "1"},
      {"0", "-1"},
      {"-3.99", "3.99"},
      {"3.99", "-3.99"},
      {"-4", "-4"},
      {"4", "4"},
      {"1.4142135623730950488", "0"},
      {"-1.4142135623730950488", "1.4142135623730950488"},
      {"-0.1011", "0.9563"},
      {"0.001", "-0.001"},
      {"-1.7548776662466927600", "0"},
      {"-0.7454285", "0.1130089"},
  };
  const uint16_t iters[] = {1, 2, 3, 7, 100, 256};
  for (auto& e : edges) {
    for (uint16_t m : iters) pts.push_back({dec(e[0]), dec(e[1]), m});
    // The extremes of max_iter, where they cost little: on points that escape soon.
    if (reference(4, dec(e[0]), dec(e[1]), 256) < 256)
      for (uint16_t m : {0, 65535}) pts.push_back({dec(e[0]), dec(e[1]), m});
  }
  // One unit of the last place either side of the edges that matter: +-2 on either axis.
  for (int limbs : {1, 2, 4}) {
    Coord ulp = fx::zero<4>();
    ulp.w[4 - limbs] = 1;
    for (const char* v : {"2", "-2"}) {
      Coord c = dec(v);
      for (const Coord& w : {fx::add(c, ulp), fx::sub(c, ulp)}) {
        pts.push_back({w, fx::zero<4>(), 256});
        pts.push_back({fx::zero<4>(), w, 256});
        pts.push_back({w, ulp, 256});
      }
    }
  }
  for (int i = 0; i < n_random; ++i) {
    Point p;
    switch (i % 4) {
      case 0: p = {random_in("-4", "8"), random_in("-4", "8"), 256}; break;
      case 1:  // near the boundary around the seahorse valley, where counts are long and varied
        p = {random_in("-0.76", "0.03"), random_in("0.08", "0.04"), 300};
        break;
      default: p = {random_in("-2.5", "4"), random_in("-1.5", "3"), 256}; break;
    }
    pts.push_back(p);
  }

  for (int limbs : {1, 2, 4}) {
    // Orbits that hang on the chaotic real segment, c in [-2, -1.6], and leave it only as a tiny
    // cy (a few dozen units of the last place) grows: their counts hang on every bit of every
    // iterate, so a product that is one unit off anywhere changes them.
    std::vector<Point> all = pts;
    for (int i = 0; i < n_random / 8; ++i) {
      Point p{random_in("-2", "0.4"), fx::zero<4>(), 1000};
      const int frac = 32 * limbs - 5;
      const int above_ulp =
          1 + static_cast<int>(next() % static_cast<uint64_t>(frac < 50 ? frac - 10 : 40));
      const int top = 123 - frac + above_ulp;  // |cy| in [2^(top-123), 2^(top-122))
      for (int b = 0; b < top; ++b)
        if (next() & 1) p.y.w[b / 32] |= 1u << (b % 32);
      p.y.w[top / 32] |= 1u << (top % 32);
      if (next() & 1) p.y = fx::neg(p.y);
      all.push_back(p);
    }
    std::printf("%s\"p%d\":{\"points\":[", limbs == 1 ? "" : ",", 32 * limbs);
    const std::vector<Point>& pts = all;
    for (size_t i = 0; i < pts.size(); ++i) {
      put_limbs(pts[i].x, limbs);
      put_limbs(pts[i].y, limbs);
      std::printf("%u%s", pts[i].max_iter, i + 1 < pts.size() ? "," : "");
    }
    std::printf("],\"expect\":[");
    for (size_t i = 0; i < pts.size(); ++i)
      std::printf("%u%s", reference(limbs, pts[i].x, pts[i].y, pts[i].max_iter),
                  i + 1 < pts.size() ? "," : "");
    std::printf("]");
    if (limbs == 1) {
      // The work the 32-bit kernel must report: with its schedule, and checking throughout.
      for (int sched = 0; sched < 2; ++sched) {
        std::printf(",\"%s\":[", sched ? "work_checked" : "work");
        for (size_t i = 0; i < pts.size(); ++i) {
          uint32_t work = 0;
          const uint16_t m = pts[i].max_iter;
          escape32_portable(fx::narrow<1>(pts[i].x), fx::narrow<1>(pts[i].y), m,
                            sched ? 0 : cycle_check_after(Precision::p32, m), &work);
          std::printf("%u%s", work, i + 1 < pts.size() ? "," : "");
        }
        std::printf("]");
      }
    }
    std::printf("}");
  }
  // max_iter 0 at a point that never escapes: the counter goes round, 65536 iterations.
  const Coord zero = fx::zero<4>();
  std::printf("},\"wrap\":{\"p32\":%u,\"p64\":%u,\"p128\":%u}}\n", reference(1, zero, zero, 0),
              reference(2, zero, zero, 0), reference(4, zero, zero, 0));
  return 0;
}
