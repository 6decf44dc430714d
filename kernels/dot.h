// Dot products in the lane order of kernels/lane_reduce.h:
//   term i = a[i] * b[i] (one rounded f32 product), summed by LaneSum.
// The AVX2 versions hold the 32 lanes in four 8-wide registers and perform
// the same additions in the same order, so they return identical bits.
//
// Thread safety: pure functions. n >= 0; pointers need no alignment.
#pragma once

#include <cstdint>

namespace attestd::kernels {

float DotF32Scalar(const float* a, const float* b, int64_t n);
float DotBf16Scalar(const float* a, const uint16_t* b_bf16, int64_t n);

// Call only when CpuHasAvx2().
float DotF32Avx2(const float* a, const float* b, int64_t n);
float DotBf16Avx2(const float* a, const uint16_t* b_bf16, int64_t n);

inline float DotF32(const float* a, const float* b, int64_t n, bool vectorised) {
  return vectorised ? DotF32Avx2(a, b, n) : DotF32Scalar(a, b, n);
}
inline float DotBf16(const float* a, const uint16_t* b_bf16, int64_t n, bool vectorised) {
  return vectorised ? DotBf16Avx2(a, b_bf16, n) : DotBf16Scalar(a, b_bf16, n);
}

}  // namespace attestd::kernels
