// CUDA twin of kernels/silu.cc: out = silu(g) * u with
// silu(g) = g / (1 + ExpF(-g)) (f32 negation, add, division, then one f32
// product), one thread per element. Gate and up come side by side in one
// row of 2 * inter (the engine fuses their projections; each output of a
// matmul is computed alone, so the fusion changes no bit).
#include "kernels/cuda.h"
#include "kernels/gpu_launch.h"
#include "kernels/transcendental.h"

namespace attestd::kernels::ATTESTD_GPU_NS {
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads)
    SiluMulKernel(const float* __restrict__ gate_up, int64_t tokens, int64_t inter, float* __restrict__ out) {
  const int64_t e = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (e >= tokens * inter) return;
  const int64_t t = e / inter, i = e % inter;
  const float g = gate_up[t * 2 * inter + i];
  const float u = gate_up[t * 2 * inter + inter + i];
  out[e] = __fmul_rn(__fdiv_rn(g, __fadd_rn(1.0f, ExpF(-g))), u);
}

}  // namespace

cudaError_t LaunchSiluMul(cudaStream_t stream, const float* gate_up, int64_t tokens, int64_t inter, float* out) {
  if (tokens <= 0 || inter <= 0) return cudaSuccess;
  const dim3 grid(static_cast<unsigned>((tokens * inter + kThreads - 1) / kThreads));
  ATTESTD_LAUNCH(SiluMulKernel, grid, dim3(kThreads), 0, stream)(gate_up, tokens, inter, out);
  return cudaGetLastError();
}

}  // namespace attestd::kernels::ATTESTD_GPU_NS
