// Softmax over n f32 values, in place:
//   m    = max x[i]                  (exact; comparisons only)
//   e[i] = ExpF(x[i] - m)            (f32 subtraction, transcendental.h)
//   s    = LaneSum(e)                (lane order, lane_reduce.h)
//   p[i] = e[i] / s                  (f32 division)
// n >= 1. `vectorised` (only when CpuHasAvx2()) takes the bit-identical
// AVX-512 ExpF where the CPU has it. Thread safety: pure.
#pragma once

#include <cstdint>

namespace attestd::kernels {

void SoftmaxInPlace(float* x, int64_t n, bool vectorised = false);

}  // namespace attestd::kernels
