// The f32 rate peer's kernel (bench/gpu_peers.h): independent
// multiply-then-add chains, never fused (__fmul_rn, __fadd_rn).
#include "bench/gpu_peers_launch.h"

namespace attestd::bench::ATTESTD_GPU_NS {
namespace {

__global__ void __launch_bounds__(kMulAddThreads) MulAddKernel(float* out, int iterations, float m, float c) {
  float x[kMulAddChains];
#pragma unroll
  for (int k = 0; k < kMulAddChains; ++k) x[k] = static_cast<float>(threadIdx.x + k);
  for (int i = 0; i < iterations; ++i) {
#pragma unroll
    for (int k = 0; k < kMulAddChains; ++k) x[k] = __fadd_rn(__fmul_rn(x[k], m), c);
  }
  float sum = 0.0f;
#pragma unroll
  for (int k = 0; k < kMulAddChains; ++k) sum = __fadd_rn(sum, x[k]);
  out[static_cast<size_t>(blockIdx.x) * kMulAddThreads + threadIdx.x] = sum;
}

}  // namespace

cudaError_t LaunchMulAdd(int blocks, float* out, int iterations) {
  ATTESTD_LAUNCH(MulAddKernel, dim3(blocks), dim3(kMulAddThreads), 0, nullptr)(out, iterations, 0.999f, 0.5f);
  return cudaGetLastError();
}

}  // namespace attestd::bench::ATTESTD_GPU_NS
