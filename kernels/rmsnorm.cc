#include "kernels/rmsnorm.h"

#include <cmath>

#include "kernels/dot.h"

namespace attestd::kernels {

void RmsNorm(const KernelContext& ctx, const float* x, int64_t rows, int64_t n, const float* weight, float eps,
             float* y) {
  const bool vec = ctx.vectorised && CpuHasAvx2();
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    float ss = DotF32(xr, xr, n, vec);
    float mean = ss / static_cast<float>(n);
    // sqrtf is a correctly rounded IEEE operation (one instruction), not libm.
    float inv = 1.0f / __builtin_sqrtf(mean + eps);
    for (int64_t i = 0; i < n; ++i) yr[i] = (xr[i] * inv) * weight[i];
  }
}

}  // namespace attestd::kernels
