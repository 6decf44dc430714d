// The device side of kernels/softmax.cc, for one block (attention.cu runs it
// on each head's scores; softmax.cu on whole rows). In the header's order:
//   m    = max x[i]            exact: any order of comparisons gives it
//   e[i] = ExpF(x[i] - m)      (kernels/transcendental.h, the same source)
//   s    = lane sum of e       (warp 0: lane l adds e[l], e[l + 32], ... in order)
//   p[i] = e[i] / s
// NaN is skipped by the max, where the CPU keeps a NaN x[0] as m; either way
// a NaN in x makes every p NaN, and NaN payloads are outside the promise.
//
// Every thread of the block calls it (blockDim.x a multiple of 32, at most
// 1024) with the same x and n >= 1; it returns after p is written and
// visible to the whole block.
#pragma once

#include "kernels/cuda.h"
#include "kernels/lane_reduce.cuh"
#include "kernels/transcendental.h"

namespace attestd::kernels::ATTESTD_GPU_NS {

__device__ __forceinline__ float MaxSkippingNaN(float a, float b) { return (b > a || a != a) ? b : a; }

__device__ inline void BlockSoftmaxInPlace(float* x, int64_t n) {
  __shared__ float warp_max[32];
  __shared__ float shared_value;
  const int lane = static_cast<int>(threadIdx.x % 32), warp = static_cast<int>(threadIdx.x / 32);
  const int warps = static_cast<int>(blockDim.x / 32);
  float m = -__int_as_float(0x7f800000);  // -inf
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) m = MaxSkippingNaN(m, x[i]);
  for (int s = 16; s >= 1; s /= 2) m = MaxSkippingNaN(m, __shfl_xor_sync(kFullWarp, m, s));
  if (lane == 0) warp_max[warp] = m;
  __syncthreads();
  if (threadIdx.x == 0) {
    float all = warp_max[0];
    for (int w = 1; w < warps; ++w) all = MaxSkippingNaN(all, warp_max[w]);
    shared_value = all;
  }
  __syncthreads();
  m = shared_value;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) x[i] = ExpF(__fsub_rn(x[i], m));
  __syncthreads();
  if (warp == 0) {
    float partial = 0.0f;
    for (int64_t i = lane; i < n; i += 32) partial = __fadd_rn(partial, x[i]);
    const float sum = WarpLaneTree(partial);
    if (lane == 0) shared_value = sum;
  }
  __syncthreads();
  const float sum = shared_value;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) x[i] = __fdiv_rn(x[i], sum);
  __syncthreads();
}

}  // namespace attestd::kernels::ATTESTD_GPU_NS
