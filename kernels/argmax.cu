// CUDA twin of kernels/argmax.cc: the lowest index of the maximum, NaN read
// as -infinity, one block per row. Every comparison is exact and ties go to
// the lower index, so the order in which threads and warps meet does not
// matter.
#include "kernels/cuda.h"
#include "kernels/gpu_launch.h"
#include "kernels/lane_reduce.cuh"

namespace attestd::kernels::ATTESTD_GPU_NS {
namespace {

constexpr int kThreads = 256;

// True when (v, i) comes before (best, best_i).
__device__ __forceinline__ bool Better(float v, int32_t i, float best, int32_t best_i) {
  return v > best || (v == best && i < best_i);
}

__global__ void __launch_bounds__(kThreads) ArgmaxKernel(const float* __restrict__ x, int64_t n, int32_t* out) {
  __shared__ float warp_value[kThreads / 32];
  __shared__ int32_t warp_index[kThreads / 32];
  const float neg_inf = -__int_as_float(0x7f800000);
  const float* row = x + static_cast<int64_t>(blockIdx.x) * n;
  float best = neg_inf;
  int32_t best_i = 0x7fffffff;
  for (int64_t i = threadIdx.x; i < n; i += kThreads) {
    const float v = row[i] != row[i] ? neg_inf : row[i];
    if (Better(v, static_cast<int32_t>(i), best, best_i)) {
      best = v;
      best_i = static_cast<int32_t>(i);
    }
  }
  for (int s = 16; s >= 1; s /= 2) {
    const float v = __shfl_xor_sync(kFullWarp, best, s);
    const int32_t i = __shfl_xor_sync(kFullWarp, best_i, s);
    if (Better(v, i, best, best_i)) {
      best = v;
      best_i = i;
    }
  }
  const int lane = static_cast<int>(threadIdx.x % 32), warp = static_cast<int>(threadIdx.x / 32);
  if (lane == 0) {
    warp_value[warp] = best;
    warp_index[warp] = best_i;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    for (int w = 1; w < kThreads / 32; ++w) {
      if (Better(warp_value[w], warp_index[w], best, best_i)) {
        best = warp_value[w];
        best_i = warp_index[w];
      }
    }
    out[blockIdx.x] = best_i;
  }
}

}  // namespace

cudaError_t LaunchArgmax(cudaStream_t stream, const float* x, int64_t rows, int64_t n, int32_t* out) {
  if (rows <= 0) return cudaSuccess;
  ATTESTD_LAUNCH(ArgmaxKernel, dim3(static_cast<unsigned>(rows)), dim3(kThreads), 0, stream)(x, n, out);
  return cudaGetLastError();
}

}  // namespace attestd::kernels::ATTESTD_GPU_NS
