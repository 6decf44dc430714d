#include "model/config.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace attestd::model {
namespace {

using nlohmann::json;

absl::Status Bad(const std::string& field, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("config.json: ", field, ": ", why));
}

absl::StatusOr<int64_t> PositiveInt(const json& j, const char* field, int64_t max) {
  if (!j.contains(field)) return Bad(field, "missing");
  const json& v = j[field];
  if (!v.is_number_integer()) return Bad(field, absl::StrCat("want an integer, got ", v.dump()));
  int64_t x = v.get<int64_t>();
  if (x <= 0 || x > max) return Bad(field, absl::StrCat("got ", x, ", want 1..", max));
  return x;
}

absl::StatusOr<double> PositiveNumber(const json& j, const char* field, double fallback) {
  if (!j.contains(field) || j[field].is_null()) return fallback;
  const json& v = j[field];
  if (!v.is_number()) return Bad(field, absl::StrCat("want a number, got ", v.dump()));
  double x = v.get<double>();
  if (!(x > 0.0) || x > 1e12) return Bad(field, absl::StrCat("got ", v.dump(), ", want a positive number"));
  return x;
}

absl::StatusOr<double> ScalingNumber(const json& scaling, const char* key) {
  const std::string field = absl::StrCat("rope_scaling.", key);
  if (!scaling.contains(key)) return Bad(field, "missing");
  const json& v = scaling[key];
  if (!v.is_number()) return Bad(field, absl::StrCat("want a number, got ", v.dump()));
  double x = v.get<double>();
  if (!(x > 0.0) || x > 1e9) return Bad(field, absl::StrCat("got ", v.dump(), ", want a positive number"));
  return x;
}

// Hugging Face's rope_scaling: null, or an object naming its type in
// "rope_type" (or the older "type"). "default" is no scaling.
absl::StatusOr<kernels::RopeScaling> ParseRopeScaling(const json& j) {
  using Kind = kernels::RopeScaling::Kind;
  kernels::RopeScaling scaling;
  if (j.is_null()) return scaling;
  if (!j.is_object()) return Bad("rope_scaling", absl::StrCat("want null or an object, got ", j.dump()));
  const json* type = j.contains("rope_type") ? &j["rope_type"] : j.contains("type") ? &j["type"] : nullptr;
  if (type == nullptr || !type->is_string()) {
    return Bad("rope_scaling", absl::StrCat("got ", j.dump(), ", want a \"rope_type\" string"));
  }
  const std::string kind = type->get<std::string>();
  if (kind == "default") return scaling;
  if (kind != "linear" && kind != "llama3") {
    return Bad("rope_scaling.rope_type",
               absl::StrCat("got \"", kind, "\", want \"linear\" or \"llama3\" (other scaled RoPE types are not supported)"));
  }
  ASSIGN_OR_RETURN(scaling.factor, ScalingNumber(j, "factor"));
  if (scaling.factor < 1.0) return Bad("rope_scaling.factor", absl::StrCat("got ", j["factor"].dump(), ", want >= 1"));
  if (kind == "linear") {
    scaling.kind = Kind::kLinear;
    return scaling;
  }
  scaling.kind = Kind::kLlama3;
  ASSIGN_OR_RETURN(scaling.low_freq_factor, ScalingNumber(j, "low_freq_factor"));
  ASSIGN_OR_RETURN(scaling.high_freq_factor, ScalingNumber(j, "high_freq_factor"));
  if (!(scaling.high_freq_factor > scaling.low_freq_factor)) {
    return Bad("rope_scaling.high_freq_factor", absl::StrCat("got ", j["high_freq_factor"].dump(),
                                                             ", want more than low_freq_factor ",
                                                             j["low_freq_factor"].dump()));
  }
  const json& original = j.contains("original_max_position_embeddings") ? j["original_max_position_embeddings"] : json();
  if (!original.is_number_integer() || original.get<int64_t>() <= 0 || original.get<int64_t>() > (1 << 22)) {
    return Bad("rope_scaling.original_max_position_embeddings",
               absl::StrCat("got ", original.dump(), ", want an integer in 1..", 1 << 22));
  }
  scaling.original_max_position_embeddings = static_cast<double>(original.get<int64_t>());
  return scaling;
}

