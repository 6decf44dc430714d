#include "model/batch_runner.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "model/sampler.h"
#include "model/tokenizer.h"
#include "model/forward_pass.h"

namespace attestd::model {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

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

}  // namespace

// One admitted request.
struct BatchRunner::Live {
  Ticket ticket = 0;
  GenerationRequest request;
  TokenCallback on_token;
  const std::atomic<bool>* cancel = nullptr;
  std::unique_ptr<SequenceCache> cache;
  std::vector<float> logits;  // sampled requests: the step's logits
  int32_t greedy_token = 0;   // greedy requests: the step's argmax, all they need

  bool greedy() const { return request.temperature <= 0.0f; }
  // What the forward pass fills for this request's next token.
  std::vector<float>* logits_out() { return greedy() ? nullptr : &logits; }
  int32_t* greedy_out() { return greedy() ? &greedy_token : nullptr; }
  std::optional<StreamDecoder> decoder;
  GenerationResult result;
  int64_t max_tokens = 0;  // request.max_tokens cut to the room left in the context
  size_t emitted = 0;      // bytes of result.text already passed to on_token
  size_t max_stop = 0;     // longest stop string
  size_t prompt_fed = 0;   // prompt tokens already in the cache
  bool done = false;

  bool prefilled() const { return prompt_fed == request.prompt_token_ids.size(); }
};

BatchRunner::BatchRunner(ForwardPass& forward, const Tokenizer& tokenizer, const ModelInfo& info, std::mutex* step_mu)
    : forward_(forward), tokenizer_(tokenizer), info_(info), step_mu_(step_mu) {}

BatchRunner::~BatchRunner() = default;

absl::StatusOr<BatchRunner::Ticket> BatchRunner::Admit(GenerationRequest request, TokenCallback on_token,
                                                       const std::atomic<bool>* cancel) {
  RETURN_IF_ERROR(ValidateRequest(request, info_));
  auto live = std::make_unique<Live>();
  live->request = std::move(request);
  live->on_token = std::move(on_token);
  live->cancel = cancel;
  const auto prompt = static_cast<int64_t>(live->request.prompt_token_ids.size());
  live->max_tokens = std::min(live->request.max_tokens, info_.context_length - prompt);
  // The last sampled token is never fed back, so the cache needs
  // prompt + max_tokens - 1 positions.
  {
    // The cache is made under the step lock: on a GPU it allocates on the
    // device that a running Step is using.
    std::unique_lock<std::mutex> lock;
    if (step_mu_ != nullptr) lock = std::unique_lock<std::mutex>(*step_mu_);
    ASSIGN_OR_RETURN(live->cache, forward_.NewCache(prompt + live->max_tokens - 1));
  }
  live->ticket = next_ticket_++;
  live->decoder.emplace(tokenizer_);
  for (const auto& s : live->request.stop_strings) live->max_stop = std::max(live->max_stop, s.size());
  const Ticket ticket = live->ticket;
  live_.push_back(std::move(live));
  return ticket;
}

void BatchRunner::SampleAndStream(Live& live) const {
  const GenerationRequest& r = live.request;
  GenerationResult& res = live.result;
  SamplingParams params{r.temperature, r.top_k, r.top_p, r.seed};
  // Greedy is SampleToken's argmax, computed by the forward pass (on a GPU,
  // on the device) so that no row of logits has to come back.
  const int32_t token =
      live.greedy() ? live.greedy_token : SampleToken(live.logits, params, res.output_token_ids.size());
  res.output_token_ids.push_back(token);
  const bool eos = !r.ignore_eos && std::find(info_.eos_token_ids.begin(), info_.eos_token_ids.end(), token) !=
                                        info_.eos_token_ids.end();
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
  } else if (live.cancel != nullptr && live.cancel->load()) {
    res.finish_reason = "cancelled";
    live.done = true;
  }
  if (live.done && cut == std::string::npos) res.text += live.decoder->Finish();
  // Text that could still become the start of a stop string is held back.
  size_t safe = res.text.size();
  if (!live.done && live.max_stop > 0) {
    safe = safe > live.max_stop - 1 ? safe - (live.max_stop - 1) : 0;
    while (safe > live.emitted && (static_cast<unsigned char>(res.text[safe]) & 0xC0) == 0x80) --safe;
  }
  safe = std::max(safe, live.emitted);
  std::string_view delta(res.text.data() + live.emitted, safe - live.emitted);
  live.emitted = safe;
  if (live.on_token && !live.on_token(token, delta) && !live.done) {
    res.text += live.decoder->Finish();
    res.finish_reason = "cancelled";
    live.done = true;
  }
}

absl::StatusOr<std::vector<BatchRunner::Finished>> BatchRunner::Step() {
  std::vector<Finished> finished;
  if (live_.empty()) return finished;
  std::unique_lock<std::mutex> lock;
  if (step_mu_ != nullptr) lock = std::unique_lock<std::mutex>(*step_mu_);

  // A request cancelled while its prompt is still being fed leaves now.
  for (auto& live : live_) {
    if (!live->prefilled() && live->prompt_fed > 0 && live->cancel != nullptr && live->cancel->load()) {
      live->result.finish_reason = "cancelled";
      live->done = true;
    }
  }
  // One segment per request still running: a prompt piece or one decode token.
  std::vector<ForwardSegment> segments;
  std::vector<Live*> owner;      // segments[i] belongs to owner[i]
  std::vector<bool> prompt_piece;
  for (auto& live : live_) {
    if (live->done) continue;
    if (live->prefilled()) {
      segments.push_back(
          {live->cache.get(), {live->result.output_token_ids.back()}, live->logits_out(), live->greedy_out()});
    } else {
      const std::vector<int32_t>& prompt = live->request.prompt_token_ids;
      size_t take = prompt.size() - live->prompt_fed;
      if (prefill_chunk_ > 0) take = std::min(take, static_cast<size_t>(prefill_chunk_));
      const auto from = prompt.begin() + static_cast<std::ptrdiff_t>(live->prompt_fed);
      const bool last_piece = live->prompt_fed + take == prompt.size();
      segments.push_back({live->cache.get(), std::vector<int32_t>(from, from + static_cast<std::ptrdiff_t>(take)),
                          last_piece ? live->logits_out() : nullptr, last_piece ? live->greedy_out() : nullptr});
    }
    owner.push_back(live.get());
    prompt_piece.push_back(!live->prefilled());
  }
  const int64_t start = NowNs();
  absl::Status forward = segments.empty() ? absl::OkStatus() : forward_.Forward(segments);
  if (!forward.ok()) {
    live_.clear();
    return forward;
  }
  const int64_t forward_ns = NowNs() - start;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (!prompt_piece[i]) continue;
    owner[i]->prompt_fed += segments[i].ids.size();
    owner[i]->result.prefill_ns += forward_ns;
  }
  // Requests whose next token was computed sample it, in admission order.
  for (size_t i = 0; i < segments.size(); ++i) {
    if (segments[i].logits != nullptr || segments[i].greedy != nullptr) SampleAndStream(*owner[i]);
  }
  const int64_t step_ns = NowNs() - start;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (prompt_piece[i]) continue;
    owner[i]->result.decode_ns += step_ns;
    owner[i]->result.decode_steps += 1;
  }
  for (auto& live : live_) {
    if (live->done) finished.push_back({live->ticket, std::move(live->result)});
  }
  std::erase_if(live_, [](const std::unique_ptr<Live>& live) { return live->done; });
  return finished;
}

}  // namespace attestd::model
