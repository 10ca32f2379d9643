// The escape loop shared by the kernels written in C++ (kernel.cpp, kernel_m33.cpp): one step of
// the map inside Brent's exact cycle check (kernel.h). Internal to common/src.
#pragma once
#include <cstdint>

#include "picocray/fixed.h"

namespace picocray {
namespace detail {

// The escape loop around one step, with Brent's check from iteration check_after + 1 on.
// step(z) is one iteration: true when z escapes, else z becomes the next state. Iteration k tests
// z_k; runs of 1, 2, 4, ... iterations each compare every new state with the one they began at.
template <class State, class Step>
inline uint16_t orbit(State z, uint16_t max_iter, uint32_t check_after, uint32_t* work, Step step) {
  const uint32_t n = max_iter ? max_iter : 65536u;   // 0: the uint16_t counter goes round
  uint32_t end = check_after < n ? check_after : n;  // the last iteration of this run
  uint32_t k = 1;
  for (; k <= end; ++k)
    if (step(z)) {
      if (work) *work = k;
      return static_cast<uint16_t>(k);
    }
  for (uint32_t run = 1; end < n; run *= 2) {
    const State saved = z;
    end += run < n - end ? run : n - end;
    for (; k <= end; ++k) {
      if (step(z)) {
        if (work) *work = k;
        return static_cast<uint16_t>(k);
      }
      if (z == saved) {
        if (work) *work = k;
        return max_iter;
      }
    }
  }
  if (work) *work = n;
  return max_iter;
}

template <class T>
struct XY {
  T x, y;
  bool operator==(const XY& o) const { return x == o.x && y == o.y; }
};

template <int N>
struct FixedXY {
  Fixed<N> x, y;
  bool operator==(const FixedXY& o) const {
    for (int i = 0; i < N; ++i)
      if (x.w[i] != o.x.w[i] || y.w[i] != o.y.w[i]) return false;
    return true;
  }
};

}  // namespace detail
}  // namespace picocray
