// CUDA twin of kernels/embedding.cc: out[t] = table[ids[t]], widened
// exactly, one thread per element, read from the lane-major table
// (kernels/lane_major.h) that the lm_head matmul shares when embeddings are
// tied.
#include "kernels/cuda.h"
#include "kernels/gpu_launch.h"
#include "kernels/lane_major.h"
#include "kernels/lane_reduce.cuh"

namespace attestd::kernels::ATTESTD_GPU_NS {
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads)
    EmbedKernel(WeightType type, const void* __restrict__ table, int64_t cols, int64_t stride,
                const int32_t* __restrict__ ids, int64_t tokens, float* __restrict__ out) {
  const int64_t e = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (e >= tokens * cols) return;
  const int64_t t = e / cols, col = e % cols;
  const int64_t at = static_cast<int64_t>(ids[t]) * stride + LaneMajorIndex(type, col);
  out[e] = type == WeightType::kBf16 ? WidenBf16(static_cast<const uint16_t*>(table)[at])
                                     : static_cast<const float*>(table)[at];
}

}  // namespace

cudaError_t LaunchEmbed(cudaStream_t stream, const DeviceMatrix& table, const int32_t* ids, int64_t tokens,
                        float* out) {
  if (tokens <= 0 || table.cols <= 0) return cudaSuccess;
  const dim3 grid(static_cast<unsigned>((tokens * table.cols + kThreads - 1) / kThreads));
  ATTESTD_LAUNCH(EmbedKernel, grid, dim3(kThreads), 0, stream)
  (table.type, table.data, table.cols, table.stride, ids, tokens, out);
  return cudaGetLastError();
}

}  // namespace attestd::kernels::ATTESTD_GPU_NS
