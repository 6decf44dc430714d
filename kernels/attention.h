// Causal self-attention of one query token over a KV cache, with grouped
// query attention (head h reads kv head h / (heads / kv_heads)).
//
//   q        [heads, d]                  the token's rotated queries
//   k, v     [n_ctx, kv_heads, d]        cached keys (rotated) and values;
//                                        position stride kv_heads * d
//   out      [heads, d]
// For each head, with scale = (float) (1 / sqrt(d)) computed in binary64:
//   s[t]   = DotF32(q_h, k_t) * scale       t in [0, n_ctx) (lane order)
//   p      = SoftmaxInPlace(s)               (softmax.h)
//   out[j] = sum over t = 0, 1, ..., n_ctx-1 in increasing order of
//            p[t] * v_t[j], accumulated as acc = acc + product from +0
// Threads split the (token, head) pairs, never a sum.
//
// Thread safety: reentrant. `scratch` needs n_ctx floats per call of
// AttendHead; Attend allocates its own.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/context.h"

namespace attestd::kernels {

float AttentionScale(int64_t head_dim);

void AttendHead(const float* q_h, const float* k, const float* v, int64_t kv_stride, int64_t n_ctx,
                int64_t head_dim, float scale, bool vectorised, float* scratch, float* out_h);

// One query token of a batch: its q, its sequence's cache, and how many
// cached positions it may see (its own position + 1).
struct AttentionItem {
  const float* q = nullptr;
  const float* k_cache = nullptr;
  const float* v_cache = nullptr;
  int64_t n_ctx = 0;
  float* out = nullptr;
};

void Attend(const KernelContext& ctx, const std::vector<AttentionItem>& items, int64_t heads, int64_t kv_heads,
            int64_t head_dim);

}  // namespace attestd::kernels
