#include "model/weights.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "kernels/bf16.h"

namespace attestd::model {
namespace {

std::string ShapeString(const std::vector<int64_t>& s) { return absl::StrCat("[", absl::StrJoin(s, ", "), "]"); }

class TensorIndex {
 public:
  explicit TensorIndex(const std::vector<std::unique_ptr<SafetensorsFile>>& files) {
    for (const auto& f : files) {
      for (const auto& [name, info] : f->tensors()) owner_.emplace(name, f.get());
    }
  }
  absl::Status AddFile(const SafetensorsFile& f) {
    for (const auto& [name, info] : f.tensors()) {
      auto [it, inserted] = owner_.emplace(name, &f);
      if (!inserted && it->second != &f) {
        return absl::InvalidArgumentError(
            absl::StrCat("tensor \"", name, "\" appears in both ", it->second->path(), " and ", f.path()));
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<TensorView> Get(const std::string& name, const std::vector<int64_t>& want_shape) {
    auto it = owner_.find(name);
    if (it == owner_.end()) return absl::NotFoundError(absl::StrCat("model weights: missing tensor \"", name, "\""));
    used_.insert(name);
    ASSIGN_OR_RETURN(TensorView v, it->second->Get(name));
    if (v.info->shape != want_shape) {
      return absl::InvalidArgumentError(absl::StrCat("model weights: tensor \"", name, "\" has shape ",
                                                     ShapeString(v.info->shape), ", want ", ShapeString(want_shape)));
    }
    StDtype d = v.info->dtype;
    if (d != StDtype::kBF16 && d != StDtype::kF16 && d != StDtype::kF32) {
      return absl::InvalidArgumentError(absl::StrCat("model weights: tensor \"", name, "\" has dtype ",
                                                     StDtypeName(d), ", want BF16, F16 or F32"));
    }
    return v;
  }

  absl::Status CheckAllUsed() const {
    for (const auto& [name, file] : owner_) {
      if (!used_.count(name)) {
        return absl::InvalidArgumentError(absl::StrCat("model weights: unexpected tensor \"", name, "\" in ",
                                                       file->path(), " (not part of the architecture)"));
      }
    }
    return absl::OkStatus();
  }

 private:
  std::map<std::string, const SafetensorsFile*> owner_;
  std::set<std::string> used_;
};

std::vector<float> ToF32(const TensorView& v) {
  const size_t n = static_cast<size_t>(v.info->elements());
  std::vector<float> out(n);
  for (size_t i = 0; i < n; ++i) {
    switch (v.info->dtype) {
      case StDtype::kBF16: {
        uint16_t h;
        std::memcpy(&h, v.data + 2 * i, 2);
        out[i] = kernels::Bf16ToF32(h);
        break;
      }
      case StDtype::kF16: {
        uint16_t h;
        std::memcpy(&h, v.data + 2 * i, 2);
        out[i] = kernels::F16ToF32(h);
        break;
      }
      default:
        std::memcpy(&out[i], v.data + 4 * i, 4);
        break;
    }
  }
  return out;
}

Matrix ToMatrix(const TensorView& v) {
  Matrix m;
  m.view.rows = v.info->shape[0];
  m.view.cols = v.info->shape[1];
  if (v.info->dtype == StDtype::kBF16) {
    m.view.type = kernels::WeightType::kBf16;
    if (reinterpret_cast<uintptr_t>(v.data) % 2 == 0) {
      m.view.data = v.data;  // in place: the mapping outlives the view
    } else {
      m.owned_bf16.resize(static_cast<size_t>(v.info->elements()));
      std::memcpy(m.owned_bf16.data(), v.data, m.owned_bf16.size() * 2);
      m.view.data = m.owned_bf16.data();
    }
  } else {
    m.view.type = kernels::WeightType::kF32;
    m.owned_f32 = ToF32(v);
    m.view.data = m.owned_f32.data();
  }
  return m;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ModelWeights>> LoadModelWeights(const std::string& model_dir, const ModelConfig& c) {
  auto w = std::make_unique<ModelWeights>();
  std::vector<std::string> paths;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(model_dir, ec)) {
    if (entry.path().extension() == ".safetensors") paths.push_back(entry.path().string());
  }
  if (ec) return absl::NotFoundError(absl::StrCat("cannot list model folder ", model_dir));
  if (paths.empty()) return absl::NotFoundError(absl::StrCat("no *.safetensors file in ", model_dir));
  std::sort(paths.begin(), paths.end());
  TensorIndex index(w->files);
  for (const auto& p : paths) {
    ASSIGN_OR_RETURN(auto file, SafetensorsFile::Open(p));
    RETURN_IF_ERROR(index.AddFile(*file));
    w->files.push_back(std::move(file));
  }

  const int64_t h = c.hidden_size, inter = c.intermediate_size, v = c.vocab_size;
  const int64_t q_dim = c.num_heads * c.head_dim, kv_dim = c.num_kv_heads * c.head_dim;
  ASSIGN_OR_RETURN(TensorView embed, index.Get("model.embed_tokens.weight", {v, h}));
  w->embed = ToMatrix(embed);
  switch (embed.info->dtype) {
    case StDtype::kBF16: w->dtype = "bf16"; break;
    case StDtype::kF16: w->dtype = "f16"; break;
    default: w->dtype = "f32"; break;
  }
  for (int64_t l = 0; l < c.num_layers; ++l) {
    const std::string p = absl::StrCat("model.layers.", l, ".");
    LayerWeights lw;
    ASSIGN_OR_RETURN(TensorView t, index.Get(p + "input_layernorm.weight", {h}));
    lw.input_norm = ToF32(t);
    ASSIGN_OR_RETURN(t, index.Get(p + "post_attention_layernorm.weight", {h}));
    lw.post_norm = ToF32(t);
    ASSIGN_OR_RETURN(t, index.Get(p + "self_attn.q_proj.weight", {q_dim, h}));
    lw.q_proj = ToMatrix(t);
    ASSIGN_OR_RETURN(t, index.Get(p + "self_attn.k_proj.weight", {kv_dim, h}));
    lw.k_proj = ToMatrix(t);
    ASSIGN_OR_RETURN(t, index.Get(p + "self_attn.v_proj.weight", {kv_dim, h}));
    lw.v_proj = ToMatrix(t);
    ASSIGN_OR_RETURN(t, index.Get(p + "self_attn.o_proj.weight", {h, q_dim}));
    lw.o_proj = ToMatrix(t);
    if (c.qkv_bias) {
      ASSIGN_OR_RETURN(t, index.Get(p + "self_attn.q_proj.bias", {q_dim}));
      lw.q_bias = ToF32(t);
      ASSIGN_OR_RETURN(t, index.Get(p + "self_attn.k_proj.bias", {kv_dim}));
      lw.k_bias = ToF32(t);
      ASSIGN_OR_RETURN(t, index.Get(p + "self_attn.v_proj.bias", {kv_dim}));
      lw.v_bias = ToF32(t);
    }
    ASSIGN_OR_RETURN(t, index.Get(p + "mlp.gate_proj.weight", {inter, h}));
    lw.gate_proj = ToMatrix(t);
    ASSIGN_OR_RETURN(t, index.Get(p + "mlp.up_proj.weight", {inter, h}));
    lw.up_proj = ToMatrix(t);
    ASSIGN_OR_RETURN(t, index.Get(p + "mlp.down_proj.weight", {h, inter}));
    lw.down_proj = ToMatrix(t);
    w->layers.push_back(std::move(lw));
  }
  ASSIGN_OR_RETURN(TensorView norm, index.Get("model.norm.weight", {h}));
  w->final_norm = ToF32(norm);
  if (c.tie_word_embeddings) {
    w->lm_head = w->embed.view;
  } else {
    ASSIGN_OR_RETURN(TensorView head, index.Get("lm_head.weight", {v, h}));
    w->lm_head_owned = ToMatrix(head);
    w->lm_head = w->lm_head_owned.view;
  }
  RETURN_IF_ERROR(index.CheckAllUsed());
  return w;
}

}  // namespace attestd::model
