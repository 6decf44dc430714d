#include "kernels/silu.h"

#include "kernels/transcendental.h"

namespace attestd::kernels {

float Silu(float g) { return g / (1.0f + ExpF(-g)); }

void SiluMul(const float* gate, const float* up, int64_t n, float* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = Silu(gate[i]) * up[i];
}

}  // namespace attestd::kernels
