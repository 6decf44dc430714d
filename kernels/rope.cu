// CUDA twins of kernels/rope.cc (RopeCosSin and RopeApply) and of the
// transformer's cache append (model/transformer.cc), in the header's order:
//   angle = (float) position * inv_freq[i]              (f32 product)
//   cos, sin = SinCosD((double) angle), each rounded once to f32
//     (the very source of kernels/transcendental.h, compiled for the device)
//   y[i]     = x[i] * cos[i] - x[i + h] * sin[i]
//   y[i + h] = x[i + h] * cos[i] + x[i] * sin[i]
// Every element is computed by one thread on its own; the split changes no bit.
#include "kernels/cuda.h"
#include "kernels/gpu_launch.h"
#include "kernels/transcendental.h"

namespace attestd::kernels::ATTESTD_GPU_NS {
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads)
    RopeTableKernel(const float* __restrict__ inv_freq, const TokenSlot* __restrict__ slots, int64_t tokens,
                    int64_t half, float* __restrict__ cos, float* __restrict__ sin) {
  const int64_t e = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (e >= tokens * half) return;
  const int64_t t = e / half, i = e % half;
  const float angle = __fmul_rn(static_cast<float>(slots[t].position), inv_freq[i]);
  double s, c;
  SinCosD(static_cast<double>(angle), &s, &c);
  cos[e] = static_cast<float>(c);
  sin[e] = static_cast<float>(s);
}

// One block per token: its query heads rotated into q_out, its key heads
// rotated into the cache, its values copied into the cache.
__global__ void __launch_bounds__(kThreads)
    RopeAppendKernel(const float* __restrict__ qkv, float* __restrict__ q_out, const float* __restrict__ cos,
                     const float* __restrict__ sin, const TokenSlot* __restrict__ slots, int64_t layer,
                     int64_t heads, int64_t kv_heads, int64_t head_dim) {
  const int64_t t = blockIdx.x;
  const int64_t half = head_dim / 2, q_dim = heads * head_dim, kv_dim = kv_heads * head_dim;
  const float* ct = cos + t * half;
  const float* st = sin + t * half;
  const TokenSlot slot = slots[t];
  const int64_t at = layer * slot.layer_stride + static_cast<int64_t>(slot.position) * kv_dim;
  const float* qt = qkv + t * (q_dim + 2 * kv_dim);
  const float* kt = qt + q_dim;
  const float* vt = kt + kv_dim;
  for (int64_t e = threadIdx.x; e < (heads + kv_heads) * half; e += kThreads) {
    const int64_t h = e / half, i = e % half;
    const bool is_q = h < heads;
    const float* x = is_q ? qt + h * head_dim : kt + (h - heads) * head_dim;
    float* y = is_q ? q_out + t * q_dim + h * head_dim : slot.k_cache + at + (h - heads) * head_dim;
    const float a = x[i], b = x[i + half];
    y[i] = __fsub_rn(__fmul_rn(a, ct[i]), __fmul_rn(b, st[i]));
    y[i + half] = __fadd_rn(__fmul_rn(b, ct[i]), __fmul_rn(a, st[i]));
  }
  for (int64_t e = threadIdx.x; e < kv_dim; e += kThreads) slot.v_cache[at + e] = vt[e];
}

}  // namespace

cudaError_t LaunchRopeTable(cudaStream_t stream, const float* inv_freq, const TokenSlot* slots, int64_t tokens,
                            int64_t half, float* cos, float* sin) {
  if (tokens <= 0 || half <= 0) return cudaSuccess;
  const dim3 grid(static_cast<unsigned>((tokens * half + kThreads - 1) / kThreads));
  ATTESTD_LAUNCH(RopeTableKernel, grid, dim3(kThreads), 0, stream)(inv_freq, slots, tokens, half, cos, sin);
  return cudaGetLastError();
}

cudaError_t LaunchRopeAppend(cudaStream_t stream, const float* qkv, float* q_out, const float* cos, const float* sin,
                             const TokenSlot* slots, int64_t layer, int64_t tokens, int64_t heads, int64_t kv_heads,
                             int64_t head_dim) {
  if (tokens <= 0) return cudaSuccess;
  ATTESTD_LAUNCH(RopeAppendKernel, dim3(static_cast<unsigned>(tokens)), dim3(kThreads), 0, stream)
  (qkv, q_out, cos, sin, slots, layer, heads, kv_heads, head_dim);
  return cudaGetLastError();
}

}  // namespace attestd::kernels::ATTESTD_GPU_NS
