// AVX-512 twins of dot.cc. Built with -mavx512f (kernels/CMakeLists.txt) and
// only called after CpuHasAvx512(). Register k holds lanes 16k..16k+15, so
// the 32 lanes of lane_reduce.h are two registers and the tree's first step
// is one register add. Partial chunks are padded with +0 products, which
// changes nothing (see dot_avx2.cc).
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/dot.h"

namespace attestd::kernels {
namespace {

inline __m512 LoadBf16x16(const uint16_t* p) {
  __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

// 16 weights widened to f32, whatever their stored type.
inline __m512 LoadWeights16(const uint16_t* p) { return LoadBf16x16(p); }
inline __m512 LoadWeights16(const float* p) { return _mm512_loadu_ps(p); }

inline float Tree(__m512 r0, __m512 r1) {
  __m512 s16 = _mm512_add_ps(r0, r1);  // lanes 0..15 += lanes 16..31
  __m256 s8 = _mm256_add_ps(_mm512_castps512_ps256(s16),
                            _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(s16), 1)));
  __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
  __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  __m128 s1 = _mm_add_ss(s2, _mm_movehdup_ps(s2));
  return _mm_cvtss_f32(s1);
}

}  // namespace

float DotF32Avx512(const float* a, const float* b, int64_t n) {
  __m512 r0 = _mm512_setzero_ps(), r1 = r0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    r0 = _mm512_add_ps(r0, _mm512_mul_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i)));
    r1 = _mm512_add_ps(r1, _mm512_mul_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16)));
  }
  if (i < n) {
    alignas(64) float ta[32] = {}, tb[32] = {};
    std::memcpy(ta, a + i, static_cast<size_t>(n - i) * 4);
    std::memcpy(tb, b + i, static_cast<size_t>(n - i) * 4);
    r0 = _mm512_add_ps(r0, _mm512_mul_ps(_mm512_load_ps(ta), _mm512_load_ps(tb)));
    r1 = _mm512_add_ps(r1, _mm512_mul_ps(_mm512_load_ps(ta + 16), _mm512_load_ps(tb + 16)));
  }
  return Tree(r0, r1);
}

float DotBf16Avx512(const float* a, const uint16_t* b_bf16, int64_t n) {
  __m512 r0 = _mm512_setzero_ps(), r1 = r0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    r0 = _mm512_add_ps(r0, _mm512_mul_ps(_mm512_loadu_ps(a + i), LoadBf16x16(b_bf16 + i)));
    r1 = _mm512_add_ps(r1, _mm512_mul_ps(_mm512_loadu_ps(a + i + 16), LoadBf16x16(b_bf16 + i + 16)));
  }
  if (i < n) {
    alignas(64) float ta[32] = {};
    alignas(64) uint16_t tb[32] = {};
    std::memcpy(ta, a + i, static_cast<size_t>(n - i) * 4);
    std::memcpy(tb, b_bf16 + i, static_cast<size_t>(n - i) * 2);
    r0 = _mm512_add_ps(r0, _mm512_mul_ps(_mm512_load_ps(ta), LoadBf16x16(tb)));
    r1 = _mm512_add_ps(r1, _mm512_mul_ps(_mm512_load_ps(ta + 16), LoadBf16x16(tb + 16)));
  }
  return Tree(r0, r1);
}

namespace {

// How far ahead of the weights being multiplied a one-row tile prefetches.
// On the dev VM (AMD EPYC, AVX-512) streaming 275 MB of bf16 rows through
// the 1-row x 1-token tile took, best of 6 interleaved runs: 8.9 ms without
// prefetch, 8.3 ms at 4 KB, 7.7 ms at 8 KB, 7.5-8.0 ms at 16-32 KB ahead.
constexpr uintptr_t kPrefetchBytes = 8192;

// A full-height tile whose rows are at most kTileNextGroupPrefetchMaxRow
// bf16 weights long (dot.h; f32 rows half as many) also prefetches the next kTileRows rows (the next row group
// of a matmul, which follows in memory), so that they are in L1 when the
// group starts instead of arriving as four cold streams. Up to 2048 the
// current and the next group (2 x 16 KB) fit in L1 beside a 3-token
// activation tile. Measured (micro-benchmark, 33 tokens, best of 8, three
// interleaved runs): in = 1536 52-54 -> 63.6-64.6 GMAC/s; in = 8960 (70 KB
// groups) lost 2-5%, hence the limit.

// One 32-element chunk of an R-row x T-token tile: every weight chunk is
// converted once and every activation chunk loaded once, and each (row,
// token) pair adds its products into its own two lane registers, exactly the
// additions DotBf16Avx512 performs for that pair.
template <int R, int T, typename W>
__attribute__((always_inline)) inline void TileChunk(const float* a, int64_t a_stride, const W* b, int64_t b_stride,
                                                     __m512 (&acc)[R][T][2]) {
  // Row by row, so only one row's two weight halves are live beside the 24
  // sums (activations are memory operands, reloaded from L1 per row).
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
    const __m512 w0 = LoadWeights16(b + r * b_stride), w1 = LoadWeights16(b + r * b_stride + 16);
#pragma GCC unroll 4
    for (int k = 0; k < T; ++k) {
      acc[r][k][0] = _mm512_add_ps(acc[r][k][0], _mm512_mul_ps(_mm512_loadu_ps(a + k * a_stride), w0));
      acc[r][k][1] = _mm512_add_ps(acc[r][k][1], _mm512_mul_ps(_mm512_loadu_ps(a + k * a_stride + 16), w1));
    }
  }
}

