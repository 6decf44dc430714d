// CpuEngine: the Engine of model/engine.h on the canonical CPU kernels.
#include "model/engine.h"

#include <algorithm>
#include <filesystem>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "kernels/context.h"
#include "kernels/thread_pool.h"
#include "model/batch_runner.h"
#include "model/config.h"
#include "model/tokenizer.h"
#include "model/transformer.h"
#include "model/weights.h"

namespace attestd::model {
namespace {

class CpuEngine final : public Engine {
 public:
  static absl::StatusOr<std::unique_ptr<Engine>> Create(const std::string& model_dir, const EngineOptions& options) {
    if (options.threads < 1 || options.threads > 256) {
      return absl::InvalidArgumentError(absl::StrCat("threads: got ", options.threads, ", want 1..256"));
    }
    auto e = std::unique_ptr<CpuEngine>(new CpuEngine(options));
    ASSIGN_OR_RETURN(e->config_, LoadModelConfig(model_dir));
    ASSIGN_OR_RETURN(e->weights_, LoadModelWeights(model_dir, e->config_));
    ASSIGN_OR_RETURN(e->tokenizer_, Tokenizer::FromFile(std::filesystem::path(model_dir) / "tokenizer.json"));
    e->transformer_ = std::make_unique<Transformer>(e->config_, *e->weights_);
    ModelInfo& info = e->info_;
    std::filesystem::path dir = std::filesystem::path(model_dir).lexically_normal();
    info.name = dir.has_filename() ? dir.filename().string() : dir.parent_path().filename().string();
    info.family = e->config_.family;
    info.context_length = e->config_.max_position_embeddings;
    info.vocab_size = e->config_.vocab_size;
    info.weight_dtype = e->weights_->dtype;
    info.eos_token_ids = e->config_.eos_token_ids;
    info.num_layers = e->config_.num_layers;
    info.hidden_size = e->config_.hidden_size;
    info.threads = options.threads;
    info.vectorised = e->ctx_.vectorised && kernels::CpuHasAvx2();
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
    BatchRunner runner(*transformer_, *tokenizer_, ctx_, info_, nullptr);
    RETURN_IF_ERROR(runner.Admit(request, on_token, cancel).status());
    std::lock_guard<std::mutex> lock(run_mu_);
    ASSIGN_OR_RETURN(std::vector<GenerationResult> results, RunToEnd(runner));
    return std::move(results[0]);
  }

  absl::StatusOr<std::vector<GenerationResult>> GenerateBatch(const std::vector<GenerationRequest>& requests,
                                                              const std::atomic<bool>* cancel) override {
    BatchRunner runner(*transformer_, *tokenizer_, ctx_, info_, nullptr);
    for (size_t i = 0; i < requests.size(); ++i) {
      absl::Status s = runner.Admit(requests[i], nullptr, cancel).status();
      if (!s.ok()) return absl::Status(s.code(), absl::StrCat("request ", i, ": ", s.message()));
    }
    std::lock_guard<std::mutex> lock(run_mu_);
    return RunToEnd(runner);
  }

  std::unique_ptr<BatchRunner> NewBatchRunner() override {
    return std::make_unique<BatchRunner>(*transformer_, *tokenizer_, ctx_, info_, &run_mu_);
  }

 private:
  explicit CpuEngine(const EngineOptions& options) : pool_(options.threads) {
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
  std::unique_ptr<ModelWeights> weights_;
  std::unique_ptr<Transformer> transformer_;
  std::unique_ptr<Tokenizer> tokenizer_;
  ModelInfo info_;
  std::mutex run_mu_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Engine>> Engine::Load(const std::string& model_dir, const EngineOptions& options) {
  return CpuEngine::Create(model_dir, options);
}

}  // namespace attestd::model
