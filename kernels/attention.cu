// CUDA twin of kernels/attention.cc: causal GQA attention of each (token,
// head) over its sequence's cache, one block per pair, in the header's order:
//   s[p]   = dot(q_h, k_p, head_dim) * scale   one warp per key position,
//                                               lane l of the dot on lane l
//   p      = softmax(s)                         (kernels/softmax.cuh)
//   out[j] = +0; out[j] = out[j] + p[t] * v_t[j] for t = 0, 1, ..., position
//            one thread per j, sequential in t (not a lane sum)
// The scores live in global scratch (one row per pair), so any context fits.
#include "kernels/cuda.h"
#include "kernels/gpu_launch.h"
#include "kernels/lane_reduce.cuh"
#include "kernels/softmax.cuh"

namespace attestd::kernels::ATTESTD_GPU_NS {
namespace {

constexpr int kThreads = 128;

__global__ void __launch_bounds__(kThreads)
    AttentionKernel(const float* __restrict__ q, const TokenSlot* __restrict__ slots, int64_t layer, int64_t heads,
                    int64_t kv_heads, int64_t head_dim, float scale, float* __restrict__ scratch,
                    int64_t scratch_stride, float* __restrict__ out) {
  const int64_t pair = blockIdx.x;
  const int64_t t = pair / heads, h = pair % heads;
  const int64_t kvh = h / (heads / kv_heads), kv_dim = kv_heads * head_dim;
  const TokenSlot slot = slots[t];
  const int64_t n = static_cast<int64_t>(slot.position) + 1;
  const float* k = slot.k_cache + layer * slot.layer_stride + kvh * head_dim;
  const float* v = slot.v_cache + layer * slot.layer_stride + kvh * head_dim;
  const float* qh = q + pair * head_dim;
  float* s = scratch + pair * scratch_stride;
  const int lane = static_cast<int>(threadIdx.x % 32), warp = static_cast<int>(threadIdx.x / 32);
  for (int64_t p = warp; p < n; p += kThreads / 32) {
    const float* kp = k + p * kv_dim;
    float partial = 0.0f;
    for (int64_t i = lane; i < head_dim; i += 32) partial = LaneAdd(partial, qh[i], kp[i]);
    const float dot = WarpLaneTree(partial);
    if (lane == 0) s[p] = __fmul_rn(dot, scale);
  }
  __syncthreads();
  BlockSoftmaxInPlace(s, n);
  for (int64_t j = threadIdx.x; j < head_dim; j += kThreads) {
    float acc = 0.0f;
    for (int64_t p = 0; p < n; ++p) acc = LaneAdd(acc, s[p], v[p * kv_dim + j]);
    out[pair * head_dim + j] = acc;
  }
}

}  // namespace

cudaError_t LaunchAttention(cudaStream_t stream, const float* q, const TokenSlot* slots, int64_t layer,
                            int64_t tokens, int64_t heads, int64_t kv_heads, int64_t head_dim, float scale,
                            float* scratch, int64_t scratch_stride, float* out) {
  if (tokens <= 0) return cudaSuccess;
  ATTESTD_LAUNCH(AttentionKernel, dim3(static_cast<unsigned>(tokens * heads)), dim3(kThreads), 0, stream)
  (q, slots, layer, heads, kv_heads, head_dim, scale, scratch, scratch_stride, out);
  return cudaGetLastError();
}

}  // namespace attestd::kernels::ATTESTD_GPU_NS
