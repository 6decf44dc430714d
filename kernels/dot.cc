#include "kernels/dot.h"

#include "kernels/bf16.h"
#include "kernels/context.h"
#include "kernels/lane_reduce.h"

namespace attestd::kernels {

float DotF32Scalar(const float* a, const float* b, int64_t n) {
  float lane[kLanes] = {};
  for (int64_t i = 0; i < n; ++i) lane[i % kLanes] = lane[i % kLanes] + a[i] * b[i];
  return LaneTree(lane);
}

float DotBf16Scalar(const float* a, const uint16_t* b_bf16, int64_t n) {
  float lane[kLanes] = {};
  for (int64_t i = 0; i < n; ++i) lane[i % kLanes] = lane[i % kLanes] + a[i] * Bf16ToF32(b_bf16[i]);
  return LaneTree(lane);
}

bool CpuHasAvx512() {
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
  return has;
}

bool CpuHasAvx2() {
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
}

}  // namespace attestd::kernels
