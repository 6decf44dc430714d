// SwiGLU activation of the MLP: out[i] = silu(gate[i]) * up[i] with
//   silu(g) = g / (1 + ExpF(-g))       (f32 negation, add, division)
// followed by one f32 product. `out` may alias `gate` or `up`.
// Thread safety: pure.
#pragma once

#include <cstdint>

namespace attestd::kernels {

float Silu(float g);
void SiluMul(const float* gate, const float* up, int64_t n, float* out);

}  // namespace attestd::kernels
