// EngineImpl: the Engine of model/engine.h on a ForwardPass, the CPU
// Transformer or the GPU one; everything above the forward pass (tokenizer,
// batching, sampling) is shared.
#include "model/engine.h"

#include <algorithm>
#include <filesystem>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "kernels/context.h"
#include "kernels/device.h"
#include "kernels/dot.h"
#include "kernels/thread_pool.h"
#include "model/batch_runner.h"
#include "model/config.h"
#include "model/gpu_transformer.h"
#include "model/tokenizer.h"
#include "model/transformer.h"
#include "model/weights.h"

namespace attestd::model {
namespace {

class EngineImpl final : public Engine {
 public:
  // `device` is null for the CPU backend.
  static absl::StatusOr<std::unique_ptr<Engine>> Create(const std::string& model_dir, const EngineOptions& options,
                                                        std::unique_ptr<kernels::Device> device) {
    if (options.threads < 1 || options.threads > 256) {
      return absl::InvalidArgumentError(absl::StrCat("threads: got ", options.threads, ", want 1..256"));
    }
    auto e = std::unique_ptr<EngineImpl>(new EngineImpl(options));
    ASSIGN_OR_RETURN(e->config_, LoadModelConfig(model_dir));
    ASSIGN_OR_RETURN(e->weights_, LoadModelWeights(model_dir, e->config_));
    ASSIGN_OR_RETURN(e->tokenizer_, Tokenizer::FromFile(std::filesystem::path(model_dir) / "tokenizer.json"));
    ModelInfo& info = e->info_;
    info.weight_dtype = e->weights_->dtype;
    if (device == nullptr) {
      e->transformer_ = std::make_unique<Transformer>(e->config_, *e->weights_);
      e->forward_ = std::make_unique<CpuForwardPass>(*e->transformer_, e->ctx_);
      info.backend = Backend::kCpu;
      info.vectorised = e->ctx_.vectorised && kernels::CpuHasAvx2();
      info.runs_on = absl::StrCat("cpu: ", options.threads, options.threads == 1 ? " thread, " : " threads, ",
                                  !info.vectorised                ? "scalar kernels"
                                  : kernels::CpuHasAvx512()       ? "AVX-512 kernels"
                                                                  : "AVX2 kernels");
    } else {
      const std::string device_name = device->name();
      ASSIGN_OR_RETURN(e->forward_, GpuTransformer::Create(e->config_, *e->weights_, std::move(device)));
      // The weights now live on the device; the host copy is not used again.
      e->weights_.reset();
      info.backend = Backend::kCuda;
      info.runs_on = absl::StrCat("cuda: ", device_name);
    }
    info.name = ModelFolderName(model_dir);
    info.family = e->config_.family;
    info.context_length = e->config_.max_position_embeddings;
    info.vocab_size = e->config_.vocab_size;
    info.eos_token_ids = e->config_.eos_token_ids;
    info.num_layers = e->config_.num_layers;
    info.hidden_size = e->config_.hidden_size;
    info.threads = options.threads;
    return std::unique_ptr<Engine>(std::move(e));
  }

  const ModelInfo& info() const override { return info_; }

  absl::StatusOr<std::vector<int32_t>> Encode(std::string_view text, bool allow_special) const override {
    ASSIGN_OR_RETURN(std::vector<uint32_t> ids, tokenizer_->Encode(text, allow_special));
    return std::vector<int32_t>(ids.begin(), ids.end());
  }

  absl::StatusOr<std::string> Decode(const std::vector<int32_t>& ids) const override {
    std::vector<uint32_t> u;
    for (int32_t id : ids) {
      if (id < 0) return absl::OutOfRangeError(absl::StrCat("token id ", id, " is negative"));
      u.push_back(static_cast<uint32_t>(id));
    }
    return tokenizer_->Decode(u);
  }

