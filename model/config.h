// The architecture hyper-parameters of a model folder, from config.json and
// (optionally) generation_config.json, for LlamaForCausalLM and
// Qwen2ForCausalLM.
//
// Parsing is strict about what changes the math: a field the engine would
// have to honour but does not (a rope_scaling type other than "linear" or
// "llama3", sliding windows in use, an activation other than silu, MLP
// biases) is InvalidArgument, never ignored.
// Errors name the file and the field, with got vs want.
//
// Thread safety: pure functions; ModelConfig is a value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "kernels/rope.h"
#include "model/family.h"

namespace attestd::model {

struct ModelConfig {
  ModelFamily family = ModelFamily::kLlama;
  std::string architecture;      // "LlamaForCausalLM" | "Qwen2ForCausalLM"
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_layers = 0;
  int64_t num_heads = 0;
  int64_t num_kv_heads = 0;      // == num_heads when absent (no GQA)
  int64_t head_dim = 0;          // hidden_size / num_heads unless given
  int64_t vocab_size = 0;
  int64_t max_position_embeddings = 0;
  double rms_norm_eps = 1e-6;
  double rope_theta = 10000.0;
  kernels::RopeScaling rope_scaling;  // config.json "rope_scaling"; kNone when null or "default"
  bool tie_word_embeddings = false;
  bool qkv_bias = false;         // Qwen2: always; Llama: attention_bias
  std::string torch_dtype;       // as written, informational
  std::vector<int64_t> eos_token_ids;  // union of config and generation config, in order seen
  int64_t bos_token_id = -1;
};

// Parses config.json text; `generation_config_json` may be empty (absent file).
[[nodiscard]] absl::StatusOr<ModelConfig> ParseModelConfig(std::string_view config_json,
                                                           std::string_view generation_config_json);

// Reads config.json and generation_config.json (if present) from `model_dir`.
[[nodiscard]] absl::StatusOr<ModelConfig> LoadModelConfig(const std::string& model_dir);

// The config.json a synthetic model of this shape writes (model/synth_model.h);
// the inverse of ParseModelConfig for the fields above.
std::string ModelConfigToJson(const ModelConfig& config);

}  // namespace attestd::model
