// Dot products in the lane order of kernels/lane_reduce.h:
//   term i = a[i] * b[i] (one rounded f32 product), summed by LaneSum.
// The AVX2 versions hold the 32 lanes in four 8-wide registers, the AVX-512
// versions in two 16-wide registers; both perform the same additions in the
// same order, so every path returns identical bits.
//
// Thread safety: pure functions. n >= 0; pointers need no alignment.
#pragma once

#include <cstdint>

namespace attestd::kernels {

float DotF32Scalar(const float* a, const float* b, int64_t n);
float DotBf16Scalar(const float* a, const uint16_t* b_bf16, int64_t n);

// Call only when CpuHasAvx2().
float DotF32Avx2(const float* a, const float* b, int64_t n);
float DotBf16Avx2(const float* a, const uint16_t* b_bf16, int64_t n);
// One token against 1 <= rows <= kAvx2TileRows weight rows:
//   out[r] = DotBf16Avx2(a, b_bf16 + r * b_stride, n)
// bit for bit (and the f32 twin), each activation chunk loaded once for all
// rows: the prefill kernel of CPUs without AVX-512.
inline constexpr int kAvx2TileRows = 3;
void DotBf16Avx2Rows(const float* a, const uint16_t* b_bf16, int64_t b_stride, int rows, int64_t n, float* out);
void DotF32Avx2Rows(const float* a, const float* b, int64_t b_stride, int rows, int64_t n, float* out);

// Call only when CpuHasAvx512().
float DotF32Avx512(const float* a, const float* b, int64_t n);
float DotBf16Avx512(const float* a, const uint16_t* b_bf16, int64_t n);
// A register tile of matmul outputs:
//   out[k * out_stride + r] = DotBf16Avx512(a + k * a_stride, b_bf16 + r * b_stride, n)
// bit for bit, for tokens k in [0, tokens) and weight rows r in [0, rows),
// with 1 <= tokens <= kTileTokens and 1 <= rows <= kTileRows. Each (row,
// token) pair keeps its own two lane registers (24 accumulators for a full
// tile), each weight chunk is converted once per tile and each activation
// chunk loaded once per row, so one pass over the weights serves several
// tokens (prefill, batches) and the adds of 24 independent chains overlap.
// 4 x 3 is what fits the 32 vector registers (24 sums + 8 weight halves).
// Full-height tiles (kTileRows rows) with n <= kTileNextGroupPrefetchMaxRow
// also prefetch the next kTileRows rows after b_bf16's (a hint; never
// faults), which is where the next call of a matmul's row loop reads.
inline constexpr int kTileRows = 4;
inline constexpr int kTileTokens = 3;
inline constexpr int64_t kTileNextGroupPrefetchMaxRow = 2048;
void DotBf16Avx512Tile(const float* a, int64_t a_stride, int tokens, const uint16_t* b_bf16, int64_t b_stride,
                       int rows, int64_t n, float* out, int64_t out_stride);
// The same tile over f32 weights (= DotF32Avx512 per pair); the next-group
// prefetch applies to rows of at most kTileNextGroupPrefetchMaxRow / 2.
void DotF32Avx512Tile(const float* a, int64_t a_stride, int tokens, const float* b, int64_t b_stride, int rows,
                      int64_t n, float* out, int64_t out_stride);

// True when this CPU runs the AVX-512 kernels (AVX512F + BW; checked once).
bool CpuHasAvx512();

// `vectorised` must only be true when CpuHasAvx2(); the widest available
// path is taken.
inline float DotF32(const float* a, const float* b, int64_t n, bool vectorised) {
  if (!vectorised) return DotF32Scalar(a, b, n);
  return CpuHasAvx512() ? DotF32Avx512(a, b, n) : DotF32Avx2(a, b, n);
}
inline float DotBf16(const float* a, const uint16_t* b_bf16, int64_t n, bool vectorised) {
  if (!vectorised) return DotBf16Scalar(a, b_bf16, n);
  return CpuHasAvx512() ? DotBf16Avx512(a, b_bf16, n) : DotBf16Avx2(a, b_bf16, n);
}

}  // namespace attestd::kernels
