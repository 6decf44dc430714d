#include "kernels/cuda.h"

#include <cstdint>

#include "tests/kernels/simt_test_kernels.h"

namespace attestd::kernels::ATTESTD_GPU_NS::simt_test {
namespace {

__global__ void WriteIndices(unsigned* out) {
  const unsigned threads = blockDim.x * blockDim.y * blockDim.z;
  const unsigned block_linear = (blockIdx.z * gridDim.y + blockIdx.y) * gridDim.x + blockIdx.x;
  const unsigned thread_linear = (threadIdx.z * blockDim.y + threadIdx.y) * blockDim.x + threadIdx.x;
  unsigned* o = out + 12 * (static_cast<size_t>(block_linear) * threads + thread_linear);
  o[0] = threadIdx.x;
  o[1] = threadIdx.y;
  o[2] = threadIdx.z;
  o[3] = blockIdx.x;
  o[4] = blockIdx.y;
  o[5] = blockIdx.z;
  o[6] = blockDim.x;
  o[7] = blockDim.y;
  o[8] = blockDim.z;
  o[9] = gridDim.x;
  o[10] = gridDim.y;
  o[11] = gridDim.z;
}

constexpr int kSumThreads = 256;

__global__ void BlockSum(const float* x, int n, float* out) {
  __shared__ float partial[kSumThreads];
  const int t = static_cast<int>(threadIdx.x);
  const float* row = x + static_cast<size_t>(blockIdx.x) * n;
  float acc = 0.0f;
  for (int i = t; i < n; i += kSumThreads) acc = __fadd_rn(acc, row[i]);
  partial[t] = acc;
  __syncthreads();
  for (int s = kSumThreads / 2; s > 0; s /= 2) {
    if (t < s) partial[t] = __fadd_rn(partial[t], partial[t + s]);
    __syncthreads();
  }
  if (t == 0) out[blockIdx.x] = partial[0];
}

template <typename T>
__global__ void ReverseInShared(const T* in, int n, T* out) {
  ATTESTD_DYNAMIC_SHARED(T, buffer);
  const int t = static_cast<int>(threadIdx.x);
  buffer[t] = in[t];
  __syncthreads();
  out[t] = buffer[n - 1 - t];
}

__global__ void RotateTwice(const int* in, int n, int* out) {
  __shared__ int ring[1024];
  const int t = static_cast<int>(threadIdx.x);
  int v = in[t];
  for (int round = 0; round < 2; ++round) {
    ring[t] = v;
    __syncthreads();
    v = ring[(t + 1) % n];
    __syncthreads();
  }
  out[t] = v;
}

template <typename T>
__global__ void Shuffle(int kind, unsigned mask, int width, const int* lane_param, const T* in, T* out) {
  const unsigned lane = threadIdx.x;
  T v = in[lane];
  if ((mask >> lane) & 1u) {
    const int p = lane_param[lane];
    switch (static_cast<ShuffleKind>(kind)) {
      case ShuffleKind::kIdx: v = __shfl_sync(mask, v, p, width); break;
      case ShuffleKind::kUp: v = __shfl_up_sync(mask, v, static_cast<unsigned>(p), width); break;
      case ShuffleKind::kDown: v = __shfl_down_sync(mask, v, static_cast<unsigned>(p), width); break;
      case ShuffleKind::kXor: v = __shfl_xor_sync(mask, v, p, width); break;
    }
  }
  out[lane] = v;
}

__global__ void Votes(unsigned mask, const int* pred, unsigned* ballot, int* all, int* any) {
  const unsigned lane = threadIdx.x;
  if ((mask >> lane) & 1u) {
    const int p = pred[lane];
    ballot[lane] = __ballot_sync(mask, p);
    all[lane] = __all_sync(mask, p);
    any[lane] = __any_sync(mask, p);
  }
}

constexpr int kRowWarps = 4;

__global__ void WarpRowDot(const float* w, const float* x, int rows, int n, float* y) {
  const int lane = static_cast<int>(threadIdx.x % 32);
  const int row = static_cast<int>(blockIdx.x) * kRowWarps + static_cast<int>(threadIdx.x / 32);
  if (row >= rows) return;  // whole warps leave together
  const float* wr = w + static_cast<size_t>(row) * n;
  float acc = 0.0f;
  for (int i = lane; i < n; i += 32) acc = __fadd_rn(acc, __fmul_rn(wr[i], x[i]));
  for (int s = 16; s > 0; s /= 2) acc = __fadd_rn(acc, __shfl_down_sync(0xffffffffu, acc, s));
  if (lane == 0) y[row] = acc;
}

__global__ void AddOne(float* x, int n) {
  const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if (i < n) x[i] = __fadd_rn(x[i], 1.0f);
}

__global__ void TwicePlusOne(const float* x, int n, float* y) {
  const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if (i < n) y[i] = __fadd_rn(__fmul_rn(2.0f, x[i]), 1.0f);
}

__global__ void SharedIdentity(unsigned long long* where) {
  __shared__ int scratch[128];
  const int t = static_cast<int>(threadIdx.x);
  scratch[t] = t;
  for (int round = 0; round < 8; ++round) {
    __syncthreads();
    const int v = scratch[(t + 1) % 128];
    __syncthreads();
    scratch[t] = v + 1;
  }
  __syncthreads();
  if (t == 0) where[blockIdx.x] = static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(&scratch[0]));
}

__global__ void WarpExchange(bool with_syncwarp, const int* in, int* out) {
  __shared__ int slots[32];
  const unsigned lane = threadIdx.x;
  slots[lane] = in[lane];
  if (with_syncwarp) __syncwarp();
  out[lane] = slots[(lane + 1) % 32];
}

__global__ void Deadlock() {
  if (threadIdx.x > 0 && threadIdx.x < 32) __syncwarp();
  __syncthreads();
}

__global__ void DivergentBarrier() {
  if (threadIdx.x < 32) {
    __syncthreads();
  } else {
    __syncthreads();
  }
}

__global__ void ShuffleWithExitedLane() {
  if (threadIdx.x == 31) return;
  const int v = __shfl_sync(0xffffffffu, static_cast<int>(threadIdx.x), 0);
  (void)v;
}

__global__ void MismatchedCollectives() {
  if (threadIdx.x % 2 == 0) {
    const int v = __shfl_sync(0xffffffffu, static_cast<int>(threadIdx.x), 0);
    (void)v;
  } else {
    const unsigned b = __ballot_sync(0xffffffffu, 1);
    (void)b;
  }
}

__global__ void MissingSyncthreads(int n, int* out) {
  __shared__ int ring[1024];
  const int t = static_cast<int>(threadIdx.x);
  ring[t] = t;
  // The bug under test: a __syncthreads belongs here.
  out[t] = ring[(t + 1) % n];
}

__global__ void ReadOnePast(const float* in, float* out) {
  const int t = static_cast<int>(threadIdx.x);
  out[t] = in[t + 1];
}

__global__ void ReadOnePastDynamicShared(float* out) {
  ATTESTD_DYNAMIC_SHARED(float, buffer);
  const unsigned t = threadIdx.x;
  buffer[t] = static_cast<float>(t);
  __syncthreads();
  out[t] = buffer[t + 1];
}

unsigned Blocks(int n, int per_block) { return static_cast<unsigned>((n + per_block - 1) / per_block); }

template <typename T>
cudaError_t LaunchShuffle(ShuffleKind kind, unsigned mask, int width, int threads, const int* lane_param,
                          const T* in, T* out, cudaStream_t stream) {
  auto* kernel = &Shuffle<T>;
  ATTESTD_LAUNCH(kernel, 1, threads, 0, stream)(static_cast<int>(kind), mask, width, lane_param, in, out);
  return cudaGetLastError();
}

}  // namespace