absl::Status AppendTokenIds(const json& v, const std::string& where, std::vector<int64_t>* out) {
  auto add = [&](const json& x) -> absl::Status {
    if (!x.is_number_integer() || x.get<int64_t>() < 0) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": eos_token_id: want non-negative integers, got ", x.dump()));
    }
    int64_t id = x.get<int64_t>();
    for (int64_t e : *out) {
      if (e == id) return absl::OkStatus();
    }
    out->push_back(id);
    return absl::OkStatus();
  };
  if (v.is_null()) return absl::OkStatus();
  if (v.is_array()) {
    for (const auto& x : v) RETURN_IF_ERROR(add(x));
    return absl::OkStatus();
  }
  return add(v);
}

absl::StatusOr<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path.string()));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json RopeScalingToJson(const kernels::RopeScaling& scaling) {
  switch (scaling.kind) {
    case kernels::RopeScaling::Kind::kNone:
      return nullptr;
    case kernels::RopeScaling::Kind::kLinear:
      return {{"rope_type", "linear"}, {"factor", scaling.factor}};
    case kernels::RopeScaling::Kind::kLlama3:
      return {{"rope_type", "llama3"},
              {"factor", scaling.factor},
              {"low_freq_factor", scaling.low_freq_factor},
              {"high_freq_factor", scaling.high_freq_factor},
              {"original_max_position_embeddings", static_cast<int64_t>(scaling.original_max_position_embeddings)}};
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<ModelConfig> ParseModelConfig(std::string_view config_json, std::string_view generation_config_json) {
  json j = json::parse(config_json.begin(), config_json.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return absl::InvalidArgumentError("config.json: not a JSON object");
  ModelConfig c;

  if (!j.contains("model_type") || !j["model_type"].is_string()) return Bad("model_type", "missing");
  auto family = ParseModelFamily(j["model_type"].get<std::string>());
  if (!family) return Bad("model_type", absl::StrCat("got ", j["model_type"].dump(), ", want \"llama\" or \"qwen2\""));
  c.family = *family;
  const std::string want_arch = c.family == ModelFamily::kLlama ? "LlamaForCausalLM" : "Qwen2ForCausalLM";
  if (j.contains("architectures")) {
    const json& a = j["architectures"];
    if (!a.is_array() || a.size() != 1 || !a[0].is_string() || a[0].get<std::string>() != want_arch) {
      return Bad("architectures", absl::StrCat("got ", a.dump(), ", want [\"", want_arch, "\"]"));
    }
  }
  c.architecture = want_arch;

  ASSIGN_OR_RETURN(c.hidden_size, PositiveInt(j, "hidden_size", 1 << 16));
  ASSIGN_OR_RETURN(c.intermediate_size, PositiveInt(j, "intermediate_size", 1 << 18));
  ASSIGN_OR_RETURN(c.num_layers, PositiveInt(j, "num_hidden_layers", 1024));
  ASSIGN_OR_RETURN(c.num_heads, PositiveInt(j, "num_attention_heads", 1024));
  c.num_kv_heads = c.num_heads;
  if (j.contains("num_key_value_heads") && !j["num_key_value_heads"].is_null()) {
    ASSIGN_OR_RETURN(c.num_kv_heads, PositiveInt(j, "num_key_value_heads", 1024));
  }
  if (c.num_heads % c.num_kv_heads != 0) {
    return Bad("num_key_value_heads", absl::StrCat("got ", c.num_kv_heads, ", want a divisor of num_attention_heads ", c.num_heads));
  }
  if (j.contains("head_dim") && !j["head_dim"].is_null()) {
    ASSIGN_OR_RETURN(c.head_dim, PositiveInt(j, "head_dim", 1024));
  } else {
    if (c.hidden_size % c.num_heads != 0) return Bad("hidden_size", "not divisible by num_attention_heads");
    c.head_dim = c.hidden_size / c.num_heads;
  }
  if (c.head_dim % 2 != 0) return Bad("head_dim", absl::StrCat("got ", c.head_dim, ", want an even number (RoPE)"));
  ASSIGN_OR_RETURN(c.vocab_size, PositiveInt(j, "vocab_size", 1 << 22));
  ASSIGN_OR_RETURN(c.max_position_embeddings, PositiveInt(j, "max_position_embeddings", 1 << 22));
  ASSIGN_OR_RETURN(c.rms_norm_eps, PositiveNumber(j, "rms_norm_eps", 1e-6));
  ASSIGN_OR_RETURN(c.rope_theta, PositiveNumber(j, "rope_theta", 10000.0));

  if (j.contains("tie_word_embeddings")) {
    if (!j["tie_word_embeddings"].is_boolean()) return Bad("tie_word_embeddings", "want true or false");
    c.tie_word_embeddings = j["tie_word_embeddings"].get<bool>();
  }
  if (j.contains("hidden_act") && j["hidden_act"] != "silu") {
    return Bad("hidden_act", absl::StrCat("got ", j["hidden_act"].dump(), ", want \"silu\""));
  }
  if (j.contains("rope_scaling")) {
    ASSIGN_OR_RETURN(c.rope_scaling, ParseRopeScaling(j["rope_scaling"]));
  }
  if (j.contains("mlp_bias") && j["mlp_bias"] != false) return Bad("mlp_bias", "MLP biases are not supported");
  if (c.family == ModelFamily::kQwen2) {
    c.qkv_bias = true;
    if (j.contains("use_sliding_window") && j["use_sliding_window"] == true) {
      return Bad("use_sliding_window", "sliding-window attention is not supported");
    }
  } else if (j.contains("attention_bias")) {
    if (!j["attention_bias"].is_boolean()) return Bad("attention_bias", "want true or false");
    c.qkv_bias = j["attention_bias"].get<bool>();
  }
  if (j.contains("torch_dtype") && j["torch_dtype"].is_string()) c.torch_dtype = j["torch_dtype"].get<std::string>();
  if (j.contains("bos_token_id") && j["bos_token_id"].is_number_integer()) c.bos_token_id = j["bos_token_id"].get<int64_t>();
  if (j.contains("eos_token_id")) RETURN_IF_ERROR(AppendTokenIds(j["eos_token_id"], "config.json", &c.eos_token_ids));

  if (!generation_config_json.empty()) {
    json g = json::parse(generation_config_json.begin(), generation_config_json.end(), nullptr, false);
    if (g.is_discarded() || !g.is_object()) {
      return absl::InvalidArgumentError("generation_config.json: not a JSON object");
    }
    if (g.contains("eos_token_id")) {
      RETURN_IF_ERROR(AppendTokenIds(g["eos_token_id"], "generation_config.json", &c.eos_token_ids));
    }
  }
  for (int64_t id : c.eos_token_ids) {
    if (id >= c.vocab_size) {
      return Bad("eos_token_id", absl::StrCat("got ", id, ", want < vocab_size ", c.vocab_size));
    }
  }
  return c;
}

absl::StatusOr<ModelConfig> LoadModelConfig(const std::string& model_dir) {
  std::filesystem::path dir(model_dir);
  ASSIGN_OR_RETURN(std::string config, ReadFile(dir / "config.json"));
  std::string generation;
  std::error_code ec;
  if (std::filesystem::exists(dir / "generation_config.json", ec)) {
    ASSIGN_OR_RETURN(generation, ReadFile(dir / "generation_config.json"));
  }
  return ParseModelConfig(config, generation);
}

std::string ModelConfigToJson(const ModelConfig& c) {
  json j;
  j["architectures"] = json::array({c.architecture});
  j["model_type"] = std::string(ModelFamilyName(c.family));
  j["hidden_size"] = c.hidden_size;
  j["intermediate_size"] = c.intermediate_size;
  j["num_hidden_layers"] = c.num_layers;
  j["num_attention_heads"] = c.num_heads;
  j["num_key_value_heads"] = c.num_kv_heads;
  if (c.head_dim * c.num_heads != c.hidden_size) j["head_dim"] = c.head_dim;
  j["vocab_size"] = c.vocab_size;
  j["max_position_embeddings"] = c.max_position_embeddings;
  j["rms_norm_eps"] = c.rms_norm_eps;
  j["rope_theta"] = c.rope_theta;
  j["tie_word_embeddings"] = c.tie_word_embeddings;
  j["hidden_act"] = "silu";
  j["torch_dtype"] = c.torch_dtype.empty() ? "bfloat16" : c.torch_dtype;
  j["rope_scaling"] = RopeScalingToJson(c.rope_scaling);
  j["initializer_range"] = 0.02;
  j["use_cache"] = true;
  if (c.family == ModelFamily::kLlama) {
    j["attention_bias"] = c.qkv_bias;
    j["mlp_bias"] = false;
    j["pretraining_tp"] = 1;
    j["attention_dropout"] = 0.0;
  } else {
    j["use_sliding_window"] = false;
    j["sliding_window"] = c.max_position_embeddings;
    j["max_window_layers"] = c.num_layers;
    j["attention_dropout"] = 0.0;
  }
  if (c.bos_token_id >= 0) j["bos_token_id"] = c.bos_token_id;
  if (c.eos_token_ids.size() == 1) j["eos_token_id"] = c.eos_token_ids[0];
  else if (!c.eos_token_ids.empty()) j["eos_token_id"] = c.eos_token_ids;
  return j.dump(2) + "\n";
}

}  // namespace attestd::model
