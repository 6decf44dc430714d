// Kernels that exercise the CUDA surface the project's kernels rely on
// (indices, barriers, shared memory, warp collectives), with host launchers.
// Compiled by attestd_gpu_library, so the same text runs on the SIMT
// emulator (tests/kernels/simt_*_test.cc) and is compiled by nvcc.
//
// Every launcher issues one launch on `stream` and returns
// cudaGetLastError(), as a project launcher checks its launch. Pointers are
// device pointers; sizes are in elements unless named *_bytes.
#pragma once

#include <cstdint>

#include "kernels/cuda.h"

namespace attestd::kernels::ATTESTD_GPU_NS::simt_test {

// Per thread, 12 values at out[12 * g ...]: threadIdx, blockIdx, blockDim,
// gridDim (x, y, z each), where g is the thread's global linear index
// (block-linear * threads-per-block + thread-linear, x fastest).
cudaError_t LaunchWriteIndices(dim3 grid, dim3 block, unsigned* out, cudaStream_t stream);

// One block of 256 threads per row of x [rows, n]: out[row] is the sum of
// thread t's strided partial x[t], x[t + 256], ... followed by a shared
// memory tree (s = 128, 64, ..., 1: p[t] += p[t + s]) with __syncthreads.
cudaError_t LaunchBlockSum(const float* x, int rows, int n, float* out, cudaStream_t stream);

// One block of n threads (n <= 1024) and n * sizeof(T) bytes of dynamic
// shared memory: out[t] = in[n - 1 - t] through shared memory.
cudaError_t LaunchReverseInts(const int* in, int n, int* out, cudaStream_t stream);
cudaError_t LaunchReverseDoubles(const double* in, int n, double* out, cudaStream_t stream);

// One block of n threads: out[t] = in[(t + 2) % n], via two rounds of
// "shared[t] = v; barrier; v = shared[(t + 1) % n]; barrier" (the second
// barrier of each round guards the next round's overwrite).
cudaError_t LaunchRotateTwice(const int* in, int n, int* out, cudaStream_t stream);

enum class ShuffleKind : int { kIdx = 0, kUp = 1, kDown = 2, kXor = 3 };

// One block of `threads` (<= 32) threads, one warp. Lanes in `mask` call the
// shuffle of `kind` on in[lane] with lane_param[lane] (source lane, delta or
// lane mask) and `width`; out[lane] is the result, or in[lane] for lanes
// outside the mask.
cudaError_t LaunchShuffleInt(ShuffleKind kind, unsigned mask, int width, int threads, const int* lane_param,
                             const int* in, int* out, cudaStream_t stream);
cudaError_t LaunchShuffleFloat(ShuffleKind kind, unsigned mask, int width, int threads, const int* lane_param,
                               const float* in, float* out, cudaStream_t stream);
cudaError_t LaunchShuffleDouble(ShuffleKind kind, unsigned mask, int width, int threads, const int* lane_param,
                                const double* in, double* out, cudaStream_t stream);
cudaError_t LaunchShuffleLongLong(ShuffleKind kind, unsigned mask, int width, int threads, const int* lane_param,
                                  const long long* in, long long* out, cudaStream_t stream);

// One warp. Lanes in `mask` vote on pred[lane]: ballot[lane], all[lane] and
// any[lane] get __ballot_sync, __all_sync and __any_sync; lanes outside the
// mask leave their outputs as they were.
cudaError_t LaunchVotes(unsigned mask, const int* pred, unsigned* ballot, int* all, int* any, cudaStream_t stream);

// One warp per row of W [rows, n] (4 warps per block): y[row] is the lane
// dot of W[row] and x (docs/determinism.md, "Lane sum"): lane l sums
// W[row][i] * x[i] for i = l, l + 32, ...; then __shfl_down_sync by 16, 8,
// 4, 2, 1.
cudaError_t LaunchWarpRowDot(const float* w, const float* x, int rows, int n, float* y, cudaStream_t stream);

// x[i] += 1 for i in [0, n), 64 threads per block.
cudaError_t LaunchAddOne(float* x, int n, cudaStream_t stream);

// y[i] = 2 * x[i] + 1 for i in [0, n), 64 threads per block.
cudaError_t LaunchTwicePlusOne(const float* x, int n, float* y, cudaStream_t stream);

// Like LaunchAddOne, with an explicit configuration, for launch errors.
cudaError_t LaunchAddOneConfigured(dim3 grid, dim3 block, size_t smem_bytes, float* x, int n, cudaStream_t stream);
// The kernel LaunchAddOneConfigured launches, for cudaFuncSetAttribute.
cudaError_t SetAddOneMaxDynamicShared(int bytes);

// `blocks` blocks of 128 threads; block b writes to where[b] an identifier
// of the shared memory it ran with (its address), after a few barriers'
// worth of work. On the emulator, blocks run by different host threads see
// different identifiers.
cudaError_t LaunchSharedIdentity(int blocks, unsigned long long* where, cudaStream_t stream);

// One warp exchanges values through shared memory: out[lane] =
// in[(lane + 1) % 32], with a __syncwarp() between the writes and the
// reads when `with_syncwarp` (without it, a data race).
cudaError_t LaunchWarpExchange(bool with_syncwarp, const int* in, int* out, cudaStream_t stream);

// Kernels with deliberate bugs, for the emulator's failure reports. Each
// is one block of `threads` threads.
// Lanes 1..31 of warp 0 wait at __syncwarp() while lane 0 waits at
// __syncthreads: a deadlock.
cudaError_t LaunchDeadlock(int threads, cudaStream_t stream);
// Warp 0 reaches one __syncthreads, the other warps another.
cudaError_t LaunchDivergentBarrier(int threads, cudaStream_t stream);
// Lane 31 returns early; the others shuffle with the full mask.
cudaError_t LaunchShuffleWithExitedLane(cudaStream_t stream);
// Even lanes shuffle, odd lanes ballot, all with the full mask.
cudaError_t LaunchMismatchedCollectives(cudaStream_t stream);
// Each thread writes shared[t], then reads shared[(t + 1) % n] with no
// __syncthreads in between: a data race.
cudaError_t LaunchMissingSyncthreads(int threads, int* out, cudaStream_t stream);
// Thread t reads in[t + 1]: the last thread reads one element past the end.
cudaError_t LaunchReadOnePast(const float* in, int n, float* out, cudaStream_t stream);
// n threads and n floats of dynamic shared memory; after a barrier thread t
// reads shared[t + 1]: the last thread reads one past the launch's bytes.
cudaError_t LaunchReadOnePastDynamicShared(int n, float* out, cudaStream_t stream);

}  // namespace attestd::kernels::ATTESTD_GPU_NS::simt_test
