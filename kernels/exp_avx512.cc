// AVX-512 twin of ExpF (transcendental.h): eight binary64 lanes run the
// very operations of ExpD, in the same order (Cody-Waite reduction, Horner
// with a separate multiply and add, scaling by 2^k built from exponent bits,
// in two steps beyond |k| > 1000), and every lane then takes the result of
// the branch the scalar code would have taken. Each operation is one
// correctly rounded IEEE operation in both, so the bits are equal. Built
// with -mavx512f (kernels/CMakeLists.txt); call only after CpuHasAvx512().
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/transcendental.h"

namespace attestd::kernels {
namespace {

// The constants of ExpD, bit for bit.
constexpr double kShifter = 6755399441055744.0;  // 1.5 * 2^52
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kInvLn2 = 1.44269504088896338700e+00;
constexpr double kInvFact[14] = {1.0,         1.0,           1.0 / 2,        1.0 / 6,         1.0 / 24,
                                 1.0 / 120,   1.0 / 720,     1.0 / 5040,     1.0 / 40320,     1.0 / 362880,
                                 1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800.0};

// 2^k from the exponent bits, for k in [-1022, 1023] (other lanes are
// garbage and are never selected).
inline __m512d Pow2(__m512i k) {
  return _mm512_castsi512_pd(_mm512_slli_epi64(_mm512_add_epi64(k, _mm512_set1_epi64(1023)), 52));
}

inline __m512d ExpD8(__m512d x) {
  const __m512d shifter = _mm512_set1_pd(kShifter);
  // k = RoundToInt(x * kInvLn2) = ((x * kInvLn2) + S) - S; the integer k is
  // also the difference of the bit patterns of (x * kInvLn2) + S and S.
  const __m512d shifted = _mm512_add_pd(_mm512_mul_pd(x, _mm512_set1_pd(kInvLn2)), shifter);
  const __m512d k = _mm512_sub_pd(shifted, shifter);
  const __m512i ki = _mm512_sub_epi64(_mm512_castpd_si512(shifted), _mm512_castpd_si512(shifter));
  const __m512d r = _mm512_sub_pd(_mm512_sub_pd(x, _mm512_mul_pd(k, _mm512_set1_pd(kLn2Hi))),
                                  _mm512_mul_pd(k, _mm512_set1_pd(kLn2Lo)));
  __m512d p = _mm512_set1_pd(kInvFact[13]);
  for (int i = 12; i >= 0; --i) p = _mm512_add_pd(_mm512_mul_pd(p, r), _mm512_set1_pd(kInvFact[i]));

  __m512d result = _mm512_mul_pd(p, Pow2(ki));
  const __m512i thousand = _mm512_set1_epi64(1000);
  const __m512d low = _mm512_mul_pd(_mm512_mul_pd(p, Pow2(_mm512_add_epi64(ki, thousand))),
                                    Pow2(_mm512_set1_epi64(-1000)));
  const __m512d high = _mm512_mul_pd(_mm512_mul_pd(p, Pow2(_mm512_sub_epi64(ki, thousand))),
                                     Pow2(thousand));
  result = _mm512_mask_blend_pd(_mm512_cmplt_epi64_mask(ki, _mm512_set1_epi64(-1000)), result, low);
  result = _mm512_mask_blend_pd(_mm512_cmpgt_epi64_mask(ki, thousand), result, high);
  // The early returns of ExpD (mutually exclusive conditions).
  result = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(x, _mm512_set1_pd(-745.2), _CMP_LT_OQ), result,
                                _mm512_setzero_pd());
  result = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(x, _mm512_set1_pd(709.7), _CMP_GT_OQ), result,
                                _mm512_set1_pd(__builtin_inf()));
  result = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(x, x, _CMP_UNORD_Q), result, x);
  return result;
}

}  // namespace

void ExpFAvx512(const float* x, float* out, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m512d e = ExpD8(_mm512_cvtps_pd(_mm256_loadu_ps(x + i)));
    _mm256_storeu_ps(out + i, _mm512_cvtpd_ps(e));
  }
  if (i < n) {
    float tail[8] = {};
    std::memcpy(tail, x + i, static_cast<size_t>(n - i) * 4);
    const __m256 e = _mm512_cvtpd_ps(ExpD8(_mm512_cvtps_pd(_mm256_loadu_ps(tail))));
    _mm256_storeu_ps(tail, e);
    std::memcpy(out + i, tail, static_cast<size_t>(n - i) * 4);
  }
}

}  // namespace attestd::kernels
