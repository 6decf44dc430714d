// The inference engine: loads a Hugging Face model folder and generates.
//
// This is the only header the service needs. An Engine owns the weights (read
// once from *.safetensors, validated, pre-packed), the tokenizer and a worker
// thread pool. Every floating-point operation follows docs/determinism.md
// (spec version kReduceSpecVersion), so the same request gives the same
// output bits on any thread count, in any batch, with the scalar or the
// vectorised kernels, and on an auditor's CPU.
//
// Thread safety: Load is safe to call concurrently. An Engine is immutable
// after Load except for its thread pool, so Generate and GenerateBatch are
// serialised internally (one runs at a time; a second caller blocks until the
// first returns); the steps of BatchRunners (model/batch_runner.h) take the
// same lock one step at a time. info() and tokenizer access are safe from any
// thread.
//
// Token ids are int32 (ids above 2^31 do not occur in any supported vocabulary).
//
// Failure: Load returns InvalidArgument / DataLoss / NotFound with a message
// naming the file and the field; Generate returns InvalidArgument for a bad
// request (token id out of range, a prompt that leaves no room in the context,
// temperature < 0, top_p outside (0, 1]) and never crashes on input.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/family.h"

namespace attestd::model {

// Goes into the engine digest (SPEC "engineDigest"): names the written
// reduction order every canonical kernel follows.
inline constexpr std::string_view kReduceSpecVersion = "attestd-reduce-v1";
// The engine version of the engine digest. It names the canonical engine,
// whichever backend runs it: the CPU and CUDA kernels give the same bits, so
// they must give the same engineDigest. (The "cpu" in it is part of the
// value; changing the value would change every engineDigest and stop
// earlier receipts from re-executing.)
inline constexpr std::string_view kEngineVersion = "attestd-engine-cpu-0.1";

enum class NumericMode {
  kCanonical,  // the order in docs/determinism.md; the default
};

enum class KernelPath {
  kAuto,    // vectorised (AVX-512, else AVX2) when the CPU has it, scalar otherwise
  kScalar,  // portable reference path; bit-identical to kAuto
};

// What runs the kernels. Both give the same bits (docs/determinism.md).
enum class Backend {
  kCpu,   // the CPU kernels of kernels/*.cc
  kCuda,  // their CUDA twins (kernels/*.cu) on the first NVIDIA GPU
};

// "cpu" | "cuda": the spelling of the config key `backend`.
std::string_view BackendName(Backend backend);
// Parses BackendName's spellings; InvalidArgument naming the value otherwise.
[[nodiscard]] absl::StatusOr<Backend> ParseBackend(std::string_view name);

// A model's name: its folder's base name ("models/qwen2-1.5b/" -> "qwen2-1.5b").
std::string ModelFolderName(const std::string& model_dir);

struct EngineOptions {
  int threads = 1;  // CPU worker threads for kernels; results do not depend on it
  NumericMode numeric_mode = NumericMode::kCanonical;
  KernelPath kernel_path = KernelPath::kAuto;  // CPU backend only
  Backend backend = Backend::kCpu;
};

struct ModelInfo {
  std::string name;          // ModelFolderName of its folder
  ModelFamily family = ModelFamily::kLlama;
  int64_t context_length = 0;  // max_position_embeddings
  int64_t vocab_size = 0;
  std::string weight_dtype;    // "bf16", "f16" or "f32" (as stored)
  std::vector<int64_t> eos_token_ids;  // config.json + generation_config.json
  int64_t num_layers = 0;
  int64_t hidden_size = 0;
  int threads = 1;
  bool vectorised = false;     // AVX2 / AVX-512 kernels run (bit-identical either way)
  Backend backend = Backend::kCpu;
  std::string runs_on;         // e.g. "cpu: 2 threads, AVX-512" or "cuda: NVIDIA H100 ... (sm_90, ...)"
};

struct GenerationRequest {
  std::vector<int32_t> prompt_token_ids;  // must be non-empty, each < vocab_size
  int64_t max_tokens = 256;               // >= 1; cut to the room left in the context
  float temperature = 0.0f;               // 0 = greedy (the default)
  int32_t top_k = 0;                      // 0 = no top-k cut
  float top_p = 1.0f;                     // in (0, 1]; 1 = no nucleus cut
  uint64_t seed = 0;                      // RNG key; see model/sampler.h
  std::vector<std::string> stop_strings;  // generation stops when the text contains one
  bool ignore_eos = false;                // for benchmarks: run to max_tokens
};

struct GenerationResult {
  std::vector<int32_t> output_token_ids;  // includes the EOS token if one ended it
  std::string text;                       // decoded output (the ending EOS token and ids the
                                          // tokenizer does not know add no text);
                                          // a matched stop string and what follows are cut off
  std::string finish_reason;              // "stop" | "length" | "cancelled"
  int64_t prefill_ns = 0;                 // wall time of the steps that fed the prompt
  int64_t decode_ns = 0;                  // wall time of all decode steps
  int64_t decode_steps = 0;
};

// Called once per generated token, in order, on the thread that called
// Generate. `text_delta` is newly final UTF-8 text (may be empty): text that
// could still become part of a stop string is held back until it cannot,
// and the last call carries the rest, so the deltas concatenate to
// GenerationResult::text.
// Returning false cancels the request (finish_reason "cancelled").
using TokenCallback = std::function<bool(int32_t token_id, std::string_view text_delta)>;

class BatchRunner;  // model/batch_runner.h
}  // namespace attestd::model

