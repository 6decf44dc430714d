// The decoder-only transformer of Llama and Qwen2, on token ids.
//
// Per layer (HF LlamaDecoderLayer / Qwen2DecoderLayer):
//   a = RmsNorm(x) ; q, k, v = a Wq^T (+bq), a Wk^T (+bk), a Wv^T (+bv)
//   RoPE(q, k) at each token's position ; append k, v to the cache
//   x = x + Attend(q, cache) Wo^T
//   m = RmsNorm(x) ; x = x + (SiLU(m Wg^T) * (m Wu^T)) Wd^T
// logits = RmsNorm(x) Wlm^T. Each step's operation order is the kernel's
// (docs/determinism.md); residual additions are single f32 additions.
//
// A Forward call processes any mix of sequences, each with one or more new
// tokens (prefill and decode in one batch). Every token's bits depend only
// on its own sequence, never on the batch (see kernels/matmul.h).
//
// Thread safety: a Transformer is immutable; Forward may run concurrently
// on disjoint caches only if each call has its own KernelContext pool.
#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "kernels/context.h"
#include "model/config.h"
#include "model/kv_cache.h"
#include "model/weights.h"

namespace attestd::model {

struct ForwardSegment {
  KvCache* cache = nullptr;         // the sequence; its length grows by ids.size()
  std::vector<int32_t> ids;         // new tokens, each < vocab_size (checked)
  std::vector<float>* logits = nullptr;  // if set: resized to vocab, logits of the last new token
};

class Transformer {
 public:
  // Borrows both; they must outlive the Transformer.
  Transformer(const ModelConfig& config, const ModelWeights& weights);

  // InvalidArgument for an id out of range or a cache without room; then no
  // cache is changed.
  [[nodiscard]] absl::Status Forward(const kernels::KernelContext& ctx, std::vector<ForwardSegment>& segments) const;

  std::unique_ptr<KvCache> NewCache(int64_t capacity) const;

 private:
  const ModelConfig& config_;
  const ModelWeights& weights_;
  std::vector<float> inv_freq_;
};

}  // namespace attestd::model
