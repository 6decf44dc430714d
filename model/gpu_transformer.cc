#include "model/gpu_transformer.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "kernels/lane_major.h"
#include "kernels/rope.h"

namespace attestd::model {
namespace {

using kernels::DeviceBuffer;
using kernels::DeviceMatrix;
using kernels::TokenSlot;
using kernels::WeightType;
using kernels::WeightView;

int64_t ElementBytes(WeightType type) { return type == WeightType::kBf16 ? 2 : 4; }

// A sequence's keys and values on the device: [layers][capacity][kv_dim] f32 each.
class DeviceKvCache final : public SequenceCache {
 public:
  DeviceKvCache(const GpuTransformer* owner, int64_t capacity, int64_t layer_stride, DeviceBuffer k, DeviceBuffer v)
      : SequenceCache(capacity), owner_(owner), layer_stride_(layer_stride), k_(std::move(k)), v_(std::move(v)) {}
  const GpuTransformer* owner() const { return owner_; }
  TokenSlot Slot(int64_t position) const {
    TokenSlot slot;
    slot.k_cache = k_.as<float>();
    slot.v_cache = v_.as<float>();
    slot.layer_stride = layer_stride_;
    slot.position = static_cast<int32_t>(position);
    return slot;
  }

 private:
  const GpuTransformer* owner_;
  int64_t layer_stride_;
  DeviceBuffer k_, v_;
};

}  // namespace

// Activations of up to `tokens` tokens, and the per-step inputs.
struct GpuTransformer::Workspace {
  int64_t tokens = 0, logit_rows = 0, scratch_floats = 0;
  DeviceBuffer x, a, qkv, q, att, gate_up, act, cos, sin, scratch, last, logits, greedy, ids, slots, rows;
};

GpuTransformer::GpuTransformer(const ModelConfig& config, std::unique_ptr<kernels::Device> device,
                               const Options& options)
    : config_(config), options_(options), device_(std::move(device)) {}

// Members go in reverse order: graphs and buffers before the device.
GpuTransformer::~GpuTransformer() = default;

absl::StatusOr<DeviceMatrix> GpuTransformer::UploadMatrix(const std::vector<const WeightView*>& parts,
                                                          DeviceBuffer& out) {
  const WeightType type = parts[0]->type;
  const int64_t cols = parts[0]->cols;
  int64_t rows = 0;
  for (const WeightView* p : parts) {
    if (p->type != type || p->cols != cols) {
      return absl::InvalidArgumentError("matrices fused for the GPU differ in dtype or width");
    }
    rows += p->rows;
  }
  const int64_t stride = kernels::LaneMajorStride(type, cols);
  const int64_t elem = ElementBytes(type);
  std::vector<unsigned char> host(static_cast<size_t>(rows * stride * elem));
  int64_t at = 0;
  for (const WeightView* p : parts) {
    kernels::ToLaneMajor(*p, host.data() + at * stride * elem);
    at += p->rows;
  }
  ASSIGN_OR_RETURN(out, device_->Allocate(host.size()));
  RETURN_IF_ERROR(device_->Upload(out.data(), host.data(), host.size()));
  weight_bytes_ += static_cast<int64_t>(host.size());
  DeviceMatrix m;
  m.type = type;
  m.data = out.data();
  m.rows = rows;
  m.cols = cols;
  m.stride = stride;
  return m;
}

absl::StatusOr<DeviceBuffer> GpuTransformer::UploadFloats(const std::vector<const std::vector<float>*>& parts) {
  std::vector<float> host;
  for (const auto* p : parts) host.insert(host.end(), p->begin(), p->end());
  ASSIGN_OR_RETURN(DeviceBuffer out, device_->Allocate(host.size() * sizeof(float)));
  RETURN_IF_ERROR(device_->Upload(out.data(), host.data(), host.size() * sizeof(float)));
  weight_bytes_ += static_cast<int64_t>(host.size() * sizeof(float));
  return out;
}

absl::StatusOr<std::unique_ptr<GpuTransformer>> GpuTransformer::Create(const ModelConfig& config,
                                                                        const ModelWeights& weights,
                                                                        std::unique_ptr<kernels::Device> device,
                                                                        const Options& options) {
  auto t = std::unique_ptr<GpuTransformer>(new GpuTransformer(config, std::move(device), options));
  for (const LayerWeights& lw : weights.layers) {
    Layer layer;
    ASSIGN_OR_RETURN(layer.input_norm, t->UploadFloats({&lw.input_norm}));
    ASSIGN_OR_RETURN(layer.post_norm, t->UploadFloats({&lw.post_norm}));
    ASSIGN_OR_RETURN(layer.qkv_m, t->UploadMatrix({&lw.q_proj.view, &lw.k_proj.view, &lw.v_proj.view}, layer.qkv));
    if (!lw.q_bias.empty()) {
      ASSIGN_OR_RETURN(layer.qkv_bias, t->UploadFloats({&lw.q_bias, &lw.k_bias, &lw.v_bias}));
    }
    ASSIGN_OR_RETURN(layer.o_m, t->UploadMatrix({&lw.o_proj.view}, layer.o_proj));
    ASSIGN_OR_RETURN(layer.gate_up_m, t->UploadMatrix({&lw.gate_proj.view, &lw.up_proj.view}, layer.gate_up));
    ASSIGN_OR_RETURN(layer.down_m, t->UploadMatrix({&lw.down_proj.view}, layer.down));
    t->layers_.push_back(std::move(layer));
  }
  ASSIGN_OR_RETURN(t->embed_m_, t->UploadMatrix({&weights.embed.view}, t->embed_));
  if (weights.lm_head.data == weights.embed.view.data) {
    t->lm_head_m_ = t->embed_m_;  // tied: one copy serves the lookup and the logits
  } else {
    ASSIGN_OR_RETURN(t->lm_head_m_, t->UploadMatrix({&weights.lm_head}, t->lm_head_));
  }
  ASSIGN_OR_RETURN(t->final_norm_, t->UploadFloats({&weights.final_norm}));
  const std::vector<float> inv_freq = kernels::RopeInvFreq(config.head_dim, config.rope_theta, config.rope_scaling);
  ASSIGN_OR_RETURN(t->inv_freq_, t->UploadFloats({&inv_freq}));
  RETURN_IF_ERROR(t->device_->Synchronize());
  return t;
}

absl::StatusOr<std::unique_ptr<SequenceCache>> GpuTransformer::NewCache(int64_t capacity) {
  const int64_t layer_stride = capacity * config_.num_kv_heads * config_.head_dim;
  const auto bytes = static_cast<size_t>(config_.num_layers * layer_stride) * sizeof(float);
  ASSIGN_OR_RETURN(DeviceBuffer k, device_->Allocate(bytes));
  ASSIGN_OR_RETURN(DeviceBuffer v, device_->Allocate(bytes));
  return std::unique_ptr<SequenceCache>(new DeviceKvCache(this, capacity, layer_stride, std::move(k), std::move(v)));
}

absl::Status GpuTransformer::EnsureWorkspace(int64_t tokens, int64_t logit_rows, int64_t scratch_floats) {
  if (ws_ != nullptr && tokens <= ws_->tokens && logit_rows <= ws_->logit_rows &&
      scratch_floats <= ws_->scratch_floats) {
    return absl::OkStatus();
  }
  const ModelConfig& c = config_;
  auto ws = std::make_unique<Workspace>();
  ws->tokens = std::max(tokens, ws_ != nullptr ? ws_->tokens : 0);
  ws->logit_rows = std::max(logit_rows, ws_ != nullptr ? ws_->logit_rows : 0);
  ws->scratch_floats = std::max(scratch_floats, ws_ != nullptr ? ws_->scratch_floats : 0);
  graphs_.clear();  // they point into the workspace being replaced
  ws_.reset();
  const int64_t T = ws->tokens, R = std::max<int64_t>(ws->logit_rows, 1);
  const int64_t q_dim = c.num_heads * c.head_dim, kv_dim = c.num_kv_heads * c.head_dim;
  const auto floats = [&](DeviceBuffer& b, int64_t n) -> absl::Status {
    ASSIGN_OR_RETURN(b, device_->Allocate(static_cast<size_t>(n) * sizeof(float)));
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(floats(ws->x, T * c.hidden_size));
  RETURN_IF_ERROR(floats(ws->a, T * c.hidden_size));
  RETURN_IF_ERROR(floats(ws->qkv, T * (q_dim + 2 * kv_dim)));
  RETURN_IF_ERROR(floats(ws->q, T * q_dim));
  RETURN_IF_ERROR(floats(ws->att, T * q_dim));
  RETURN_IF_ERROR(floats(ws->gate_up, T * 2 * c.intermediate_size));
  RETURN_IF_ERROR(floats(ws->act, T * c.intermediate_size));
  RETURN_IF_ERROR(floats(ws->cos, T * (c.head_dim / 2)));
  RETURN_IF_ERROR(floats(ws->sin, T * (c.head_dim / 2)));
  RETURN_IF_ERROR(floats(ws->scratch, ws->scratch_floats));
  RETURN_IF_ERROR(floats(ws->last, R * c.hidden_size));
  RETURN_IF_ERROR(floats(ws->logits, R * c.vocab_size));
  ASSIGN_OR_RETURN(ws->greedy, device_->Allocate(static_cast<size_t>(R) * sizeof(int32_t)));
  ASSIGN_OR_RETURN(ws->ids, device_->Allocate(static_cast<size_t>(T) * sizeof(int32_t)));
  ASSIGN_OR_RETURN(ws->slots, device_->Allocate(static_cast<size_t>(T) * sizeof(TokenSlot)));
  ASSIGN_OR_RETURN(ws->rows, device_->Allocate(static_cast<size_t>(R) * sizeof(int32_t)));
  ws_ = std::move(ws);
  return absl::OkStatus();
}

absl::Status GpuTransformer::Queue(int64_t tokens, int64_t logit_rows, int64_t stride, int64_t group) {
  const ModelConfig& c = config_;
  kernels::Device& d = *device_;
  Workspace& w = *ws_;
  const int64_t h = c.hidden_size, hd = c.head_dim, q_dim = c.num_heads * hd;
  const auto eps = static_cast<float>(c.rms_norm_eps);
  const auto* slots = w.slots.as<const TokenSlot>();
  RETURN_IF_ERROR(d.Embed(embed_m_, w.ids.as<const int32_t>(), tokens, w.x.as<float>()));
  RETURN_IF_ERROR(d.RopeTable(inv_freq_.as<const float>(), slots, tokens, hd / 2, w.cos.as<float>(),
                              w.sin.as<float>()));
  for (int64_t l = 0; l < c.num_layers; ++l) {
    const Layer& L = layers_[static_cast<size_t>(l)];
    RETURN_IF_ERROR(d.RmsNorm(w.x.as<const float>(), nullptr, tokens, h, L.input_norm.as<const float>(), eps,
                              w.a.as<float>()));
    RETURN_IF_ERROR(d.Matmul(w.a.as<const float>(), tokens, L.qkv_m,
                             L.qkv_bias.data() != nullptr ? L.qkv_bias.as<const float>() : nullptr, nullptr,
                             w.qkv.as<float>()));
    RETURN_IF_ERROR(d.RopeAppend(w.qkv.as<const float>(), w.q.as<float>(), w.cos.as<const float>(),
                                 w.sin.as<const float>(), slots, l, tokens, c.num_heads, c.num_kv_heads, hd));
    for (int64_t t0 = 0; t0 < tokens; t0 += group) {
      RETURN_IF_ERROR(d.Attention(w.q.as<const float>() + t0 * q_dim, slots + t0, l, std::min(group, tokens - t0),
                                  c.num_heads, c.num_kv_heads, hd, w.scratch.as<float>(), stride,
                                  w.att.as<float>() + t0 * q_dim));
    }
    RETURN_IF_ERROR(d.Matmul(w.att.as<const float>(), tokens, L.o_m, nullptr, w.x.as<const float>(), w.x.as<float>()));
    RETURN_IF_ERROR(d.RmsNorm(w.x.as<const float>(), nullptr, tokens, h, L.post_norm.as<const float>(), eps,
                              w.a.as<float>()));
    RETURN_IF_ERROR(d.Matmul(w.a.as<const float>(), tokens, L.gate_up_m, nullptr, nullptr, w.gate_up.as<float>()));
    RETURN_IF_ERROR(d.SiluMul(w.gate_up.as<const float>(), tokens, c.intermediate_size, w.act.as<float>()));
    RETURN_IF_ERROR(d.Matmul(w.act.as<const float>(), tokens, L.down_m, nullptr, w.x.as<const float>(), w.x.as<float>()));
  }
  if (logit_rows == 0) return absl::OkStatus();
  RETURN_IF_ERROR(d.RmsNorm(w.x.as<const float>(), w.rows.as<const int32_t>(), logit_rows, h,
                            final_norm_.as<const float>(), eps, w.last.as<float>()));
  RETURN_IF_ERROR(d.Matmul(w.last.as<const float>(), logit_rows, lm_head_m_, nullptr, nullptr, w.logits.as<float>()));
  return d.Argmax(w.logits.as<const float>(), logit_rows, c.vocab_size, w.greedy.as<int32_t>());
}

absl::Status GpuTransformer::Forward(std::vector<ForwardSegment>& segments) {
  const ModelConfig& c = config_;
  RETURN_IF_ERROR(ValidateSegments(segments, c.vocab_size));
  // Row t of every activation belongs to token t; `rows` are the tokens
  // whose logits or greedy token are asked for (the last new token of such
  // a segment).
  std::vector<int32_t> ids, rows;
  std::vector<TokenSlot> slots;
  bool one_token_each = true, want_logits = false;
  int64_t max_position = 0;
  for (size_t s = 0; s < segments.size(); ++s) {
    const ForwardSegment& seg = segments[s];
    const auto* cache = dynamic_cast<const DeviceKvCache*>(seg.cache);
    if (cache == nullptr || cache->owner() != this) {
      return absl::InvalidArgumentError(absl::StrCat("segment ", s, ": the cache belongs to another backend"));
    }
    one_token_each = one_token_each && seg.ids.size() == 1;
    for (size_t i = 0; i < seg.ids.size(); ++i) {
      const int64_t position = seg.cache->length() + static_cast<int64_t>(i);
      ids.push_back(seg.ids[i]);
      slots.push_back(cache->Slot(position));
      max_position = std::max(max_position, position);
    }
    if (seg.logits != nullptr || seg.greedy != nullptr) rows.push_back(static_cast<int32_t>(ids.size() - 1));
    want_logits = want_logits || seg.logits != nullptr;
  }
  const auto tokens = static_cast<int64_t>(ids.size());
  const auto logit_rows = static_cast<int64_t>(rows.size());
  const bool graph = options_.decode_graphs && one_token_each && tokens <= kMaxGraphTokens &&
                     max_position < c.max_position_embeddings;
  // A graph's score rows are a whole context apart, so it serves every
  // position; an eager pass needs only as many as its longest sequence.
  const int64_t stride = graph ? c.max_position_embeddings : max_position + 1;
  const int64_t per_token = c.num_heads * stride;
  const int64_t group =
      graph ? tokens : std::clamp<int64_t>(options_.attention_score_bytes / (per_token * int64_t{4}), 1, tokens);
  RETURN_IF_ERROR(EnsureWorkspace(tokens, logit_rows, group * per_token));
  Workspace& w = *ws_;
  RETURN_IF_ERROR(device_->Upload(w.ids.data(), ids.data(), ids.size() * sizeof(int32_t)));
  RETURN_IF_ERROR(device_->Upload(w.slots.data(), slots.data(), slots.size() * sizeof(TokenSlot)));
  RETURN_IF_ERROR(device_->Upload(w.rows.data(), rows.data(), rows.size() * sizeof(int32_t)));
  if (graph) {
    auto& g = graphs_[{tokens, logit_rows}];
    if (g == nullptr) {
      RETURN_IF_ERROR(device_->BeginCapture());
      absl::Status queued = Queue(tokens, logit_rows, stride, group);
      absl::StatusOr<std::unique_ptr<kernels::DeviceGraph>> captured = device_->EndCapture();
      RETURN_IF_ERROR(queued);
      RETURN_IF_ERROR(captured.status());
      g = std::move(*captured);
    }
    RETURN_IF_ERROR(device_->Replay(*g));
    ++graph_replays_;
  } else {
    RETURN_IF_ERROR(Queue(tokens, logit_rows, stride, group));
  }
  // Greedy requests need one id per row; whole rows come back only when a
  // segment asks for its logits (sampling, tests).
  std::vector<int32_t> greedy(static_cast<size_t>(logit_rows));
  RETURN_IF_ERROR(device_->Download(greedy.data(), w.greedy.data(), greedy.size() * sizeof(int32_t)));
  std::vector<float> logits(want_logits ? static_cast<size_t>(logit_rows * c.vocab_size) : 0);
  RETURN_IF_ERROR(device_->Download(logits.data(), w.logits.data(), logits.size() * sizeof(float)));
  size_t i = 0;
  for (auto& seg : segments) {
    seg.cache->Advance(static_cast<int64_t>(seg.ids.size()));
    if (seg.logits == nullptr && seg.greedy == nullptr) continue;
    if (seg.logits != nullptr) {
      seg.logits->assign(logits.begin() + static_cast<std::ptrdiff_t>(i * c.vocab_size),
                         logits.begin() + static_cast<std::ptrdiff_t>((i + 1) * c.vocab_size));
    }
    if (seg.greedy != nullptr) *seg.greedy = greedy[i];
    ++i;
  }
  return absl::OkStatus();
}

}  // namespace attestd::model
