// The one reduction order every canonical kernel uses ("attestd-reduce-v1").
//
// A sum of n terms t[0..n) is computed as 32 lane partial sums followed by a
// fixed pairwise tree (docs/determinism.md, section "Lane sum"):
//   lane[l] = +0.0f for l in [0, 32)
//   for i in [0, n) in increasing order: lane[i % 32] = lane[i % 32] + t[i]
//   for s in 16, 8, 4, 2, 1: lane[l] = lane[l] + lane[l + s] for l in [0, s)
//   result = lane[0]
// Every + is one correctly rounded f32 addition; a term of a dot product is
// one correctly rounded f32 product (never fused with the addition). This
// maps to one CUDA warp: lane l strides by 32, then __shfl_down by 16..1.
//
// Thread safety: pure functions. Inputs may alias each other.
#pragma once

#include <cstdint>

namespace attestd::kernels {

inline constexpr int kLanes = 32;

// Combines 32 lane partial sums with the fixed tree; `lane` is clobbered.
inline float LaneTree(float lane[kLanes]) {
  for (int s = kLanes / 2; s >= 1; s /= 2) {
    for (int l = 0; l < s; ++l) lane[l] = lane[l] + lane[l + s];
  }
  return lane[0];
}

// Lane sum of a[0..n).
inline float LaneSum(const float* a, int64_t n) {
  float lane[kLanes] = {};
  for (int64_t i = 0; i < n; ++i) lane[i % kLanes] = lane[i % kLanes] + a[i];
  return LaneTree(lane);
}

}  // namespace attestd::kernels
