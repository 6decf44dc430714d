// AVX-512 twins of dot.cc. Built with -mavx512f (kernels/CMakeLists.txt) and
// only called after CpuHasAvx512(). Register k holds lanes 16k..16k+15, so
// the 32 lanes of lane_reduce.h are two registers and the tree's first step
// is one register add. Partial chunks are padded with +0 products, which
// changes nothing (see dot_avx2.cc).
#include <immintrin.h>

#include <cstring>

#include "kernels/dot.h"

namespace attestd::kernels {
namespace {

inline __m512 LoadBf16x16(const uint16_t* p) {
  __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

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

void DotBf16Avx512x4(const float* a, int64_t a_stride, const uint16_t* b_bf16, int64_t n, float out[4]) {
  // Four independent lane dots sharing each converted weight chunk; token k
  // has its own two lane registers, so its order is exactly DotBf16Avx512's.
  __m512 r[4][2];
  for (auto& t : r) t[0] = t[1] = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512 w0 = LoadBf16x16(b_bf16 + i), w1 = LoadBf16x16(b_bf16 + i + 16);
    for (int k = 0; k < 4; ++k) {
      const float* ak = a + k * a_stride + i;
      r[k][0] = _mm512_add_ps(r[k][0], _mm512_mul_ps(_mm512_loadu_ps(ak), w0));
      r[k][1] = _mm512_add_ps(r[k][1], _mm512_mul_ps(_mm512_loadu_ps(ak + 16), w1));
    }
  }
  if (i < n) {
    alignas(64) uint16_t tb[32] = {};
    std::memcpy(tb, b_bf16 + i, static_cast<size_t>(n - i) * 2);
    const __m512 w0 = LoadBf16x16(tb), w1 = LoadBf16x16(tb + 16);
    for (int k = 0; k < 4; ++k) {
      alignas(64) float ta[32] = {};
      std::memcpy(ta, a + k * a_stride + i, static_cast<size_t>(n - i) * 4);
      r[k][0] = _mm512_add_ps(r[k][0], _mm512_mul_ps(_mm512_load_ps(ta), w0));
      r[k][1] = _mm512_add_ps(r[k][1], _mm512_mul_ps(_mm512_load_ps(ta + 16), w1));
    }
  }
  for (int k = 0; k < 4; ++k) out[k] = Tree(r[k][0], r[k][1]);
}

}  // namespace attestd::kernels
