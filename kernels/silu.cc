#include "kernels/silu.h"

#include <algorithm>

#include "kernels/dot.h"
#include "kernels/transcendental.h"

namespace attestd::kernels {

float Silu(float g) { return g / (1.0f + ExpF(-g)); }

void SiluMul(const KernelContext& ctx, const float* gate, const float* up, int64_t n, float* out) {
  const bool vec = ctx.vectorised && CpuHasAvx2() && CpuHasAvx512();
  ctx.ParallelFor(n, 4096, [&](int64_t begin, int64_t end) {
    if (!vec) {
      for (int64_t i = begin; i < end; ++i) out[i] = Silu(gate[i]) * up[i];
      return;
    }
    // e = ExpF(-g) for a block, eight lanes at a time, then the same f32
    // add, division and product as Silu.
    constexpr int64_t kBlock = 512;
    float e[kBlock];
    for (int64_t b = begin; b < end; b += kBlock) {
      const int64_t m = std::min(kBlock, end - b);
      for (int64_t i = 0; i < m; ++i) e[i] = -gate[b + i];
      ExpFAvx512(e, e, m);
      for (int64_t i = 0; i < m; ++i) out[b + i] = (gate[b + i] / (1.0f + e[i])) * up[b + i];
    }
  });
}

}  // namespace attestd::kernels
