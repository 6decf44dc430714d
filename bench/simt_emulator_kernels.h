// Kernels the simt_emulator benchmark times (bench/simt_emulator.cc).
// Launchers return cudaGetLastError(). Pointers are device pointers.
#pragma once

#include "kernels/cuda.h"

namespace attestd::kernels::ATTESTD_GPU_NS::simt_bench {

// One block of `threads` threads, each reaching __syncthreads `rounds` times.
cudaError_t LaunchBarrierRounds(int threads, int rounds, cudaStream_t stream);

// One warp reaching __syncwarp() `rounds` times.
cudaError_t LaunchSyncwarpRounds(int rounds, cudaStream_t stream);

// y[row] = lane dot of W[row] and x (docs/determinism.md): one warp per row,
// 4 warps per block, lane l striding by 32, then __shfl_down_sync 16..1.
//   w [rows, n], x [n], y [rows]
cudaError_t LaunchWarpRowDot(const float* w, const float* x, int rows, int n, float* y, cudaStream_t stream);

}  // namespace attestd::kernels::ATTESTD_GPU_NS::simt_bench
