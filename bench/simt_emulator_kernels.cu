#include "kernels/cuda.h"

#include "bench/simt_emulator_kernels.h"

namespace attestd::kernels::ATTESTD_GPU_NS::simt_bench {
namespace {

__global__ void BarrierRounds(int rounds) {
  for (int r = 0; r < rounds; ++r) __syncthreads();
}

__global__ void SyncwarpRounds(int rounds) {
  for (int r = 0; r < rounds; ++r) __syncwarp();
}

constexpr int kRowWarps = 4;

__global__ void WarpRowDot(const float* w, const float* x, int rows, int n, float* y) {
  const int lane = static_cast<int>(threadIdx.x % 32);
  const int row = static_cast<int>(blockIdx.x) * kRowWarps + static_cast<int>(threadIdx.x / 32);
  if (row >= rows) return;
  const float* wr = w + static_cast<size_t>(row) * n;
  float acc = 0.0f;
  for (int i = lane; i < n; i += 32) acc = __fadd_rn(acc, __fmul_rn(wr[i], x[i]));
  for (int s = 16; s > 0; s /= 2) acc = __fadd_rn(acc, __shfl_down_sync(0xffffffffu, acc, s));
  if (lane == 0) y[row] = acc;
}

}  // namespace

cudaError_t LaunchBarrierRounds(int threads, int rounds, cudaStream_t stream) {
  ATTESTD_LAUNCH(BarrierRounds, 1, threads, 0, stream)(rounds);
  return cudaGetLastError();
}

cudaError_t LaunchSyncwarpRounds(int rounds, cudaStream_t stream) {
  ATTESTD_LAUNCH(SyncwarpRounds, 1, 32, 0, stream)(rounds);
  return cudaGetLastError();
}

cudaError_t LaunchWarpRowDot(const float* w, const float* x, int rows, int n, float* y, cudaStream_t stream) {
  const auto blocks = static_cast<unsigned>((rows + kRowWarps - 1) / kRowWarps);
  ATTESTD_LAUNCH(WarpRowDot, blocks, 32 * kRowWarps, 0, stream)(w, x, rows, n, y);
  return cudaGetLastError();
}

}  // namespace attestd::kernels::ATTESTD_GPU_NS::simt_bench