cudaError_t LaunchWriteIndices(dim3 grid, dim3 block, unsigned* out, cudaStream_t stream) {
  ATTESTD_LAUNCH(WriteIndices, grid, block, 0, stream)(out);
  return cudaGetLastError();
}

cudaError_t LaunchBlockSum(const float* x, int rows, int n, float* out, cudaStream_t stream) {
  ATTESTD_LAUNCH(BlockSum, rows, kSumThreads, 0, stream)(x, n, out);
  return cudaGetLastError();
}

cudaError_t LaunchReverseInts(const int* in, int n, int* out, cudaStream_t stream) {
  ATTESTD_LAUNCH(ReverseInShared<int>, 1, n, n * sizeof(int), stream)(in, n, out);
  return cudaGetLastError();
}

cudaError_t LaunchReverseDoubles(const double* in, int n, double* out, cudaStream_t stream) {
  ATTESTD_LAUNCH(ReverseInShared<double>, 1, n, n * sizeof(double), stream)(in, n, out);
  return cudaGetLastError();
}

cudaError_t LaunchRotateTwice(const int* in, int n, int* out, cudaStream_t stream) {
  ATTESTD_LAUNCH(RotateTwice, 1, n, 0, stream)(in, n, out);
  return cudaGetLastError();
}

cudaError_t LaunchShuffleInt(ShuffleKind kind, unsigned mask, int width, int threads, const int* lane_param,
                             const int* in, int* out, cudaStream_t stream) {
  return LaunchShuffle(kind, mask, width, threads, lane_param, in, out, stream);
}
cudaError_t LaunchShuffleFloat(ShuffleKind kind, unsigned mask, int width, int threads, const int* lane_param,
                               const float* in, float* out, cudaStream_t stream) {
  return LaunchShuffle(kind, mask, width, threads, lane_param, in, out, stream);
}
cudaError_t LaunchShuffleDouble(ShuffleKind kind, unsigned mask, int width, int threads, const int* lane_param,
                                const double* in, double* out, cudaStream_t stream) {
  return LaunchShuffle(kind, mask, width, threads, lane_param, in, out, stream);
}
cudaError_t LaunchShuffleLongLong(ShuffleKind kind, unsigned mask, int width, int threads, const int* lane_param,
                                  const long long* in, long long* out, cudaStream_t stream) {
  return LaunchShuffle(kind, mask, width, threads, lane_param, in, out, stream);
}

