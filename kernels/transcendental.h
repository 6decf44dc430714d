// exp, log, sin and cos built only from correctly rounded IEEE operations
// (+, -, *, / and exact bit manipulation) in binary64, so a CPU and a GPU
// produce the same bits (docs/determinism.md, "Transcendentals"). No libm.
//
// Each is evaluated in double and the float variants round the double result
// once to f32, which makes them accurate to about 0.5 ulp in f32.
//
// One source for both sides: the functions are ATTESTD_HD inline
// definitions, so the CPU kernels and the CUDA kernels (kernels/*.cu)
// compile this very text. Polynomials are evaluated by Horner's rule with a
// separate multiply and add at each step; the builds forbid contraction into
// FMA (-ffp-contract=off on the host, -fmad=false for nvcc).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/host_device.h"

namespace attestd::kernels {

namespace transcendental_detail {

ATTESTD_HD inline uint64_t Bits(double x) {
  uint64_t b;
  std::memcpy(&b, &x, 8);
  return b;
}
ATTESTD_HD inline double FromBits(uint64_t b) {
  double x;
  std::memcpy(&x, &b, 8);
  return x;
}

// Round to nearest integer (ties to even) for |x| < 2^51 by the 1.5 * 2^52
// trick; two correctly rounded additions.
ATTESTD_HD inline double RoundToInt(double x) {
  constexpr double kShifter = 6755399441055744.0;  // 1.5 * 2^52
  return (x + kShifter) - kShifter;
}

// 2^k for integer k in [-1022, 1023], exact.
ATTESTD_HD inline double Pow2(int64_t k) { return FromBits(static_cast<uint64_t>(k + 1023) << 52); }

inline constexpr double kLn2Hi = 6.93147180369123816490e-01;  // high 32 bits of ln 2
inline constexpr double kLn2Lo = 1.90821492927058770002e-10;  // ln 2 - kLn2Hi
inline constexpr double kInvLn2 = 1.44269504088896338700e+00;

// (-1)^j / n!, rounded once from the exact factorial (every factorial up to
// 22! is exact in binary64).
ATTESTD_HD constexpr double Factorial(int n) {
  double f = 1.0;
  for (int i = 2; i <= n; ++i) f = f * i;
  return f;
}
ATTESTD_HD constexpr double Alternating(int j, int n) { return (j % 2 == 0 ? 1.0 : -1.0) / Factorial(n); }

}  // namespace transcendental_detail

// e^x. Returns +0 for x < -745.2, +inf for x > 709.7, NaN for NaN.
ATTESTD_HD inline double ExpD(double x) {
  using namespace transcendental_detail;
  // x + x, not x: a NaN comes back quiet whatever the caller's conversions,
  // as from ExpFAvx512. (Inlined, (float)(double)x may fold to x and keep a
  // signaling NaN signaling.)
  if (x != x) return x + x;
  if (x > 709.7) return FromBits(0x7ff0000000000000ull);
  if (x < -745.2) return 0.0;
  // x = k ln2 + r, |r| <= ln2 / 2; k * kLn2Hi is exact for |k| < 2^21.
  const double k = RoundToInt(x * kInvLn2);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  // e^r by its Taylor series to r^13 (truncation error < 2^-60 for |r| <= 0.35).
  constexpr double kInvFact[14] = {1.0,
                                   1.0,
                                   1.0 / 2,
                                   1.0 / 6,
                                   1.0 / 24,
                                   1.0 / 120,
                                   1.0 / 720,
                                   1.0 / 5040,
                                   1.0 / 40320,
                                   1.0 / 362880,
                                   1.0 / 3628800,
                                   1.0 / 39916800,
                                   1.0 / 479001600,
                                   1.0 / 6227020800.0};
  double p = kInvFact[13];
  for (int i = 12; i >= 0; --i) p = p * r + kInvFact[i];
  const auto ki = static_cast<int64_t>(k);
  // Scale in two steps so that results near the subnormal range stay exact
  // in the scaling itself (each factor is a power of two within range).
  if (ki < -1000) return (p * Pow2(ki + 1000)) * Pow2(-1000);
  if (ki > 1000) return (p * Pow2(ki - 1000)) * Pow2(1000);
  return p * Pow2(ki);
}

// Natural log for x > 0 (finite). Returns NaN for x <= 0 or NaN, inf for inf.
ATTESTD_HD inline double LogD(double x) {
  using namespace transcendental_detail;
  if (x != x || x <= 0.0) return FromBits(0x7ff8000000000000ull);
  uint64_t b = Bits(x);
  if (b == 0x7ff0000000000000ull) return x;
  int64_t e = 0;
  if ((b >> 52) == 0) {           // subnormal: scale into the normal range exactly
    x = x * 18014398509481984.0;  // 2^54
    b = Bits(x);
    e = -54;
  }
  e += static_cast<int64_t>(b >> 52) - 1023;
  double m = FromBits((b & 0x000fffffffffffffull) | 0x3ff0000000000000ull);  // [1, 2)
  if (m > 1.4142135623730951) {
    m = m * 0.5;  // exact
    e += 1;
  }
  // log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716.
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  // 2 * (s + s^3/3 + ... + s^23/23): truncation < 2^-60.
  double p = 1.0 / 23;
  for (int n = 21; n >= 1; n -= 2) p = p * s2 + 1.0 / n;
  const double log_m = 2.0 * (s * p);
  const auto ed = static_cast<double>(e);
  return (ed * kLn2Hi + log_m) + ed * kLn2Lo;
}

// sin and cos of x for |x| < 2^20 * pi/2 (more than any RoPE angle);
// beyond that the reduction loses accuracy but stays deterministic.
ATTESTD_HD inline void SinCosD(double x, double* sin_out, double* cos_out) {
  using namespace transcendental_detail;
  if (x != x) {
    *sin_out = x;
    *cos_out = x;
    return;
  }
  // Cody-Waite reduction by pi/2 with a three-part constant (each part has
  // at most 33 significant bits, so k * part is exact for |k| < 2^20).
  constexpr double kPio2_1 = 1.57079632673412561417e+00;
  constexpr double kPio2_2 = 6.07710050630396597660e-11;
  constexpr double kPio2_3 = 2.02226624871116645580e-21;
  constexpr double kTwoOverPi = 6.36619772367581382433e-01;
  const double k = RoundToInt(x * kTwoOverPi);
  const double r = ((x - k * kPio2_1) - k * kPio2_2) - k * kPio2_3;
  const double r2 = r * r;
  // Taylor series for |r| <= pi/4: sin r = r * sum_j (-1)^j r^2j / (2j+1)!
  // for j <= 10, cos r = sum_j (-1)^j r^2j / (2j)! for j <= 11 (error < 2^-60).
  constexpr double kSinCoef[11] = {Alternating(0, 1),  Alternating(1, 3),  Alternating(2, 5),  Alternating(3, 7),
                                   Alternating(4, 9),  Alternating(5, 11), Alternating(6, 13), Alternating(7, 15),
                                   Alternating(8, 17), Alternating(9, 19), Alternating(10, 21)};
  constexpr double kCosCoef[12] = {Alternating(0, 0),  Alternating(1, 2),  Alternating(2, 4),   Alternating(3, 6),
                                   Alternating(4, 8),  Alternating(5, 10), Alternating(6, 12),  Alternating(7, 14),
                                   Alternating(8, 16), Alternating(9, 18), Alternating(10, 20), Alternating(11, 22)};
  double sp = kSinCoef[10];
  for (int j = 9; j >= 0; --j) sp = sp * r2 + kSinCoef[j];
  const double s = r * sp;
  double cp = kCosCoef[11];
  for (int j = 10; j >= 0; --j) cp = cp * r2 + kCosCoef[j];
  const double c = cp;
  switch (static_cast<int64_t>(k) & 3) {
    case 0: *sin_out = s; *cos_out = c; break;
    case 1: *sin_out = c; *cos_out = -s; break;
    case 2: *sin_out = -s; *cos_out = -c; break;
    default: *sin_out = -c; *cos_out = s; break;
  }
}

// (float)ExpD((double)x).
ATTESTD_HD inline float ExpF(float x) { return static_cast<float>(ExpD(static_cast<double>(x))); }

// out[i] = ExpF(x[i]) for i in [0, n), bit for bit, eight at a time.
// Call only when CpuHasAvx512(); `out` may alias `x`. Host only.
void ExpFAvx512(const float* x, float* out, int64_t n);

}  // namespace attestd::kernels
