// CUDA twin of kernels/rmsnorm.cc, one warp per row, in the header's order:
//   ss   = lane sum of x[i] * x[i]   (lane l of the sum on lane l of the warp)
//   mean = ss / n; inv = 1 / sqrt(mean + eps)   (IEEE division and sqrt)
//   y[i] = (x[i] * inv) * weight[i]
#include "kernels/cuda.h"
#include "kernels/gpu_launch.h"
#include "kernels/lane_reduce.cuh"

namespace attestd::kernels::ATTESTD_GPU_NS {
namespace {

constexpr int kRowsPerBlock = 8;

__global__ void __launch_bounds__(kRowsPerBlock * 32)
    RmsNormKernel(const float* __restrict__ x, const int32_t* __restrict__ rows_from, int64_t rows, int64_t n,
                  const float* __restrict__ weight, float eps, float* __restrict__ y) {
  const int lane = static_cast<int>(threadIdx.x % 32);
  const int64_t r = static_cast<int64_t>(blockIdx.x) * kRowsPerBlock + threadIdx.x / 32;
  if (r >= rows) return;  // the whole warp
  const float* xr = x + (rows_from != nullptr ? static_cast<int64_t>(rows_from[r]) : r) * n;
  float* yr = y + r * n;
  float partial = 0.0f;
  for (int64_t i = lane; i < n; i += 32) partial = LaneAdd(partial, xr[i], xr[i]);
  const float ss = __shfl_sync(kFullWarp, WarpLaneTree(partial), 0);
  const float mean = __fdiv_rn(ss, static_cast<float>(n));
  const float inv = __fdiv_rn(1.0f, __fsqrt_rn(__fadd_rn(mean, eps)));
  for (int64_t i = lane; i < n; i += 32) yr[i] = __fmul_rn(__fmul_rn(xr[i], inv), weight[i]);
}

}  // namespace

cudaError_t LaunchRmsNorm(cudaStream_t stream, const float* x, const int32_t* rows_from, int64_t rows, int64_t n,
                          const float* weight, float eps, float* y) {
  if (rows <= 0) return cudaSuccess;
  const dim3 grid(static_cast<unsigned>((rows + kRowsPerBlock - 1) / kRowsPerBlock));
  ATTESTD_LAUNCH(RmsNormKernel, grid, dim3(kRowsPerBlock * 32), 0, stream)(x, rows_from, rows, n, weight, eps, y);
  return cudaGetLastError();
}

}  // namespace attestd::kernels::ATTESTD_GPU_NS
