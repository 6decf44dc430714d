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
#include "model/forward_pass.h"
#include "model/kv_cache.h"
#include "model/weights.h"

namespace attestd::model {

class Transformer {
 public:
  // Borrows both; they must outlive the Transformer.
  Transformer(const ModelConfig& config, const ModelWeights& weights);

  // ForwardPass::Forward on `ctx`'s threads; every cache must be a KvCache
  // (InvalidArgument otherwise, as for the other ValidateSegments cases).
  [[nodiscard]] absl::Status Forward(const kernels::KernelContext& ctx, std::vector<ForwardSegment>& segments) const;

  std::unique_ptr<KvCache> NewCache(int64_t capacity) const;

 private:
  const ModelConfig& config_;
  const ModelWeights& weights_;
  std::vector<float> inv_freq_;
};

// The Transformer as the ForwardPass of the CPU engine. Borrows both; they
// must outlive it.
class CpuForwardPass final : public ForwardPass {
 public:
  CpuForwardPass(const Transformer& transformer, const kernels::KernelContext& ctx)
      : transformer_(transformer), ctx_(ctx) {}
  absl::StatusOr<std::unique_ptr<SequenceCache>> NewCache(int64_t capacity) override {
    return std::unique_ptr<SequenceCache>(transformer_.NewCache(capacity));
  }
  absl::Status Forward(std::vector<ForwardSegment>& segments) override { return transformer_.Forward(ctx_, segments); }

 private:
  const Transformer& transformer_;
  const kernels::KernelContext& ctx_;
};

}  // namespace attestd::model
