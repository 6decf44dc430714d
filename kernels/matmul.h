// y = x W^T (+ bias): the projection every linear layer uses.
//
//   x    [tokens, in]   f32, row-major
//   W    [out, in]      bf16 or f32, row-major (HF Linear layout)
//   bias [out]          f32 or null
//   y    [tokens, out]  f32, row-major
// y[t][o] = DotX(x[t], W[o], in) and then, with a bias, one f32 addition
// y[t][o] + bias[o]. Every output is computed independently in the same
// order, so the bits of y[t] depend on x[t] only: not on how many tokens or
// sequences share the call, nor on the thread split (threads take disjoint
// ranges of `o`).
//
// Thread safety: reentrant; `y` must not alias `x` or `W`.
#pragma once

#include <cstdint>

#include "kernels/context.h"
#include "kernels/weight_type.h"

namespace attestd::kernels {

// A borrowed view of a weight matrix; the engine owns the storage.
struct WeightView {
  WeightType type = WeightType::kF32;
  const void* data = nullptr;
  int64_t rows = 0;  // out
  int64_t cols = 0;  // in
};

void Matmul(const KernelContext& ctx, const float* x, int64_t tokens, const WeightView& w, const float* bias,
            float* y);

}  // namespace attestd::kernels
