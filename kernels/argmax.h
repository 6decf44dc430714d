// Greedy choice over a row of logits (the temperature-0 branch of
// model/sampler.h):
//   value(i) = x[i], with NaN read as -infinity
//   result   = the lowest i whose value is the maximum
// An all -infinity (or all NaN) row gives 0. Comparisons are exact, so any
// split of the scan (threads, CUDA blocks) gives the same index; argmax.cu
// is the device twin.
//
//   x [n] f32, n >= 1.
// Thread safety: pure.
#pragma once

#include <cstdint>

namespace attestd::kernels {

int32_t Argmax(const float* x, int64_t n);

}  // namespace attestd::kernels
