#include "kernels/attention.h"

#include "kernels/dot.h"
#include "kernels/softmax.h"

namespace attestd::kernels {

float AttentionScale(int64_t head_dim) {
  // 1 / sqrt(d) in binary64 (both correctly rounded), then rounded to f32.
  return static_cast<float>(1.0 / __builtin_sqrt(static_cast<double>(head_dim)));
}

void AttendHead(const float* q_h, const float* k, const float* v, int64_t kv_stride, int64_t n_ctx,
                int64_t head_dim, float scale, bool vectorised, float* scratch, float* out_h) {
  for (int64_t t = 0; t < n_ctx; ++t) scratch[t] = DotF32(q_h, k + t * kv_stride, head_dim, vectorised) * scale;
  SoftmaxInPlace(scratch, n_ctx, vectorised);
  for (int64_t j = 0; j < head_dim; ++j) out_h[j] = 0.0f;
  for (int64_t t = 0; t < n_ctx; ++t) {
    const float p = scratch[t];
    const float* vt = v + t * kv_stride;
    for (int64_t j = 0; j < head_dim; ++j) out_h[j] = out_h[j] + p * vt[j];
  }
}

void Attend(const KernelContext& ctx, const std::vector<AttentionItem>& items, int64_t heads, int64_t kv_heads,
            int64_t head_dim) {
  const float scale = AttentionScale(head_dim);
  const int64_t group = heads / kv_heads;
  const int64_t kv_stride = kv_heads * head_dim;
  const bool vec = ctx.vectorised && CpuHasAvx2();
  int64_t max_ctx = 0;
  for (const auto& it : items) max_ctx = it.n_ctx > max_ctx ? it.n_ctx : max_ctx;
  const auto pairs = static_cast<int64_t>(items.size()) * heads;
  ctx.ParallelFor(pairs, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> scratch(static_cast<size_t>(max_ctx));
    for (int64_t p = begin; p < end; ++p) {
      const AttentionItem& it = items[static_cast<size_t>(p / heads)];
      const int64_t h = p % heads;
      const int64_t kvh = h / group;
      AttendHead(it.q + h * head_dim, it.k_cache + kvh * head_dim, it.v_cache + kvh * head_dim, kv_stride, it.n_ctx,
                 head_dim, scale, vec, scratch.data(), it.out + h * head_dim);
    }
  });
}

}  // namespace attestd::kernels
