// CUDA twin of kernels/softmax.cc: one block per row, the order of
// kernels/softmax.cuh (which attention.cu shares).
#include "kernels/cuda.h"
#include "kernels/gpu_launch.h"
#include "kernels/softmax.cuh"

namespace attestd::kernels::ATTESTD_GPU_NS {
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads) SoftmaxKernel(float* x, int64_t n) {
  BlockSoftmaxInPlace(x + static_cast<int64_t>(blockIdx.x) * n, n);
}

}  // namespace

cudaError_t LaunchSoftmax(cudaStream_t stream, float* x, int64_t rows, int64_t n) {
  if (rows <= 0) return cudaSuccess;
  ATTESTD_LAUNCH(SoftmaxKernel, dim3(static_cast<unsigned>(rows)), dim3(kThreads), 0, stream)(x, n);
  return cudaGetLastError();
}

}  // namespace attestd::kernels::ATTESTD_GPU_NS
