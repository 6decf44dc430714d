// Synthetic models: a valid Hugging Face model folder with seeded random
// weights, made locally with no download (tests, benchmarks, demos).
//
// The folder holds config.json, generation_config.json, tokenizer.json
// (model/synth_tokenizer.h) and model.safetensors (bf16, __metadata__
// {"format": "pt"}), i.e. what transformers' AutoModelForCausalLM loads.
// Weights are uniform in [-a, a] with a = sqrt(3 / fan_in) (unit-variance
// projections, so activations neither vanish nor explode across layers);
// norm weights are 1 + uniform [-0.25, 0.25]; biases uniform [-0.1, 0.1].
// The same (shape, family, layers, seed) always gives the same bytes.
//
// Thread safety: pure apart from writing the output folder.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "model/config.h"
#include "model/family.h"

namespace attestd::model {

enum class SynthShape {
  kTiny,       // hidden 64, 4 heads, 2 kv heads, intermediate 160, vocab 512
  kQwen2_1_5B  // Qwen2.5-1.5B: hidden 1536, 12 heads, 2 kv heads, 8960, vocab 151936
};

struct SynthOptions {
  ModelFamily family = ModelFamily::kQwen2;
  SynthShape shape = SynthShape::kTiny;
  int64_t layers = 0;  // 0 = the shape's own depth (tiny: 2, qwen2-1.5b: 28)
  uint64_t seed = 0;
};

// The config a synthetic model of these options has.
[[nodiscard]] absl::StatusOr<ModelConfig> SynthConfig(const SynthOptions& options);

// Writes the folder (created if missing; existing files are replaced).
[[nodiscard]] absl::Status WriteSynthModel(const std::string& out_dir, const SynthOptions& options);

}  // namespace attestd::model
