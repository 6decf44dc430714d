// The model families attestd runs. The family decides the architecture
// details the engine needs and the tokenizer conventions (pre-tokenizer
// split pattern, special tokens) that model/synth_tokenizer.h reproduces.
//
// Thread safety: pure functions and constants; safe from any thread.
#pragma once

#include <optional>
#include <string_view>

namespace attestd::model {

enum class ModelFamily {
  kLlama,  // Llama-3 style: tiktoken-like byte-level BPE, <|begin_of_text|>, <|eot_id|>
  kQwen2,  // Qwen2 / Qwen2.5 / DeepSeek-R1-Distill-Qwen: <|endoftext|>, <|im_start|>, <|im_end|>
};

// The name used in config.json "model_type" and on the command line.
constexpr std::string_view ModelFamilyName(ModelFamily family) {
  switch (family) {
    case ModelFamily::kLlama:
      return "llama";
    case ModelFamily::kQwen2:
      return "qwen2";
  }
  return "unknown";
}

// Inverse of ModelFamilyName; nullopt for any other string (case-sensitive,
// as config.json writes it).
constexpr std::optional<ModelFamily> ParseModelFamily(std::string_view name) {
  if (name == "llama") return ModelFamily::kLlama;
  if (name == "qwen2") return ModelFamily::kQwen2;
  return std::nullopt;
}

}  // namespace attestd::model
