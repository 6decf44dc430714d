// exp, log, sin and cos built only from correctly rounded IEEE operations
// (+, -, *, / and exact bit manipulation) in binary64, so a CPU and a GPU
// produce the same bits (docs/determinism.md, "Transcendentals"). No libm.
//
// Each is evaluated in double and the float variants round the double result
// once to f32, which makes them accurate to about 0.5 ulp in f32.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>

namespace attestd::kernels {

// e^x. Returns +0 for x < -745.2, +inf for x > 709.7, NaN for NaN.
double ExpD(double x);
// Natural log for x > 0 (finite). Returns NaN for x <= 0 or NaN, inf for inf.
double LogD(double x);
// sin and cos of x for |x| < 2^20 * pi/2 (more than any RoPE angle);
// beyond that the reduction loses accuracy but stays deterministic.
void SinCosD(double x, double* sin_out, double* cos_out);

// (float)ExpD((double)x).
float ExpF(float x);

// out[i] = ExpF(x[i]) for i in [0, n), bit for bit, eight at a time.
// Call only when CpuHasAvx512(); `out` may alias `x`.
void ExpFAvx512(const float* x, float* out, int64_t n);

}  // namespace attestd::kernels