namespace attestd::kernels {
class Device;  // kernels/device.h
}  // namespace attestd::kernels

namespace attestd::model {

class Engine {
 public:
  // Reads config.json, generation_config.json (optional), tokenizer.json and
  // every *.safetensors in `model_dir`; validates all of them before use.
  // With Backend::kCuda the weights go to the first NVIDIA GPU
  // (kernels::cuda::OpenDevice); Unavailable, with the reason, when the build
  // or the machine has none.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Engine>> Load(const std::string& model_dir,
                                                                    const EngineOptions& options);
  // Load with the GPU kernels on `device` (options.backend is taken as
  // kCuda): tests run the whole engine on the SIMT emulator this way.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Engine>> LoadOnDevice(const std::string& model_dir,
                                                                            const EngineOptions& options,
                                                                            std::unique_ptr<kernels::Device> device);
  virtual ~Engine() = default;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  virtual const ModelInfo& info() const = 0;

  // Text <-> token ids with the model's tokenizer (thread-safe). Special
  // tokens in `text` are matched only when `allow_special` (so user text
  // cannot forge control tokens). Decode fails with OutOfRange for an id the
  // tokenizer does not know.
  [[nodiscard]] virtual absl::StatusOr<std::vector<int32_t>> Encode(std::string_view text,
                                                                    bool allow_special = false) const = 0;
  [[nodiscard]] virtual absl::StatusOr<std::string> Decode(const std::vector<int32_t>& ids) const = 0;

  // Runs one request to completion. `on_token` may be empty. `cancel`, when
  // not null, is polled before each decode step.
  [[nodiscard]] virtual absl::StatusOr<GenerationResult> Generate(const GenerationRequest& request,
                                                                  const TokenCallback& on_token,
                                                                  const std::atomic<bool>* cancel) = 0;

  // Runs several requests with their decode steps interleaved (one forward
  // pass per step for all live requests). Each result is bit-identical to
  // running that request alone. On a bad request nothing runs and the
  // error names its index.
  [[nodiscard]] virtual absl::StatusOr<std::vector<GenerationResult>> GenerateBatch(
      const std::vector<GenerationRequest>& requests, const std::atomic<bool>* cancel) = 0;

  // A continuous-batching runner on this engine (model/batch_runner.h):
  // requests join and leave between steps, each result bit-identical to
  // Generate of that request alone. The runner borrows the engine and must
  // be destroyed before it.
  [[nodiscard]] virtual std::unique_ptr<BatchRunner> NewBatchRunner() = 0;

 protected:
  Engine() = default;
};

}  // namespace attestd::model