  absl::StatusOr<GenerationResult> Generate(const GenerationRequest& request, const TokenCallback& on_token,
                                            const std::atomic<bool>* cancel) override {
    std::lock_guard<std::mutex> lock(run_mu_);
    BatchRunner runner(*forward_, *tokenizer_, info_, nullptr);
    RETURN_IF_ERROR(runner.Admit(request, on_token, cancel).status());
    ASSIGN_OR_RETURN(std::vector<GenerationResult> results, RunToEnd(runner));
    return std::move(results[0]);
  }

  absl::StatusOr<std::vector<GenerationResult>> GenerateBatch(const std::vector<GenerationRequest>& requests,
                                                              const std::atomic<bool>* cancel) override {
    std::lock_guard<std::mutex> lock(run_mu_);
    BatchRunner runner(*forward_, *tokenizer_, info_, nullptr);
    for (size_t i = 0; i < requests.size(); ++i) {
      absl::Status s = runner.Admit(requests[i], nullptr, cancel).status();
      if (!s.ok()) return absl::Status(s.code(), absl::StrCat("request ", i, ": ", s.message()));
    }
    return RunToEnd(runner);
  }

  std::unique_ptr<BatchRunner> NewBatchRunner() override {
    return std::make_unique<BatchRunner>(*forward_, *tokenizer_, info_, &run_mu_);
  }

 private:
  explicit EngineImpl(const EngineOptions& options) : pool_(options.threads) {
    ctx_.pool = &pool_;
    ctx_.vectorised = options.kernel_path == KernelPath::kAuto;
  }

  // Steps `runner` (which the caller admitted every request to, and whose
  // Step does not lock) until every request finished; results in admission
  // order (tickets count up from 1).
  static absl::StatusOr<std::vector<GenerationResult>> RunToEnd(BatchRunner& runner) {
    std::vector<GenerationResult> results(runner.size());
    while (runner.size() > 0) {
      ASSIGN_OR_RETURN(std::vector<BatchRunner::Finished> finished, runner.Step());
      for (auto& f : finished) results[f.ticket - 1] = std::move(f.result);
    }
    return results;
  }

  kernels::ThreadPool pool_;
  kernels::KernelContext ctx_;
  ModelConfig config_;
  std::unique_ptr<ModelWeights> weights_;      // the CPU backend reads it; null once on a GPU
  std::unique_ptr<Transformer> transformer_;  // CPU backend only
  std::unique_ptr<ForwardPass> forward_;
  std::unique_ptr<Tokenizer> tokenizer_;
  ModelInfo info_;
  std::mutex run_mu_;
};

}  // namespace

std::string ModelFolderName(const std::string& model_dir) {
  const std::filesystem::path dir = std::filesystem::path(model_dir).lexically_normal();
  return dir.has_filename() ? dir.filename().string() : dir.parent_path().filename().string();
}

std::string_view BackendName(Backend backend) { return backend == Backend::kCuda ? "cuda" : "cpu"; }

absl::StatusOr<Backend> ParseBackend(std::string_view name) {
  if (name == "cpu") return Backend::kCpu;
  if (name == "cuda") return Backend::kCuda;
  return absl::InvalidArgumentError(absl::StrCat("backend: got \"", std::string(name), "\", want \"cpu\" or \"cuda\""));
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Load(const std::string& model_dir, const EngineOptions& options) {
  if (options.backend == Backend::kCpu) return EngineImpl::Create(model_dir, options, nullptr);
  ASSIGN_OR_RETURN(std::unique_ptr<kernels::Device> device, kernels::cuda::OpenDevice());
  return EngineImpl::Create(model_dir, options, std::move(device));
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::LoadOnDevice(const std::string& model_dir,
                                                             const EngineOptions& options,
                                                             std::unique_ptr<kernels::Device> device) {
  if (device == nullptr) return absl::InvalidArgumentError("LoadOnDevice: no device");
  return EngineImpl::Create(model_dir, options, std::move(device));
}

}  // namespace attestd::model
