// SwiGLU activation of the MLP: out[i] = silu(gate[i]) * up[i] with
//   silu(g) = g / (1 + ExpF(-g))       (f32 negation, add, division)
// followed by one f32 product. `out` may alias `gate` or `up`.
// Thread safety: pure; SiluMul splits [0, n) across ctx's threads (each
// element is independent, so the split changes no bit) and takes the
// AVX-512 ExpF (bit-identical) when ctx.vectorised and the CPU has it.
#pragma once

#include <cstdint>

#include "kernels/context.h"

namespace attestd::kernels {

float Silu(float g);
void SiluMul(const KernelContext& ctx, const float* gate, const float* up, int64_t n, float* out);

}  // namespace attestd::kernels
