// The weights of a Llama / Qwen2 model, loaded from safetensors files and
// checked against the config: every tensor the architecture needs must be
// present with exactly its shape; extra tensors are an error too (a
// misnamed or foreign tensor would otherwise be silently unused).
//
// Storage (docs/model.md): matrices stay bf16 (read in place from the mmap
// when 2-byte aligned, else copied) or f32; f16 matrices are converted
// exactly to f32 at load. Norm weights and biases are converted to f32.
// The conversions are exact, so packing never changes a result bit.
//
// Ownership: ModelWeights owns its buffers and keeps the safetensors
// mappings alive; WeightView pointers are valid while it lives.
// Thread safety: immutable after load.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "kernels/matmul.h"
#include "model/config.h"
#include "model/safetensors.h"

namespace attestd::model {

struct Matrix {
  kernels::WeightView view;         // what kernels read
  std::vector<uint16_t> owned_bf16;  // when copied
  std::vector<float> owned_f32;      // f32 or converted f16
};

struct LayerWeights {
  std::vector<float> input_norm;           // [hidden]
  Matrix q_proj, k_proj, v_proj, o_proj;   // [heads*hd, hidden], [kv*hd, hidden] x2, [hidden, heads*hd]
  std::vector<float> q_bias, k_bias, v_bias;  // Qwen2: [heads*hd], [kv*hd], [kv*hd]; empty otherwise
  std::vector<float> post_norm;            // [hidden]
  Matrix gate_proj, up_proj, down_proj;    // [inter, hidden] x2, [hidden, inter]
};

struct ModelWeights {
  std::vector<std::unique_ptr<SafetensorsFile>> files;
  Matrix embed;                  // [vocab, hidden]
  std::vector<LayerWeights> layers;
  std::vector<float> final_norm;  // [hidden]
  Matrix lm_head_owned;           // [vocab, hidden] unless tied
  kernels::WeightView lm_head;    // embed.view when tied
  std::string dtype;              // "bf16" | "f16" | "f32"
};

// Opens every *.safetensors file in `model_dir` (sorted by name), and loads
// the tensors `config` needs. NotFound for a missing tensor or no weight
// file, InvalidArgument for a wrong shape, dtype or an unexpected tensor,
// DataLoss / InvalidArgument from the safetensors parser.
[[nodiscard]] absl::StatusOr<std::unique_ptr<ModelWeights>> LoadModelWeights(const std::string& model_dir,
                                                                            const ModelConfig& config);

}  // namespace attestd::model