cudaError_t LaunchVotes(unsigned mask, const int* pred, unsigned* ballot, int* all, int* any, cudaStream_t stream) {
  ATTESTD_LAUNCH(Votes, 1, 32, 0, stream)(mask, pred, ballot, all, any);
  return cudaGetLastError();
}

cudaError_t LaunchWarpRowDot(const float* w, const float* x, int rows, int n, float* y, cudaStream_t stream) {
  ATTESTD_LAUNCH(WarpRowDot, Blocks(rows, kRowWarps), 32 * kRowWarps, 0, stream)(w, x, rows, n, y);
  return cudaGetLastError();
}

cudaError_t LaunchAddOne(float* x, int n, cudaStream_t stream) {
  ATTESTD_LAUNCH(AddOne, Blocks(n, 64), 64, 0, stream)(x, n);
  return cudaGetLastError();
}

cudaError_t LaunchTwicePlusOne(const float* x, int n, float* y, cudaStream_t stream) {
  ATTESTD_LAUNCH(TwicePlusOne, Blocks(n, 64), 64, 0, stream)(x, n, y);
  return cudaGetLastError();
}

cudaError_t LaunchAddOneConfigured(dim3 grid, dim3 block, size_t smem_bytes, float* x, int n, cudaStream_t stream) {
  ATTESTD_LAUNCH(AddOne, grid, block, smem_bytes, stream)(x, n);
  return cudaGetLastError();
}

cudaError_t SetAddOneMaxDynamicShared(int bytes) {
  return cudaFuncSetAttribute(AddOne, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes);
}

cudaError_t LaunchSharedIdentity(int blocks, unsigned long long* where, cudaStream_t stream) {
  ATTESTD_LAUNCH(SharedIdentity, blocks, 128, 0, stream)(where);
  return cudaGetLastError();
}

cudaError_t LaunchWarpExchange(bool with_syncwarp, const int* in, int* out, cudaStream_t stream) {
  ATTESTD_LAUNCH(WarpExchange, 1, 32, 0, stream)(with_syncwarp, in, out);
  return cudaGetLastError();
}

cudaError_t LaunchDeadlock(int threads, cudaStream_t stream) {
  ATTESTD_LAUNCH(Deadlock, 1, threads, 0, stream)();
  return cudaGetLastError();
}

cudaError_t LaunchDivergentBarrier(int threads, cudaStream_t stream) {
  ATTESTD_LAUNCH(DivergentBarrier, 1, threads, 0, stream)();
  return cudaGetLastError();
}

cudaError_t LaunchShuffleWithExitedLane(cudaStream_t stream) {
  ATTESTD_LAUNCH(ShuffleWithExitedLane, 1, 32, 0, stream)();
  return cudaGetLastError();
}

cudaError_t LaunchMismatchedCollectives(cudaStream_t stream) {
  ATTESTD_LAUNCH(MismatchedCollectives, 1, 32, 0, stream)();
  return cudaGetLastError();
}

cudaError_t LaunchMissingSyncthreads(int threads, int* out, cudaStream_t stream) {
  ATTESTD_LAUNCH(MissingSyncthreads, 1, threads, 0, stream)(threads, out);
  return cudaGetLastError();
}

cudaError_t LaunchReadOnePast(const float* in, int n, float* out, cudaStream_t stream) {
  ATTESTD_LAUNCH(ReadOnePast, 1, n, 0, stream)(in, out);
  return cudaGetLastError();
}

cudaError_t LaunchReadOnePastDynamicShared(int n, float* out, cudaStream_t stream) {
  ATTESTD_LAUNCH(ReadOnePastDynamicShared, 1, n, n * sizeof(float), stream)(out);
  return cudaGetLastError();
}

}  // namespace attestd::kernels::ATTESTD_GPU_NS::simt_test