template <int R, int T, typename W>
void Tile(const float* a, int64_t a_stride, const W* b, int64_t b_stride, int64_t n, float* out, int64_t out_stride) {
  __m512 acc[R][T][2];
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int k = 0; k < T; ++k) acc[r][k][0] = acc[r][k][1] = _mm512_setzero_ps();
  }
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    // Prefetches are hints: they never fault (addresses past the matrix
    // are fine) and change no result.
    const auto here = reinterpret_cast<uintptr_t>(b + i);
    if constexpr (R == kTileRows) {
      // The same chunk of the next row group (see above).
      if (n * static_cast<int64_t>(sizeof(W)) <= kTileNextGroupPrefetchMaxRow * 2) {
#pragma GCC unroll 4
        for (int r = 0; r < R; ++r) {
          const auto next_row = static_cast<uintptr_t>((R + r) * b_stride) * sizeof(W);
          _mm_prefetch(reinterpret_cast<const char*>(here + next_row), _MM_HINT_T0);
        }
      }
    }
    if constexpr (R == 1) {
      // One weight row at a time is the memory-bound shape (decode, small
      // batches): the line kPrefetchBytes ahead in the weight stream, which
      // runs on into the following rows.
      _mm_prefetch(reinterpret_cast<const char*>(here + kPrefetchBytes), _MM_HINT_T0);
    }
    TileChunk<R, T, W>(a + i, a_stride, b + i, b_stride, acc);
  }
  if (i < n) {
    // The partial last chunk, padded with +0 (see the file comment).
    alignas(64) float ta[T][32] = {};
    alignas(64) W tb[R][32] = {};
    for (int k = 0; k < T; ++k) std::memcpy(ta[k], a + k * a_stride + i, static_cast<size_t>(n - i) * 4);
    for (int r = 0; r < R; ++r) std::memcpy(tb[r], b + r * b_stride + i, static_cast<size_t>(n - i) * sizeof(W));
    TileChunk<R, T>(&ta[0][0], 32, &tb[0][0], 32, acc);
  }
  for (int r = 0; r < R; ++r) {
    for (int k = 0; k < T; ++k) out[k * out_stride + r] = Tree(acc[r][k][0], acc[r][k][1]);
  }
}

template <int R, typename W>
void TileOfRows(const float* a, int64_t a_stride, int tokens, const W* b, int64_t b_stride, int64_t n, float* out,
                int64_t out_stride) {
  switch (tokens) {
    case 1: return Tile<R, 1>(a, a_stride, b, b_stride, n, out, out_stride);
    case 2: return Tile<R, 2>(a, a_stride, b, b_stride, n, out, out_stride);
    default: return Tile<R, 3>(a, a_stride, b, b_stride, n, out, out_stride);
  }
}

template <typename W>
void AnyTile(const float* a, int64_t a_stride, int tokens, const W* b, int64_t b_stride, int rows, int64_t n,
             float* out, int64_t out_stride) {
  switch (rows) {
    case 1: return TileOfRows<1>(a, a_stride, tokens, b, b_stride, n, out, out_stride);
    case 2: return TileOfRows<2>(a, a_stride, tokens, b, b_stride, n, out, out_stride);
    case 3: return TileOfRows<3>(a, a_stride, tokens, b, b_stride, n, out, out_stride);
    default: return TileOfRows<4>(a, a_stride, tokens, b, b_stride, n, out, out_stride);
  }
}

}  // namespace

void DotBf16Avx512Tile(const float* a, int64_t a_stride, int tokens, const uint16_t* b_bf16, int64_t b_stride,
                       int rows, int64_t n, float* out, int64_t out_stride) {
  AnyTile(a, a_stride, tokens, b_bf16, b_stride, rows, n, out, out_stride);
}

void DotF32Avx512Tile(const float* a, int64_t a_stride, int tokens, const float* b, int64_t b_stride, int rows,
                      int64_t n, float* out, int64_t out_stride) {
  AnyTile(a, a_stride, tokens, b, b_stride, rows, n, out, out_stride);
}

}  // namespace attestd::kernels
