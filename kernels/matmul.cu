// CUDA twin of kernels/matmul.cc: y[t][o] = dot(x[t], W[o], in), then
// + bias[o], then residual[t][o] + that, every output in the lane order of
// kernels/lane_reduce.h with lane l of the sum on lane l of a warp
// (kernels/lane_reduce.cuh). W is lane-major (kernels/lane_major.h), so a
// lane's next V terms are one 16-byte load.
//
// Two kernels, one order:
//   MatvecKernel   decode and small batches (tokens <= kMatvecMaxTokens):
//                  one warp per output row, the row streamed once for all
//                  tokens, kMatvecUnroll loads in flight per lane. Memory
//                  bound: it reads each weight byte once.
//   MatmulTileKernel  prefill: a block computes kBlockRows x kBlockTokens
//                  outputs from weight and activation chunks staged in
//                  shared memory; each warp holds kWarpRows x kWarpTokens
//                  outputs, lane l accumulating term l + 32 j of every one of
//                  them, so each output keeps its own 32 lanes and tree.
// In both, threads split outputs, never the terms of one sum; no atomics.
#include "kernels/cuda.h"
#include "kernels/gpu_launch.h"
#include "kernels/lane_reduce.cuh"

namespace attestd::kernels::ATTESTD_GPU_NS {
namespace {

// How a 16-byte load of a lane-major row becomes V floats (exact widening).
struct Bf16Lanes {
  static constexpr int kVector = 8;
  __device__ static void Load(const void* w, int64_t offset, float* out) {
    const uint4 raw = *reinterpret_cast<const uint4*>(static_cast<const uint16_t*>(w) + offset);
    const unsigned words[4] = {raw.x, raw.y, raw.z, raw.w};
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      out[2 * i] = WidenBf16(words[i] & 0xffffu);
      out[2 * i + 1] = WidenBf16(words[i] >> 16);
    }
  }
};

struct F32Lanes {
  static constexpr int kVector = 4;
  __device__ static void Load(const void* w, int64_t offset, float* out) {
    const float4 raw = *reinterpret_cast<const float4*>(static_cast<const float*>(w) + offset);
    out[0] = raw.x;
    out[1] = raw.y;
    out[2] = raw.z;
    out[3] = raw.w;
  }
};

// The epilogue every output shares: + bias, then the residual addition.
__device__ __forceinline__ void Store(float sum, int64_t t, int64_t o, int64_t rows, const float* bias,
                                      const float* residual, float* y) {
  if (bias != nullptr) sum = __fadd_rn(sum, bias[o]);
  if (residual != nullptr) sum = __fadd_rn(residual[t * rows + o], sum);
  y[t * rows + o] = sum;
}

constexpr int kMatvecMaxTokens = 8;
constexpr int kMatvecWarps = 8;   // rows per block
constexpr int kMatvecUnroll = 4;  // 16-byte weight loads in flight per lane

template <int kTokens, typename W>
__global__ void __launch_bounds__(kMatvecWarps * 32)
    MatvecKernel(const float* __restrict__ x, int64_t cols, const void* __restrict__ w, int64_t rows, int64_t stride,
                 const float* __restrict__ bias, const float* residual, float* y) {
  constexpr int kV = W::kVector;
  constexpr int kChunk = 32 * kV;
  const int lane = static_cast<int>(threadIdx.x % 32);
  const int64_t row = static_cast<int64_t>(blockIdx.x) * kMatvecWarps + threadIdx.x / 32;
  if (row >= rows) return;  // the whole warp: row is the same on all its lanes
  const int64_t base = row * stride + lane * kV;
  float acc[kTokens];
#pragma unroll
  for (int t = 0; t < kTokens; ++t) acc[t] = 0.0f;
  const int64_t full = cols / kChunk;
  int64_t c = 0;
  for (; c + kMatvecUnroll <= full; c += kMatvecUnroll) {
    float wv[kMatvecUnroll][kV];
#pragma unroll
    for (int u = 0; u < kMatvecUnroll; ++u) W::Load(w, base + (c + u) * kChunk, wv[u]);
#pragma unroll
    for (int u = 0; u < kMatvecUnroll; ++u) {
      const float* xc = x + (c + u) * kChunk + lane;
#pragma unroll
      for (int j = 0; j < kV; ++j) {
#pragma unroll
        for (int t = 0; t < kTokens; ++t) acc[t] = LaneAdd(acc[t], xc[t * cols + 32 * j], wv[u][j]);
      }
    }
  }
  for (; c < full; ++c) {
    float wv[kV];
    W::Load(w, base + c * kChunk, wv);
    const float* xc = x + c * kChunk + lane;
#pragma unroll
    for (int j = 0; j < kV; ++j) {
#pragma unroll
      for (int t = 0; t < kTokens; ++t) acc[t] = LaneAdd(acc[t], xc[t * cols + 32 * j], wv[j]);
    }
  }
  if (full * kChunk < cols) {  // the partial last chunk: terms past `cols` do not exist
    float wv[kV];
    W::Load(w, base + full * kChunk, wv);
#pragma unroll
    for (int j = 0; j < kV; ++j) {
      const int64_t col = full * kChunk + lane + 32 * j;
      if (col < cols) {
#pragma unroll
        for (int t = 0; t < kTokens; ++t) acc[t] = LaneAdd(acc[t], x[t * cols + col], wv[j]);
      }
    }
  }
#pragma unroll
  for (int t = 0; t < kTokens; ++t) {
    const float sum = WarpLaneTree(acc[t]);
    if (lane == 0) Store(sum, t, row, rows, bias, residual, y);
  }
}

constexpr int kWarpRows = 4;                          // outputs per lane: rows ...
constexpr int kWarpTokens = 8;                        // ... x tokens
constexpr int kWarpsAlongRows = 4;                    // 8 warps: 4 along rows x 2 along tokens
constexpr int kTileThreads = 256;
constexpr int kBlockRows = kWarpRows * kWarpsAlongRows;                                   // 16
constexpr int kBlockTokens = kWarpTokens * (kTileThreads / 32 / kWarpsAlongRows);        // 16

template <typename W>
__global__ void __launch_bounds__(kTileThreads)
    MatmulTileKernel(const float* __restrict__ x, int64_t tokens, int64_t cols, const void* __restrict__ w,
                     int64_t rows, int64_t stride, const float* __restrict__ bias, const float* residual, float* y) {
  constexpr int kV = W::kVector;
  constexpr int kChunk = 32 * kV;
  // One chunk of every row and token of the block, in natural column order
  // (lane l reads column l + 32 j: consecutive lanes, consecutive banks).
  __shared__ float w_s[kBlockRows][kChunk];
  __shared__ float x_s[kBlockTokens][kChunk];
  const int tid = static_cast<int>(threadIdx.x);
  const int lane = tid % 32, warp = tid / 32;
  const int64_t row0 = static_cast<int64_t>(blockIdx.x) * kBlockRows;
  const int64_t tok0 = static_cast<int64_t>(blockIdx.y) * kBlockTokens;
  const int wr = (warp % kWarpsAlongRows) * kWarpRows;
  const int wt = (warp / kWarpsAlongRows) * kWarpTokens;
  float acc[kWarpRows][kWarpTokens];
#pragma unroll
  for (int r = 0; r < kWarpRows; ++r) {
#pragma unroll
    for (int t = 0; t < kWarpTokens; ++t) acc[r][t] = 0.0f;
  }
  const int64_t chunks = stride / kChunk;
  for (int64_t c = 0; c < chunks; ++c) {
    // Rows and tokens past the matrix, and columns past `cols`, stage as
    // zeros: their terms are +0 * +0 = +0, and adding +0 to a lane (never
    // -0, it starts at +0) changes no bit; their outputs are not stored.
    for (int v = tid; v < kBlockRows * 32; v += kTileThreads) {
      const int r = v / 32, slot = v % 32;
      float wv[kV];
      if (row0 + r < rows) {
        W::Load(w, (row0 + r) * stride + c * kChunk + slot * kV, wv);
      } else {
#pragma unroll
        for (int j = 0; j < kV; ++j) wv[j] = 0.0f;
      }
#pragma unroll
      for (int j = 0; j < kV; ++j) w_s[r][slot + 32 * j] = wv[j];
    }
    for (int e = tid; e < kBlockTokens * kChunk; e += kTileThreads) {
      const int t = e / kChunk, k = e % kChunk;
      const int64_t col = c * kChunk + k;
      x_s[t][k] = (tok0 + t < tokens && col < cols) ? x[(tok0 + t) * cols + col] : 0.0f;
    }
    __syncthreads();
#pragma unroll
    for (int j = 0; j < kV; ++j) {
      const int k = lane + 32 * j;
      float wv[kWarpRows], xv[kWarpTokens];
#pragma unroll
      for (int r = 0; r < kWarpRows; ++r) wv[r] = w_s[wr + r][k];
#pragma unroll
      for (int t = 0; t < kWarpTokens; ++t) xv[t] = x_s[wt + t][k];
#pragma unroll
      for (int r = 0; r < kWarpRows; ++r) {
#pragma unroll
        for (int t = 0; t < kWarpTokens; ++t) acc[r][t] = LaneAdd(acc[r][t], xv[t], wv[r]);
      }
    }
    __syncthreads();
  }
#pragma unroll
  for (int r = 0; r < kWarpRows; ++r) {
#pragma unroll
    for (int t = 0; t < kWarpTokens; ++t) {
      const float sum = WarpLaneTree(acc[r][t]);
      const int64_t o = row0 + wr + r, tok = tok0 + wt + t;
      if (lane == 0 && o < rows && tok < tokens) Store(sum, tok, o, rows, bias, residual, y);
    }
  }
}

template <typename W, int kTokens>
void LaunchMatvec(cudaStream_t stream, const float* x, const DeviceMatrix& w, const float* bias,
                  const float* residual, float* y) {
  const dim3 grid(static_cast<unsigned>((w.rows + kMatvecWarps - 1) / kMatvecWarps));
  const auto kernel = MatvecKernel<kTokens, W>;
  ATTESTD_LAUNCH(kernel, grid, dim3(kMatvecWarps * 32), 0, stream)(x, w.cols, w.data, w.rows, w.stride, bias, residual, y);
}

template <typename W>
void LaunchTyped(cudaStream_t stream, const float* x, int64_t tokens, const DeviceMatrix& w, const float* bias,
                 const float* residual, float* y) {
  switch (tokens) {
    case 1: return LaunchMatvec<W, 1>(stream, x, w, bias, residual, y);
    case 2: return LaunchMatvec<W, 2>(stream, x, w, bias, residual, y);
    case 3: return LaunchMatvec<W, 3>(stream, x, w, bias, residual, y);
    case 4: return LaunchMatvec<W, 4>(stream, x, w, bias, residual, y);
    case 5: return LaunchMatvec<W, 5>(stream, x, w, bias, residual, y);
    case 6: return LaunchMatvec<W, 6>(stream, x, w, bias, residual, y);
    case 7: return LaunchMatvec<W, 7>(stream, x, w, bias, residual, y);
    case 8: return LaunchMatvec<W, 8>(stream, x, w, bias, residual, y);
    default: break;
  }
  static_assert(kMatvecMaxTokens == 8, "the switch above covers 1..kMatvecMaxTokens");
  const dim3 grid(static_cast<unsigned>((w.rows + kBlockRows - 1) / kBlockRows),
                  static_cast<unsigned>((tokens + kBlockTokens - 1) / kBlockTokens));
  const auto kernel = MatmulTileKernel<W>;
  ATTESTD_LAUNCH(kernel, grid, dim3(kTileThreads), 0, stream)(x, tokens, w.cols, w.data, w.rows, w.stride, bias, residual, y);
}

}  // namespace

cudaError_t LaunchMatmul(cudaStream_t stream, const float* x, int64_t tokens, const DeviceMatrix& w,
                         const float* bias, const float* residual, float* y) {
  if (tokens <= 0 || w.rows <= 0) return cudaSuccess;
  if (w.type == WeightType::kBf16) {
    LaunchTyped<Bf16Lanes>(stream, x, tokens, w, bias, residual, y);
  } else {
    LaunchTyped<F32Lanes>(stream, x, tokens, w, bias, residual, y);
  }
  return cudaGetLastError();
}

}  // namespace attestd::kernels::ATTESTD_GPU_NS
