#include "model/synth_model.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kernels/bf16.h"
#include "model/synth_tokenizer.h"

namespace attestd::model {
namespace {

// SplitMix64: a seeded stream of 64-bit words (only for making weights).
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [-1, 1).
  float Symmetric() { return static_cast<float>(static_cast<double>(Next() >> 11) * 0x1.0p-52 - 1.0); }

 private:
  uint64_t state_;
};

struct PendingTensor {
  std::vector<int64_t> shape;
  std::vector<uint16_t> bf16;
};

absl::Status WriteFile(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  return absl::OkStatus();
}

// Streams tensors into model.safetensors in name order without holding them all.
absl::Status WriteSafetensors(const std::filesystem::path& path, const std::map<std::string, std::vector<int64_t>>& shapes,
                              const std::function<std::vector<uint16_t>(const std::string&, int64_t)>& make) {
  nlohmann::json header = nlohmann::json::object();
  header["__metadata__"] = {{"format", "pt"}};
  uint64_t offset = 0;
  for (const auto& [name, shape] : shapes) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    header[name] = {{"dtype", "BF16"}, {"shape", shape}, {"data_offsets", {offset, offset + 2 * static_cast<uint64_t>(n)}}};
    offset += 2 * static_cast<uint64_t>(n);
  }
  std::string text = header.dump();
  while ((8 + text.size()) % 8 != 0) text.push_back(' ');  // keeps the data region 8-byte aligned
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  uint8_t len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(static_cast<uint64_t>(text.size()) >> (8 * i));
  out.write(reinterpret_cast<const char*>(len), 8);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  for (const auto& [name, shape] : shapes) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    std::vector<uint16_t> data = make(name, n);
    // Little-endian on disk; this code runs on little-endian hosts only.
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size() * 2));
  }
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  return absl::OkStatus();
}

uint64_t NameHash(const std::string& name) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char ch : name) h = (h ^ ch) * 1099511628211ull;
  return h;
}

}  // namespace

absl::StatusOr<ModelConfig> SynthConfig(const SynthOptions& o) {
  ModelConfig c;
  c.family = o.family;
  c.architecture = o.family == ModelFamily::kLlama ? "LlamaForCausalLM" : "Qwen2ForCausalLM";
  c.torch_dtype = "bfloat16";
  c.qkv_bias = o.family == ModelFamily::kQwen2;
  if (o.shape == SynthShape::kTiny) {
    c.hidden_size = 64;
    c.intermediate_size = 160;
    c.num_layers = 2;
    c.num_heads = 4;
    c.num_kv_heads = 2;
    c.vocab_size = 512;
    c.max_position_embeddings = 1024;
    c.tie_word_embeddings = o.family == ModelFamily::kQwen2;
  } else {
    c.hidden_size = 1536;
    c.intermediate_size = 8960;
    c.num_layers = 28;
    c.num_heads = 12;
    c.num_kv_heads = 2;
    c.vocab_size = 151936;
    c.max_position_embeddings = 32768;
    c.tie_word_embeddings = true;
  }
  c.head_dim = c.hidden_size / c.num_heads;
  c.rms_norm_eps = 1e-6;
  c.rope_theta = o.family == ModelFamily::kQwen2 ? 1000000.0 : 500000.0;
  if (o.layers < 0 || o.layers > 1024) {
    return absl::InvalidArgumentError(absl::StrCat("layers: got ", o.layers, ", want 0..1024"));
  }
  if (o.layers > 0) c.num_layers = o.layers;
  const auto specials = SynthSpecialTokens(o.family);
  const int64_t first_special = c.vocab_size - static_cast<int64_t>(specials.size());
  if (o.family == ModelFamily::kQwen2) {
    // <|endoftext|>, <|im_start|>, <|im_end|>
    c.bos_token_id = first_special;
    c.eos_token_ids = {first_special};
  } else {
    // <|begin_of_text|>, <|end_of_text|>, ..., <|eot_id|>
    c.bos_token_id = first_special;
    c.eos_token_ids = {first_special + 1};
  }
  return c;
}

