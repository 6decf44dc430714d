#include "kernels/matmul.h"

#include "kernels/dot.h"

namespace attestd::kernels {

void Matmul(const KernelContext& ctx, const float* x, int64_t tokens, const WeightView& w, const float* bias,
            float* y) {
  const int64_t in = w.cols;
  const int64_t out = w.rows;
  const bool vec = ctx.vectorised && CpuHasAvx2();
  // Rows outer, tokens inner: a weight row is read from memory once per call
  // and reused from L1 for every token.
  ctx.ParallelFor(out, 16, [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) {
      if (w.type == WeightType::kBf16) {
        const uint16_t* row = static_cast<const uint16_t*>(w.data) + o * in;
        int64_t t = 0;
        if (vec && CpuHasAvx512()) {
          for (; t + 4 <= tokens; t += 4) {
            float four[4];
            DotBf16Avx512x4(x + t * in, in, row, in, four);
            for (int k = 0; k < 4; ++k) y[(t + k) * out + o] = four[k];
          }
        }
        for (; t < tokens; ++t) y[t * out + o] = DotBf16(x + t * in, row, in, vec);
      } else {
        const float* row = static_cast<const float*>(w.data) + o * in;
        for (int64_t t = 0; t < tokens; ++t) y[t * out + o] = DotF32(x + t * in, row, in, vec);
      }
      if (bias != nullptr) {
        for (int64_t t = 0; t < tokens; ++t) y[t * out + o] = y[t * out + o] + bias[o];
      }
    }
  });
}

}  // namespace attestd::kernels
