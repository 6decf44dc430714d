// AVX2 twins of dot.cc. Built with -mavx2 (kernels/CMakeLists.txt) and only
// called after CpuHasAvx2(). Register k holds lanes 8k..8k+7.
//
// A partial chunk at the end is padded with +0 products: a lane sum never
// holds -0 (it starts at +0 and round-to-nearest turns exact cancellation
// into +0), and x + (+0) == x for every other x, so padding changes nothing.
#include <immintrin.h>

#include <cstring>

#include "kernels/dot.h"

namespace attestd::kernels {
namespace {

inline __m256 LoadBf16x8(const uint16_t* p) {
  __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

// The fixed tree of lane_reduce.h on lanes held as r0..r3.
inline float Tree(__m256 r0, __m256 r1, __m256 r2, __m256 r3) {
  __m256 s16a = _mm256_add_ps(r0, r2);  // lanes 0..7  += lanes 16..23
  __m256 s16b = _mm256_add_ps(r1, r3);  // lanes 8..15 += lanes 24..31
  __m256 s8 = _mm256_add_ps(s16a, s16b);
  __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
  __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  __m128 s1 = _mm_add_ss(s2, _mm_movehdup_ps(s2));
  return _mm_cvtss_f32(s1);
}

inline __m256 LoadWeights8(const uint16_t* p) { return LoadBf16x8(p); }
inline __m256 LoadWeights8(const float* p) { return _mm256_loadu_ps(p); }

// One 32-element chunk of one token against R weight rows: each activation
// group of 8 is loaded once for all rows, and row r's four lane registers
// get exactly the additions of DotF32Avx2 / DotBf16Avx2. 4R sums + the
// activation group + one weight group + one product fit the 16 registers
// for R <= 3.
template <int R, typename W>
__attribute__((always_inline)) inline void RowsChunk(const float* a, const W* b, int64_t b_stride, __m256 (&acc)[R][4]) {
#pragma GCC unroll 4
  for (int g = 0; g < 4; ++g) {
    const __m256 x = _mm256_loadu_ps(a + 8 * g);
#pragma GCC unroll 3
    for (int r = 0; r < R; ++r) {
      acc[r][g] = _mm256_add_ps(acc[r][g], _mm256_mul_ps(x, LoadWeights8(b + r * b_stride + 8 * g)));
    }
  }
}

template <int R, typename W>
void Rows(const float* a, const W* b, int64_t b_stride, int64_t n, float* out) {
  __m256 acc[R][4];
  for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = acc[r][2] = acc[r][3] = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) RowsChunk<R, W>(a + i, b + i, b_stride, acc);
  if (i < n) {
    // The partial last chunk, padded with +0 (see the file comment).
    alignas(32) float ta[32] = {};
    alignas(32) W tb[R][32] = {};
    std::memcpy(ta, a + i, static_cast<size_t>(n - i) * 4);
    for (int r = 0; r < R; ++r) std::memcpy(tb[r], b + r * b_stride + i, static_cast<size_t>(n - i) * sizeof(W));
    RowsChunk<R, W>(ta, &tb[0][0], 32, acc);
  }
  for (int r = 0; r < R; ++r) out[r] = Tree(acc[r][0], acc[r][1], acc[r][2], acc[r][3]);
}

template <typename W>
void AnyRows(const float* a, const W* b, int64_t b_stride, int rows, int64_t n, float* out) {
  switch (rows) {
    case 1: return Rows<1>(a, b, b_stride, n, out);
    case 2: return Rows<2>(a, b, b_stride, n, out);
    default: return Rows<3>(a, b, b_stride, n, out);
  }
}

}  // namespace

void DotBf16Avx2Rows(const float* a, const uint16_t* b_bf16, int64_t b_stride, int rows, int64_t n, float* out) {
  AnyRows(a, b_bf16, b_stride, rows, n, out);
}

void DotF32Avx2Rows(const float* a, const float* b, int64_t b_stride, int rows, int64_t n, float* out) {
  AnyRows(a, b, b_stride, rows, n, out);
}

float DotF32Avx2(const float* a, const float* b, int64_t n) {
  __m256 r0 = _mm256_setzero_ps(), r1 = r0, r2 = r0, r3 = r0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    r0 = _mm256_add_ps(r0, _mm256_mul_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
    r1 = _mm256_add_ps(r1, _mm256_mul_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8)));
    r2 = _mm256_add_ps(r2, _mm256_mul_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16)));
    r3 = _mm256_add_ps(r3, _mm256_mul_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24)));
  }
  if (i < n) {
    alignas(32) float ta[32] = {}, tb[32] = {};
    std::memcpy(ta, a + i, static_cast<size_t>(n - i) * 4);
    std::memcpy(tb, b + i, static_cast<size_t>(n - i) * 4);
    r0 = _mm256_add_ps(r0, _mm256_mul_ps(_mm256_load_ps(ta), _mm256_load_ps(tb)));
    r1 = _mm256_add_ps(r1, _mm256_mul_ps(_mm256_load_ps(ta + 8), _mm256_load_ps(tb + 8)));
    r2 = _mm256_add_ps(r2, _mm256_mul_ps(_mm256_load_ps(ta + 16), _mm256_load_ps(tb + 16)));
    r3 = _mm256_add_ps(r3, _mm256_mul_ps(_mm256_load_ps(ta + 24), _mm256_load_ps(tb + 24)));
  }
  return Tree(r0, r1, r2, r3);
}

float DotBf16Avx2(const float* a, const uint16_t* b_bf16, int64_t n) {
  __m256 r0 = _mm256_setzero_ps(), r1 = r0, r2 = r0, r3 = r0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    r0 = _mm256_add_ps(r0, _mm256_mul_ps(_mm256_loadu_ps(a + i), LoadBf16x8(b_bf16 + i)));
    r1 = _mm256_add_ps(r1, _mm256_mul_ps(_mm256_loadu_ps(a + i + 8), LoadBf16x8(b_bf16 + i + 8)));
    r2 = _mm256_add_ps(r2, _mm256_mul_ps(_mm256_loadu_ps(a + i + 16), LoadBf16x8(b_bf16 + i + 16)));
    r3 = _mm256_add_ps(r3, _mm256_mul_ps(_mm256_loadu_ps(a + i + 24), LoadBf16x8(b_bf16 + i + 24)));
  }
  if (i < n) {
    alignas(32) float ta[32] = {};
    alignas(32) uint16_t tb[32] = {};
    std::memcpy(ta, a + i, static_cast<size_t>(n - i) * 4);
    std::memcpy(tb, b_bf16 + i, static_cast<size_t>(n - i) * 2);
    r0 = _mm256_add_ps(r0, _mm256_mul_ps(_mm256_load_ps(ta), LoadBf16x8(tb)));
    r1 = _mm256_add_ps(r1, _mm256_mul_ps(_mm256_load_ps(ta + 8), LoadBf16x8(tb + 8)));
    r2 = _mm256_add_ps(r2, _mm256_mul_ps(_mm256_load_ps(ta + 16), LoadBf16x8(tb + 16)));
    r3 = _mm256_add_ps(r3, _mm256_mul_ps(_mm256_load_ps(ta + 24), LoadBf16x8(tb + 24)));
  }
  return Tree(r0, r1, r2, r3);
}

}  // namespace attestd::kernels