absl::Status WriteSynthModel(const std::string& out_dir, const SynthOptions& o) {
  ASSIGN_OR_RETURN(ModelConfig c, SynthConfig(o));
  std::filesystem::path dir(out_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", out_dir, ": ", ec.message()));

  ASSIGN_OR_RETURN(std::string tokenizer, SynthesizeTokenizerJson(o.family, static_cast<uint32_t>(c.vocab_size)));
  RETURN_IF_ERROR(WriteFile(dir / "tokenizer.json", tokenizer));
  RETURN_IF_ERROR(WriteFile(dir / "config.json", ModelConfigToJson(c)));
  nlohmann::json gen;
  gen["bos_token_id"] = c.bos_token_id;
  const int64_t last = c.vocab_size - 1;  // <|im_end|> / <|eot_id|>
  gen["eos_token_id"] = {c.eos_token_ids[0], last};
  gen["do_sample"] = false;
  RETURN_IF_ERROR(WriteFile(dir / "generation_config.json", gen.dump(2) + "\n"));
  nlohmann::json tok_config;
  const auto specials = SynthSpecialTokens(o.family);
  tok_config["bos_token"] = o.family == ModelFamily::kQwen2 ? nullptr : nlohmann::json(specials[0]);
  tok_config["eos_token"] = o.family == ModelFamily::kQwen2 ? specials[0] : specials[1];
  tok_config["model_max_length"] = c.max_position_embeddings;
  tok_config["tokenizer_class"] = "PreTrainedTokenizerFast";
  RETURN_IF_ERROR(WriteFile(dir / "tokenizer_config.json", tok_config.dump(2) + "\n"));

  const int64_t h = c.hidden_size, inter = c.intermediate_size, v = c.vocab_size;
  const int64_t q_dim = c.num_heads * c.head_dim, kv_dim = c.num_kv_heads * c.head_dim;
  std::map<std::string, std::vector<int64_t>> shapes;
  shapes["model.embed_tokens.weight"] = {v, h};
  shapes["model.norm.weight"] = {h};
  if (!c.tie_word_embeddings) shapes["lm_head.weight"] = {v, h};
  for (int64_t l = 0; l < c.num_layers; ++l) {
    const std::string p = absl::StrCat("model.layers.", l, ".");
    shapes[p + "input_layernorm.weight"] = {h};
    shapes[p + "post_attention_layernorm.weight"] = {h};
    shapes[p + "self_attn.q_proj.weight"] = {q_dim, h};
    shapes[p + "self_attn.k_proj.weight"] = {kv_dim, h};
    shapes[p + "self_attn.v_proj.weight"] = {kv_dim, h};
    shapes[p + "self_attn.o_proj.weight"] = {h, q_dim};
    if (c.qkv_bias) {
      shapes[p + "self_attn.q_proj.bias"] = {q_dim};
      shapes[p + "self_attn.k_proj.bias"] = {kv_dim};
      shapes[p + "self_attn.v_proj.bias"] = {kv_dim};
    }
    shapes[p + "mlp.gate_proj.weight"] = {inter, h};
    shapes[p + "mlp.up_proj.weight"] = {inter, h};
    shapes[p + "mlp.down_proj.weight"] = {h, inter};
  }
  auto make = [&](const std::string& name, int64_t n) {
    // Each tensor has its own stream, so a tensor's values do not depend on
    // which other tensors exist (e.g. on the layer count).
    SplitMix64 rng(o.seed ^ NameHash(name));
    const auto& shape = shapes.at(name);
    std::vector<uint16_t> out(static_cast<size_t>(n));
    const bool is_norm = name.find("norm") != std::string::npos;
    const bool is_bias = name.size() > 5 && name.ends_with(".bias");
    const float scale = is_norm ? 0.25f : is_bias ? 0.1f
                        : name == "model.embed_tokens.weight" ? 1.0f
                                                              : static_cast<float>(std::sqrt(3.0 / static_cast<double>(shape.back())));
    for (auto& x : out) x = kernels::F32ToBf16((is_norm ? 1.0f : 0.0f) + scale * rng.Symmetric());
    return out;
  };
  return WriteSafetensors(dir / "model.safetensors", shapes, make);
}

}  // namespace attestd::model
