#include "picocray/host_kernels.h"

#include <atomic>
#include <cstdlib>
#include <vector>

#include "host_kernels_simd.h"

namespace picocray::host {

namespace {

bool cpu_has(KernelKind k) {
#if defined(PICOCRAY_HOST_SIMD)
  __builtin_cpu_init();  // idempotent; needed if this runs before libgcc's own constructor
  switch (k) {
    case KernelKind::portable: return true;
    case KernelKind::avx2: return __builtin_cpu_supports("avx2");
    case KernelKind::avx512: return __builtin_cpu_supports("avx512f");
    case KernelKind::avx512ifma:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512ifma");
  }
  return false;
#else
  return k == KernelKind::portable;
#endif
}

std::atomic<int>& chosen() {
  static std::atomic<int> k{[] {
    KernelKind kind;
    std::string error;
    kernel_from_env(&kind, &error);  // a bad value falls back to the best kernel
    return static_cast<int>(kind);
  }()};
  return k;
}

// The counter runs to max_iter, or all the way round (65536) for max_iter 0.
uint32_t limit_of(uint16_t max_iter) {
  return max_iter == 0 ? 65536u : max_iter;
}

constexpr uint32_t kChunk = 1u << 14;

}  // namespace

const char* kernel_name(KernelKind k) {
  switch (k) {
    case KernelKind::portable: return "portable";
    case KernelKind::avx2: return "avx2";
    case KernelKind::avx512: return "avx512";
    case KernelKind::avx512ifma: return "avx512ifma";
  }
  return "?";
}

bool parse_kernel(const std::string& name, KernelKind* out) {
  for (KernelKind k : kAllKernels)
    if (name == kernel_name(k)) {
      *out = k;
      return true;
    }
  return false;
}

bool kernel_available(KernelKind k) {
  return cpu_has(k);
}

KernelKind best_kernel() {
  KernelKind best = KernelKind::portable;
  for (KernelKind k : kAllKernels)
    if (kernel_available(k)) best = k;
  return best;
}

bool kernel_from_env(KernelKind* out, std::string* error) {
  *out = best_kernel();
  const char* env = std::getenv("PICOCRAY_HOST_KERNEL");
  if (env == nullptr || *env == '\0') return true;
  std::string allowed;
  for (KernelKind k : kAllKernels)
    if (kernel_available(k)) allowed += std::string(allowed.empty() ? "" : ", ") + kernel_name(k);
  KernelKind k;
  if (!parse_kernel(env, &k)) {
    *error = "PICOCRAY_HOST_KERNEL=" + std::string(env) +
             " names no host kernel (portable, avx2, avx512 or avx512ifma; this CPU runs " +
             allowed + ")";
    return false;
  }
  if (!kernel_available(k)) {
    *error = "PICOCRAY_HOST_KERNEL=" + std::string(env) +
             ": this CPU or build cannot run it (it runs " + allowed + ")";
    return false;
  }
  *out = k;
  return true;
}

KernelKind selected_kernel() {
  return static_cast<KernelKind>(chosen().load());
}

bool select_kernel(KernelKind k) {
  if (!kernel_available(k)) return false;
  chosen().store(static_cast<int>(k));
  return true;
}

void escape32_points(KernelKind k, const int32_t* cx, const int32_t* cy, uint32_t n,
                     uint16_t max_iter, uint16_t* out, uint32_t* work) {
#if defined(PICOCRAY_HOST_SIMD)
  // In chunks, so that a lane's round counter (up to n * limit / lanes) stays within 32 bits.
  if (k != KernelKind::portable) {
    for (uint32_t i = 0; i < n; i += kChunk) {
      const uint32_t m = n - i < kChunk ? n - i : kChunk;
      (k == KernelKind::avx2 ? detail::escape32_avx2 : detail::escape32_avx512)(
          cx + i, cy + i, m, limit_of(max_iter), out + i,
          cycle_check_after(Precision::p32, max_iter), work ? work + i : nullptr);
    }
    return;
  }
#else
  (void)limit_of;
#endif
  (void)k;
  for (uint32_t i = 0; i < n; ++i) {
    Fixed32 x, y;
    x.w[0] = static_cast<uint32_t>(cx[i]);
    y.w[0] = static_cast<uint32_t>(cy[i]);
    out[i] = escape32(x, y, max_iter, work ? work + i : nullptr);
  }
}

void escape64_points(KernelKind k, const int64_t* cx, const int64_t* cy, uint32_t n,
                     uint16_t max_iter, uint16_t* out) {
#if defined(PICOCRAY_HOST_SIMD)
  if (k != KernelKind::portable) {
    for (uint32_t i = 0; i < n; i += kChunk) {
      const uint32_t m = n - i < kChunk ? n - i : kChunk;
      (k == KernelKind::avx2 ? detail::escape64_avx2
       : k == KernelKind::avx512
           ? detail::escape64_avx512
           : detail::escape64_avx512ifma)(cx + i, cy + i, m, limit_of(max_iter), out + i);
    }
    return;
  }
#endif
  (void)k;
  for (uint32_t i = 0; i < n; ++i) {
    const uint64_t ux = static_cast<uint64_t>(cx[i]), uy = static_cast<uint64_t>(cy[i]);
    Fixed64 x, y;
    x.w[0] = static_cast<uint32_t>(ux);
    x.w[1] = static_cast<uint32_t>(ux >> 32);
    y.w[0] = static_cast<uint32_t>(uy);
    y.w[1] = static_cast<uint32_t>(uy >> 32);
    out[i] = escape64(x, y, max_iter);
  }
}

void escape128_points(KernelKind k, const Fixed128* cx, const Fixed128* cy, uint32_t n,
                      uint16_t max_iter, uint16_t* out) {
#if defined(PICOCRAY_HOST_SIMD)
  if (k == KernelKind::avx512ifma) {
    auto word = [](const Fixed128& a) {
      return detail::U128{a.w[3]} << 96 | detail::U128{a.w[2]} << 64 | detail::U128{a.w[1]} << 32 |
             a.w[0];
    };
    std::vector<detail::U128> wx(n < kChunk ? n : kChunk), wy(wx.size());
    for (uint32_t i = 0; i < n; i += kChunk) {
      const uint32_t m = n - i < kChunk ? n - i : kChunk;
      for (uint32_t j = 0; j < m; ++j) {
        wx[j] = word(cx[i + j]);
        wy[j] = word(cy[i + j]);
      }
      detail::escape128_avx512ifma(wx.data(), wy.data(), m, limit_of(max_iter), out + i);
    }
    return;
  }
#endif
  (void)k;
  for (uint32_t i = 0; i < n; ++i) out[i] = escape128(cx[i], cy[i], max_iter);
}

uint32_t compute_tile(KernelKind k, const TileTask& t, uint16_t* counts, uint32_t* row_sums,
                      uint32_t* work) {
  const JobGeometry& g = t.geometry;
  const uint32_t w = t.rect.w, h = t.rect.h, n = w * h;
  if (g.precision == Precision::p128) {
    Coord col[kMaxTileSide], row[kMaxTileSide];
    for (uint32_t c = 0; c < w; ++c) col[c] = pixel_x(g, t.rect.x + c);
    for (uint32_t r = 0; r < h; ++r) row[r] = pixel_y(g, t.rect.y + r);
    std::vector<Coord> px(n), py(n);
    for (uint32_t r = 0; r < h; ++r)
      for (uint32_t c = 0; c < w; ++c) {
        px[r * w + c] = col[c];
        py[r * w + c] = row[r];
      }
    escape128_points(k, px.data(), py.data(), n, g.max_iter, counts);
  } else if (g.precision == Precision::p32) {
    // Every pixel of the tile in one stream, so lanes refill across rows.
    int32_t col[kMaxTileSide], row[kMaxTileSide];
    alignas(64) int32_t px[kMaxTilePixels], py[kMaxTilePixels];
    for (uint32_t c = 0; c < w; ++c)
      col[c] = static_cast<int32_t>(fx::narrow<1>(pixel_x(g, t.rect.x + c)).w[0]);
    for (uint32_t r = 0; r < h; ++r)
      row[r] = static_cast<int32_t>(fx::narrow<1>(pixel_y(g, t.rect.y + r)).w[0]);
    for (uint32_t r = 0; r < h; ++r)
      for (uint32_t c = 0; c < w; ++c) {
        px[r * w + c] = col[c];
        py[r * w + c] = row[r];
      }
    escape32_points(k, px, py, n, g.max_iter, counts, work);
  } else {
    auto to64 = [](const Coord& v) {
      const Fixed64 f = fx::narrow<2>(v);
      return static_cast<int64_t>(static_cast<uint64_t>(f.w[1]) << 32 | f.w[0]);
    };
    int64_t col[kMaxTileSide], row[kMaxTileSide];
    std::vector<int64_t> px(n), py(n);
    for (uint32_t c = 0; c < w; ++c) col[c] = to64(pixel_x(g, t.rect.x + c));
    for (uint32_t r = 0; r < h; ++r) row[r] = to64(pixel_y(g, t.rect.y + r));
    for (uint32_t r = 0; r < h; ++r)
      for (uint32_t c = 0; c < w; ++c) {
        px[r * w + c] = col[c];
        py[r * w + c] = row[r];
      }
    escape64_points(k, px.data(), py.data(), n, g.max_iter, counts);
  }
  // 64 and 128 bits never check for cycles: a point inside runs to the limit.
  if (work && g.precision != Precision::p32)
    for (uint32_t i = 0; i < n; ++i)
      work[i] = counts[i] == g.max_iter ? limit_of(g.max_iter) : counts[i];
  uint32_t sum = 0;
  for (uint32_t r = 0; r < h; ++r) {
    uint32_t s = 0;
    for (uint32_t c = 0; c < w; ++c) s += counts[r * w + c];
    if (row_sums) row_sums[r] = s;
    sum += s;
  }
  return sum;
}

}  // namespace picocray::host
