// One thread, one kernel at a time, the whole image in 64x64 tiles through host::compute_tile:
// iterations per second of CPU time (so: per core), for each host kernel this CPU runs, and for
// 128 bits the common/ limb reference, the 64-bit-limb portable path and avx512ifma's. Every
// kernel's counts must agree; exits 1 if any differ.
//
// usage: host_kernel_bench X0 X1 Y0 Y1 W H ITER 32|64|128 [RUNS]   (RUNS: best of, default 1)
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "picocray/decimal.h"
#include "picocray/host_kernels.h"
#include "picocray/kernel.h"

using namespace picocray;

namespace {

double cpu_s() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

template <class F>
uint64_t over_tiles(const JobGeometry& job, std::vector<uint16_t>& image, F&& tile) {
  std::vector<uint16_t> counts(kMaxTilePixels);
  uint64_t sum = 0;
  for (uint32_t y = 0; y < job.height; y += kMaxTileSide)
    for (uint32_t x = 0; x < job.width; x += kMaxTileSide) {
      TileTask t;
      t.geometry = job;
      TileRect& rc = t.rect;
      rc.x = static_cast<uint16_t>(x);
      rc.y = static_cast<uint16_t>(y);
      rc.w = static_cast<uint8_t>(std::min<uint32_t>(kMaxTileSide, job.width - x));
      rc.h = static_cast<uint8_t>(std::min<uint32_t>(kMaxTileSide, job.height - y));
      sum += tile(t, counts.data());
      for (uint32_t r = 0; r < rc.h; ++r)
        std::memcpy(&image[(y + r) * job.width + x], &counts[r * rc.w], rc.w * sizeof(uint16_t));
    }
  return sum;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 9 && argc != 10) {
    std::fprintf(stderr, "usage: host_kernel_bench X0 X1 Y0 Y1 W H ITER 32|64|128 [RUNS]\n");
    return 2;
  }
  JobGeometry job;
  job.tile_w = job.tile_h = kMaxTileSide;
  Coord* corners[] = {&job.region.x0, &job.region.x1, &job.region.y0, &job.region.y1};
  for (int i = 0; i < 4; ++i)
    if (!parse_decimal(argv[1 + i], std::strlen(argv[1 + i]), corners[i])) {
      std::fprintf(stderr, "host_kernel_bench: %s is not a decimal coordinate\n", argv[1 + i]);
      return 2;
    }
  job.width = static_cast<uint16_t>(std::atoi(argv[5]));
  job.height = static_cast<uint16_t>(std::atoi(argv[6]));
  job.max_iter = static_cast<uint16_t>(std::atoi(argv[7]));
  const std::string bits = argv[8];
  job.precision = bits == "32" ? Precision::p32 : bits == "64" ? Precision::p64 : Precision::p128;
  if (bits != "32" && bits != "64" && bits != "128") {
    std::fprintf(stderr, "host_kernel_bench: width %s is not 32, 64 or 128\n", argv[8]);
    return 2;
  }
  const int runs = argc == 10 ? std::max(1, std::atoi(argv[9])) : 1;
  // The least CPU time of `runs` runs: other load on the machine only ever adds.
  auto best_of = [runs](auto&& run) {
    double best = 0;
    uint64_t n = 0;
    for (int i = 0; i < runs; ++i) {
      const double t0 = cpu_s();
      n = run();
      const double s = cpu_s() - t0;
      if (i == 0 || s < best) best = s;
    }
    return std::make_pair(n, best);
  };
  const uint64_t pixels = uint64_t{job.width} * job.height;
  std::vector<uint16_t> first, image(pixels);
  bool same = true;
  auto report = [&](const std::string& name, uint64_t iters, double s) {
    std::printf("%-26s %3s-bit  %12.3f G iterations  %8.3f s CPU  %7.3f G it/s per core%s\n",
                name.c_str(), bits.c_str(), iters * 1e-9, s, iters * 1e-9 / s,
                first.empty() || first == image ? "" : "  COUNTS DIFFER");
    if (first.empty()) first = image;
    same = same && first == image;
  };
  if (job.precision == Precision::p128) {
    const auto r = best_of([&] {
      return over_tiles(job, image, [](const TileTask& t, uint16_t* c) {
        uint32_t s = 0;
        const JobGeometry& g = t.geometry;
        for (uint32_t r = 0; r < t.rect.h; ++r)
          for (uint32_t k = 0; k < t.rect.w; ++k)
            s += c[r * t.rect.w + k] =
                escape128_limbs(pixel_x(g, t.rect.x + k), pixel_y(g, t.rect.y + r), g.max_iter);
        return s;
      });
    });
    report("common/ limbs (32-bit)", r.first, r.second);
  }
  for (host::KernelKind k : host::kAllKernels) {
    if (!host::kernel_available(k)) {
      std::printf("%-26s %3s-bit  not on this CPU\n", host::kernel_name(k), bits.c_str());
      continue;
    }
    // At 128 bits only avx512ifma has a kernel of its own; the others run portable's.
    const bool own128 = k == host::KernelKind::portable || k == host::KernelKind::avx512ifma;
    if (job.precision == Precision::p128 && !own128) continue;
    const auto r = best_of([&] {
      return over_tiles(
          job, image, [k](const TileTask& t, uint16_t* c) { return host::compute_tile(k, t, c); });
    });
    const std::string name = job.precision == Precision::p128 && k == host::KernelKind::portable
                                 ? "portable (64-bit limbs)"
                                 : host::kernel_name(k);
    report(name, r.first, r.second);
  }
  return same ? 0 : 1;
}
