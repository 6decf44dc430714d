#include "model/transformer.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "kernels/argmax.h"
#include "kernels/attention.h"
#include "kernels/embedding.h"
#include "kernels/matmul.h"
#include "kernels/rmsnorm.h"
#include "kernels/rope.h"
#include "kernels/silu.h"

namespace attestd::model {

Transformer::Transformer(const ModelConfig& config, const ModelWeights& weights)
    : config_(config), weights_(weights), inv_freq_(kernels::RopeInvFreq(config.head_dim, config.rope_theta, config.rope_scaling)) {}

std::unique_ptr<KvCache> Transformer::NewCache(int64_t capacity) const {
  return std::make_unique<KvCache>(config_.num_layers, config_.num_kv_heads * config_.head_dim, capacity);
}

absl::Status Transformer::Forward(const kernels::KernelContext& ctx, std::vector<ForwardSegment>& segments) const {
  const ModelConfig& c = config_;
  const int64_t h = c.hidden_size, hd = c.head_dim, q_dim = c.num_heads * hd, kv_dim = c.num_kv_heads * hd;
  const int64_t inter = c.intermediate_size;
  const auto eps = static_cast<float>(c.rms_norm_eps);

  // Validate everything before touching a cache.
  RETURN_IF_ERROR(ValidateSegments(segments, c.vocab_size));
  int64_t total = 0;
  std::vector<KvCache*> host_cache(segments.size());
  for (size_t s = 0; s < segments.size(); ++s) {
    host_cache[s] = dynamic_cast<KvCache*>(segments[s].cache);
    if (host_cache[s] == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("segment ", s, ": the cache belongs to another backend"));
    }
    total += static_cast<int64_t>(segments[s].ids.size());
  }

  // Row t of every activation belongs to token t; seg_of/pos_of say whose.
  std::vector<int32_t> ids;
  std::vector<KvCache*> cache_of;
  std::vector<int64_t> pos_of;
  for (size_t s = 0; s < segments.size(); ++s) {
    const ForwardSegment& seg = segments[s];
    for (size_t i = 0; i < seg.ids.size(); ++i) {
      ids.push_back(seg.ids[i]);
      cache_of.push_back(host_cache[s]);
      pos_of.push_back(seg.cache->length() + static_cast<int64_t>(i));
    }
  }
  const size_t T = static_cast<size_t>(total);
  std::vector<float> x(T * h), a(T * h), q(T * q_dim), k(T * kv_dim), v(T * kv_dim), att(T * q_dim);
  std::vector<float> gate(T * inter), up(T * inter);
  std::vector<float> cos_table(T * hd / 2), sin_table(T * hd / 2);
  for (size_t t = 0; t < T; ++t) {
    kernels::RopeCosSin(inv_freq_, pos_of[t], &cos_table[t * hd / 2], &sin_table[t * hd / 2]);
  }
  kernels::Embed(weights_.embed.view, ids.data(), total, x.data());

  for (int64_t l = 0; l < c.num_layers; ++l) {
    const LayerWeights& lw = weights_.layers[static_cast<size_t>(l)];
    kernels::RmsNorm(ctx, x.data(), total, h, lw.input_norm.data(), eps, a.data());
    kernels::Matmul(ctx, a.data(), total, lw.q_proj.view, lw.q_bias.empty() ? nullptr : lw.q_bias.data(), q.data());
    kernels::Matmul(ctx, a.data(), total, lw.k_proj.view, lw.k_bias.empty() ? nullptr : lw.k_bias.data(), k.data());
    kernels::Matmul(ctx, a.data(), total, lw.v_proj.view, lw.v_bias.empty() ? nullptr : lw.v_bias.data(), v.data());
    std::vector<kernels::AttentionItem> items(T);
    for (size_t t = 0; t < T; ++t) {
      const float* cs = &cos_table[t * hd / 2];
      const float* sn = &sin_table[t * hd / 2];
      kernels::RopeApply(&q[t * q_dim], c.num_heads, hd, cs, sn);
      kernels::RopeApply(&k[t * kv_dim], c.num_kv_heads, hd, cs, sn);
      KvCache* cache = cache_of[t];
      std::memcpy(cache->keys(l) + pos_of[t] * kv_dim, &k[t * kv_dim], static_cast<size_t>(kv_dim) * 4);
      std::memcpy(cache->values(l) + pos_of[t] * kv_dim, &v[t * kv_dim], static_cast<size_t>(kv_dim) * 4);
      items[t] = {&q[t * q_dim], cache->keys(l), cache->values(l), pos_of[t] + 1, &att[t * q_dim]};
    }
    kernels::Attend(ctx, items, c.num_heads, c.num_kv_heads, hd);
    kernels::Matmul(ctx, att.data(), total, lw.o_proj.view, nullptr, a.data());
    for (size_t i = 0; i < T * h; ++i) x[i] = x[i] + a[i];

    kernels::RmsNorm(ctx, x.data(), total, h, lw.post_norm.data(), eps, a.data());
    kernels::Matmul(ctx, a.data(), total, lw.gate_proj.view, nullptr, gate.data());
    kernels::Matmul(ctx, a.data(), total, lw.up_proj.view, nullptr, up.data());
    kernels::SiluMul(ctx, gate.data(), up.data(), total * inter, gate.data());
    kernels::Matmul(ctx, gate.data(), total, lw.down_proj.view, nullptr, a.data());
    for (size_t i = 0; i < T * h; ++i) x[i] = x[i] + a[i];
  }

  // Logits for the last new token of each segment that asks, in one
  // lm_head pass (a row's bits do not depend on the others).
  std::vector<size_t> want_rows;
  size_t row = 0;
  for (auto& seg : segments) {
    row += seg.ids.size();
    seg.cache->Advance(static_cast<int64_t>(seg.ids.size()));
    if (seg.logits != nullptr || seg.greedy != nullptr) want_rows.push_back(row - 1);
  }
  if (want_rows.empty()) return absl::OkStatus();
  const auto n = static_cast<int64_t>(want_rows.size());
  std::vector<float> last(want_rows.size() * h);
  for (size_t i = 0; i < want_rows.size(); ++i) {
    kernels::RmsNorm(ctx, &x[want_rows[i] * h], 1, h, weights_.final_norm.data(), eps, &last[i * h]);
  }
  std::vector<float> logits(static_cast<size_t>(n * c.vocab_size));
  kernels::Matmul(ctx, last.data(), n, weights_.lm_head, nullptr, logits.data());
  size_t i = 0;
  for (auto& seg : segments) {
    if (seg.logits == nullptr && seg.greedy == nullptr) continue;
    const float* row_logits = logits.data() + i * c.vocab_size;
    if (seg.logits != nullptr) seg.logits->assign(row_logits, row_logits + c.vocab_size);
    if (seg.greedy != nullptr) *seg.greedy = kernels::Argmax(row_logits, c.vocab_size);
    ++i;
  }
  return absl::OkStatus();
}

}  // namespace attestd::model
