// The transformer of model/transformer.h on a GPU (kernels/device.h): the
// same layers in the same order, every op the CUDA twin of the CPU kernel,
// so its logits are bit-identical to Transformer::Forward's (SPEC,
// Determinism). Per layer, with the CPU op each call stands for:
//   a   = RmsNorm(x)                              RmsNorm
//   qkv = a [Wq; Wk; Wv]^T + [bq; bk; bv]         three Matmuls, fused (rows are independent)
//   RoPE(q, k); k, v -> cache                     RopeApply + the cache append
//   x   = x + Attend(q, cache) Wo^T               Attend, Matmul, residual add (one epilogue add)
//   m   = RmsNorm(x)
//   x   = x + (SiLU(m Wg^T) * (m Wu^T)) Wd^T      two Matmuls fused, SiluMul, Matmul + residual
// logits = RmsNorm(x_last) Wlm^T.
//
// Weights are uploaded once, re-laid lane-major (kernels/lane_major.h), q/k/v
// and gate/up side by side; the KV cache of each sequence lives on the
// device (DeviceKvCache). A step in which every sequence decodes one token
// (up to kMaxGraphTokens of them) runs as a CUDA graph captured the first
// time that batch shape appears: its inputs (token ids, cache slots,
// positions) are uploaded into the same device buffers before each replay.
// A greedy request gets its token from the device's argmax (kernels/argmax.cu,
// the twin of the greedy branch of model/sampler.h), so only one id per
// sequence comes back; a sampled request gets its whole row of logits back
// and is sampled on the host by the very code of the CPU path.
//
// Ownership: owns its Device, the uploaded weights and its workspace; the
// caches it makes borrow the Device and must be destroyed before it.
// Thread safety: one thread at a time (the engine's step lock).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "base/status.h"
#include "kernels/device.h"
#include "model/config.h"
#include "model/forward_pass.h"
#include "model/weights.h"

namespace attestd::model {

class GpuTransformer final : public ForwardPass {
 public:
  static constexpr int64_t kMaxGraphTokens = 8;

  struct Options {
    bool decode_graphs = true;  // false runs every step eagerly (tests compare both)
    // Attention scores of one launch stay under this many bytes; a longer
    // prefill runs attention in groups of tokens (at least one per group).
    int64_t attention_score_bytes = int64_t{256} << 20;
  };

  // Uploads `weights` (which need not outlive the result). InvalidArgument
  // when q/k/v or gate/up have different dtypes; ResourceExhausted when the
  // weights do not fit on the device.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<GpuTransformer>> Create(
      const ModelConfig& config, const ModelWeights& weights, std::unique_ptr<kernels::Device> device,
      const Options& options);
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<GpuTransformer>> Create(
      const ModelConfig& config, const ModelWeights& weights, std::unique_ptr<kernels::Device> device) {
    return Create(config, weights, std::move(device), Options{});
  }
  ~GpuTransformer() override;

  absl::StatusOr<std::unique_ptr<SequenceCache>> NewCache(int64_t capacity) override;
  absl::Status Forward(std::vector<ForwardSegment>& segments) override;

  const kernels::Device& device() const { return *device_; }
  // Bytes of weights on the device.
  int64_t weight_bytes() const { return weight_bytes_; }
  // Decode steps served by replaying a captured graph (for tests and logs).
  int64_t graph_replays() const { return graph_replays_; }

 private:
  struct Layer {
    kernels::DeviceBuffer input_norm, post_norm;  // [hidden]
    kernels::DeviceBuffer qkv, qkv_bias;          // [q + 2 kv, hidden] lane-major; bias [q + 2 kv] or empty
    kernels::DeviceBuffer o_proj;                 // [hidden, q]
    kernels::DeviceBuffer gate_up;                // [2 inter, hidden]
    kernels::DeviceBuffer down;                   // [hidden, inter]
    kernels::DeviceMatrix qkv_m, o_m, gate_up_m, down_m;
  };
  struct Workspace;

  GpuTransformer(const ModelConfig& config, std::unique_ptr<kernels::Device> device, const Options& options);
  absl::StatusOr<kernels::DeviceMatrix> UploadMatrix(const std::vector<const kernels::WeightView*>& parts,
                                                     kernels::DeviceBuffer& out);
  absl::StatusOr<kernels::DeviceBuffer> UploadFloats(const std::vector<const std::vector<float>*>& parts);
  absl::Status EnsureWorkspace(int64_t tokens, int64_t logit_rows, int64_t scratch_floats);
  // Queues the whole pass for `tokens` tokens (inputs already on the
  // device); `group` tokens per attention launch, scores `stride` apart.
  absl::Status Queue(int64_t tokens, int64_t logit_rows, int64_t stride, int64_t group);

  ModelConfig config_;
  Options options_;
  std::unique_ptr<kernels::Device> device_;
  std::vector<Layer> layers_;
  kernels::DeviceBuffer embed_, lm_head_, final_norm_, inv_freq_;
  kernels::DeviceMatrix embed_m_, lm_head_m_;
  int64_t weight_bytes_ = 0;
  std::unique_ptr<Workspace> ws_;
  // Captured decode steps by (tokens, logit rows), valid for the workspace
  // they were captured with.
  std::map<std::pair<int64_t, int64_t>, std::unique_ptr<kernels::DeviceGraph>> graphs_;
  int64_t graph_replays_ = 0;
};

}  // namespace attestd::model
