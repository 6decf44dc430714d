// CpuEngine: the Engine of model/engine.h on the canonical CPU kernels.
#include "model/engine.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>

#include "absl/strings/str_cat.h"
#include "kernels/context.h"
#include "kernels/thread_pool.h"
#include "model/config.h"
#include "model/sampler.h"
#include "model/tokenizer.h"
#include "model/transformer.h"
#include "model/weights.h"

namespace attestd::model {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// One request in flight.
struct Live {
  const GenerationRequest* request = nullptr;
  const TokenCallback* on_token = nullptr;
  std::unique_ptr<KvCache> cache;
  std::vector<float> logits;
  std::optional<StreamDecoder> decoder;
  GenerationResult result;
  int64_t max_tokens = 0;
  size_t emitted = 0;     // bytes of result.text already passed to on_token
  size_t max_stop = 0;    // longest stop string
  bool done = false;
};

absl::Status ValidateRequest(const GenerationRequest& r, const ModelInfo& info) {
  if (r.prompt_token_ids.empty()) return absl::InvalidArgumentError("prompt has no tokens");
  for (int32_t id : r.prompt_token_ids) {
    if (id < 0 || id >= info.vocab_size) {
      return absl::InvalidArgumentError(absl::StrCat("prompt token id ", id, " out of range [0, ", info.vocab_size, ")"));
    }
  }
  const auto n = static_cast<int64_t>(r.prompt_token_ids.size());
  if (n >= info.context_length) {
    return absl::InvalidArgumentError(absl::StrCat("prompt has ", n, " tokens, the context holds ", info.context_length,
                                                   " (want at most ", info.context_length - 1, ")"));
  }
  if (r.max_tokens < 1) return absl::InvalidArgumentError(absl::StrCat("max_tokens: got ", r.max_tokens, ", want >= 1"));
  if (!(r.temperature >= 0.0f) || r.temperature > 1e6f) {
    return absl::InvalidArgumentError(absl::StrCat("temperature: got ", r.temperature, ", want a number >= 0"));
  }
  if (r.top_k < 0) return absl::InvalidArgumentError(absl::StrCat("top_k: got ", r.top_k, ", want >= 0"));
  if (!(r.top_p > 0.0f && r.top_p <= 1.0f)) {
    return absl::InvalidArgumentError(absl::StrCat("top_p: got ", r.top_p, ", want a number in (0, 1]"));
  }
  for (const auto& s : r.stop_strings) {
    if (s.empty()) return absl::InvalidArgumentError("stop_strings: an empty stop string would stop at once");
  }
  return absl::OkStatus();
}

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
    std::vector<const GenerationRequest*> requests = {&request};
    std::vector<const TokenCallback*> callbacks = {on_token ? &on_token : nullptr};
    ASSIGN_OR_RETURN(auto results, Run(requests, callbacks, cancel));
    return std::move(results[0]);
  }

  absl::StatusOr<std::vector<GenerationResult>> GenerateBatch(const std::vector<GenerationRequest>& requests,
                                                              const std::atomic<bool>* cancel) override {
    std::vector<const GenerationRequest*> ptrs;
    for (const auto& r : requests) ptrs.push_back(&r);
    std::vector<const TokenCallback*> callbacks(requests.size(), nullptr);
    return Run(ptrs, callbacks, cancel);
  }

 private:
  explicit CpuEngine(const EngineOptions& options) : pool_(options.threads) {
    ctx_.pool = &pool_;
    ctx_.vectorised = options.kernel_path == KernelPath::kAuto;
  }

  bool IsEos(int32_t id) const {
    return std::find(info_.eos_token_ids.begin(), info_.eos_token_ids.end(), id) != info_.eos_token_ids.end();
  }

  // Consumes live.logits: samples the next token, updates text and finish
  // state, and calls the callback.
  absl::Status Step(Live& live, const std::atomic<bool>* cancel) {
    const GenerationRequest& r = *live.request;
    GenerationResult& res = live.result;
    SamplingParams params{r.temperature, r.top_k, r.top_p, r.seed};
    const int32_t token = SampleToken(live.logits, params, res.output_token_ids.size());
    res.output_token_ids.push_back(token);
    const bool eos = !r.ignore_eos && IsEos(token);
    const size_t before = res.text.size();
    if (!eos) {
      // An id the tokenizer has no token for (embedding rows past the
      // tokenizer's vocabulary exist in real models) adds no text, as in
      // Hugging Face decoding; the id itself is still in the output.
      auto piece = live.decoder->Push(static_cast<uint32_t>(token));
      if (piece.ok()) res.text += *piece;
    }
    // A stop string can only newly appear in the text that just arrived,
    // plus the max_stop - 1 bytes before it.
    size_t cut = std::string::npos;
    if (live.max_stop > 0 && res.text.size() > before) {
      size_t from = before >= live.max_stop - 1 ? before - (live.max_stop - 1) : 0;
      for (const auto& s : r.stop_strings) cut = std::min(cut, res.text.find(s, from));
    }
    if (cut != std::string::npos) {
      res.text.resize(cut);
      res.finish_reason = "stop";
      live.done = true;
    } else if (eos) {
      res.finish_reason = "stop";
      live.done = true;
    } else if (static_cast<int64_t>(res.output_token_ids.size()) >= live.max_tokens) {
      res.finish_reason = "length";
      live.done = true;
    } else if (cancel != nullptr && cancel->load()) {
      res.finish_reason = "cancelled";
      live.done = true;
    }
    if (live.done && cut == std::string::npos) res.text += live.decoder->Finish();
    size_t safe = res.text.size();
    if (!live.done && live.max_stop > 0) {
      safe = safe > live.max_stop - 1 ? safe - (live.max_stop - 1) : 0;
      while (safe > live.emitted && (static_cast<unsigned char>(res.text[safe]) & 0xC0) == 0x80) --safe;
    }
    safe = std::max(safe, live.emitted);
    std::string_view delta(res.text.data() + live.emitted, safe - live.emitted);
    live.emitted = safe;
    if (live.on_token != nullptr && *live.on_token && !(*live.on_token)(token, delta) && !live.done) {
      res.text += live.decoder->Finish();
      res.finish_reason = "cancelled";
      live.done = true;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<GenerationResult>> Run(const std::vector<const GenerationRequest*>& requests,
                                                    const std::vector<const TokenCallback*>& callbacks,
                                                    const std::atomic<bool>* cancel) {
    for (size_t i = 0; i < requests.size(); ++i) {
      absl::Status s = ValidateRequest(*requests[i], info_);
      if (!s.ok()) {
        return absl::Status(s.code(), requests.size() == 1 ? std::string(s.message())
                                                          : absl::StrCat("request ", i, ": ", s.message()));
      }
    }
    std::lock_guard<std::mutex> lock(run_mu_);
    std::vector<Live> lives(requests.size());
    std::vector<ForwardSegment> segments;
    for (size_t i = 0; i < requests.size(); ++i) {
      Live& live = lives[i];
      live.request = requests[i];
      live.on_token = callbacks[i];
      const auto prompt = static_cast<int64_t>(live.request->prompt_token_ids.size());
      live.max_tokens = std::min(live.request->max_tokens, info_.context_length - prompt);
      // The last sampled token is never fed back, so the cache needs
      // prompt + max_tokens - 1 positions.
      live.cache = transformer_->NewCache(prompt + live.max_tokens - 1);
      live.decoder.emplace(*tokenizer_);
      for (const auto& s : live.request->stop_strings) live.max_stop = std::max(live.max_stop, s.size());
      segments.push_back({live.cache.get(), live.request->prompt_token_ids, &live.logits});
    }
    const int64_t prefill_start = NowNs();
    RETURN_IF_ERROR(transformer_->Forward(ctx_, segments));
    const int64_t prefill_ns = NowNs() - prefill_start;
    for (auto& live : lives) {
      live.result.prefill_ns = prefill_ns;
      RETURN_IF_ERROR(Step(live, cancel));
    }
    for (;;) {
      segments.clear();
      std::vector<Live*> stepping;
      for (auto& live : lives) {
        if (live.done) continue;
        segments.push_back({live.cache.get(), {live.result.output_token_ids.back()}, &live.logits});
        stepping.push_back(&live);
      }
      if (segments.empty()) break;
      const int64_t start = NowNs();
      RETURN_IF_ERROR(transformer_->Forward(ctx_, segments));
      for (Live* live : stepping) RETURN_IF_ERROR(Step(*live, cancel));
      const int64_t elapsed = NowNs() - start;
      for (Live* live : stepping) {
        live->result.decode_ns += elapsed;
        live->result.decode_steps += 1;
      }
    }
    std::vector<GenerationResult> results;
    for (auto& live : lives) results.push_back(std::move(live.result));
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
