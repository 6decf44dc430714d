// RMSNorm (Llama, Qwen2), per row of n values:
//   ss   = LaneSum of x[i] * x[i]              (lane order, lane_reduce.h)
//   mean = ss / n                              (f32 division)
//   inv  = 1 / sqrt(mean + eps)                (f32 add, f32 sqrt, f32 division)
//   y[i] = (x[i] * inv) * weight[i]            (two f32 products, in that order)
// `eps` is the config's rms_norm_eps rounded once to f32.
//
//   x [rows, n], weight [n] f32, y [rows, n]; y may alias x.
// Thread safety: reentrant.
#pragma once

#include <cstdint>

#include "kernels/context.h"

namespace attestd::kernels {

void RmsNorm(const KernelContext& ctx, const float* x, int64_t rows, int64_t n, const float* weight, float eps,
             float* y);

}  // namespace attestd::kernels
