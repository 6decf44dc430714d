#include "services/attestation_service.h"

#include <cmath>
#include <cstdio>
#include <utility>

#include "attest/sha256.h"
#include "model/utf8.h"

namespace attestd::service {
namespace {

using Clock = std::chrono::steady_clock;

int64_t NanosSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
}

absl::Status CheckUtf8(std::string_view field, std::string_view text) {
  absl::Status s = model::ValidateUtf8(text);
  if (!s.ok()) return absl::InvalidArgumentError(std::string(field) + ": " + std::string(s.message()));
  return absl::OkStatus();
}

std::string NewRequestId() {
  Salt32 r = NewSalt();
  return "req-" + HexEncode(ByteSpan(r.data(), 16));
}

uint64_t UnixMillis() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

}  // namespace

std::string RenderChat(model::ModelFamily family, const std::vector<ChatTurn>& messages) {
  std::string out;
  switch (family) {
    case model::ModelFamily::kQwen2:
      for (const auto& m : messages) out += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n";
      out += "<|im_start|>assistant\n";
      break;
    case model::ModelFamily::kLlama:
      out += "<|begin_of_text|>";
      for (const auto& m : messages) {
        out += "<|start_header_id|>" + m.role + "<|end_header_id|>\n\n" + m.content + "<|eot_id|>";
      }
      out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
      break;
  }
  return out;
}

Digest32 RequestIdDigest(std::string_view request_id) { return Sha256(request_id); }

Receipt MakeReceipt(const IssuedReceipt& issued, const std::string& model_name, const std::optional<Salt32>& salt) {
  Receipt r;
  r.statement = issued.attestation.statement;
  r.signature = issued.attestation.signature;
  r.attestor = issued.attestor;
  r.salt = salt;
  r.model_name = model_name;
  r.ledger = LedgerPosition{issued.leaf_index, std::nullopt};
  return r;
}

AttestationService::AttestationService(Options options, std::vector<ServedModel> models, SecretKey32 attestor,
                                       ReceiptLog* log, Metrics* metrics)
    : options_(std::move(options)),
      models_(std::move(models)),
      attestor_(std::move(attestor)),
      attestor_address_(AddressOf(attestor_)),
      log_(log),
      metrics_(metrics) {
  for (auto& m : models_) {
    m.scheduler = std::make_unique<BatchScheduler>(m.engine.get(), metrics_);
    m.scheduler->SetPrefillChunk(options_.limits.prefill_chunk);
  }
}

const ServedModel* AttestationService::FindModel(std::string_view name) const {
  for (const auto& m : models_) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

void AttestationService::SetLimits(const Limits& limits) {
  std::lock_guard<std::mutex> lock(limits_mu_);
  options_.limits = limits;
  for (auto& m : models_) {
    m.queue->SetLimits(limits.max_queue, limits.max_streams_per_client, limits.max_batch);
    m.scheduler->SetPrefillChunk(limits.prefill_chunk);
  }
}

Limits AttestationService::limits() const {
  std::lock_guard<std::mutex> lock(limits_mu_);
  return options_.limits;
}

absl::Status AttestationService::Validate(const InferenceRequest& r, const Limits& limits) const {
  if (r.model.empty()) return absl::InvalidArgumentError("model: required (see ListModels)");
  RETURN_IF_ERROR(CheckUtf8("model", r.model));
  if (r.prompt.empty() == r.messages.empty()) {
    return absl::InvalidArgumentError("prompt / messages: exactly one must be set");
  }
  RETURN_IF_ERROR(CheckUtf8("prompt", r.prompt));
  for (size_t i = 0; i < r.messages.size(); ++i) {
    const auto& m = r.messages[i];
    const std::string field = "messages[" + std::to_string(i) + "]";
    if (m.role != "system" && m.role != "user" && m.role != "assistant") {
      return absl::InvalidArgumentError(field + ".role: got \"" + m.role + "\", want system, user or assistant");
    }
    RETURN_IF_ERROR(CheckUtf8(field + ".content", m.content));
  }
  if (!(r.temperature >= 0.0f && r.temperature <= 10.0f)) {  // also rejects NaN
    return absl::InvalidArgumentError("sampling.temperature: got " + std::to_string(r.temperature) +
                                      ", want 0..10");
  }
  if (r.top_k < 0) return absl::InvalidArgumentError("sampling.top_k: got " + std::to_string(r.top_k) + ", want >= 0");
  if (!(r.top_p >= 0.0f && r.top_p <= 1.0f)) {
    return absl::InvalidArgumentError("sampling.top_p: got " + std::to_string(r.top_p) + ", want (0, 1] (0 = unset)");
  }
  if (r.max_tokens < 1 || r.max_tokens > limits.max_tokens) {
    return absl::InvalidArgumentError("max_tokens: got " + std::to_string(r.max_tokens) + ", want 1.." +
                                      std::to_string(limits.max_tokens));
  }
  if (r.stop.size() > 8) {
    return absl::InvalidArgumentError("stop: got " + std::to_string(r.stop.size()) + " strings, want at most 8");
  }
  for (size_t i = 0; i < r.stop.size(); ++i) {
    const std::string field = "stop[" + std::to_string(i) + "]";
    if (r.stop[i].empty() || r.stop[i].size() > 256) {
      return absl::InvalidArgumentError(field + ": got " + std::to_string(r.stop[i].size()) + " bytes, want 1..256");
    }
    RETURN_IF_ERROR(CheckUtf8(field, r.stop[i]));
  }
  if (r.request_id.size() > 64) {
    return absl::InvalidArgumentError("request_id: got " + std::to_string(r.request_id.size()) +
                                      " bytes, want at most 64");
  }
  for (char c : r.request_id) {
    if (c < 0x21 || c > 0x7e) return absl::InvalidArgumentError("request_id: want printable ASCII without spaces");
  }
  return absl::OkStatus();
}

// Generate's steps, in order. Each returns its error, and the error is the
// call's; a result is returned only after the receipt's leaf is durable.
absl::StatusOr<InferenceResult> AttestationService::Generate(const InferenceRequest& request,
                                                             const ChunkCallback& on_chunk, const CallContext& call) {
  const Limits limits = this->limits();
  ASSIGN_OR_RETURN(const ServedModel* model, CheckRequest(request, limits));
  InferenceResult result;
  result.model = model->name;
  result.request_id = request.request_id.empty() ? NewRequestId() : request.request_id;
  const Digest32 request_id_digest = RequestIdDigest(result.request_id);
  std::optional<RequestIdClaim> claim;
  if (!options_.bench_disable_attestation) {
    ASSIGN_OR_RETURN(claim, ClaimRequestId(request_id_digest, result.request_id));
  }
  ASSIGN_OR_RETURN(const std::string prompt_text, Tokenize(*model, request, limits, result));
  const model::GenerationRequest engine_request = EngineRequest(request, result.prompt_token_ids);
  RETURN_IF_ERROR(RunInBatch(*model, engine_request, request.client, on_chunk, call, result));
  RecordCommittedText(*model, prompt_text, engine_request, result);
  if (options_.bench_disable_attestation) return result;

  const auto attest_start = Clock::now();
  result.salt = NewSalt();
  ASSIGN_OR_RETURN(IssuedReceipt receipt, AttestAndLog(*model, result, request_id_digest));
  result.attest_ns = NanosSince(attest_start);
  if (metrics_ != nullptr) metrics_->RecordAppendLatency(result.attest_ns);
  result.receipt = std::move(receipt);
  return result;
}

absl::StatusOr<const ServedModel*> AttestationService::CheckRequest(const InferenceRequest& request,
                                                                    const Limits& limits) const {
  RETURN_IF_ERROR(Validate(request, limits));
  const ServedModel* model = FindModel(request.model);
  if (model == nullptr) return absl::NotFoundError("model: \"" + request.model + "\" is not served (see ListModels)");
  const model::ModelInfo& info = model->engine->info();
  if (request.top_k > info.vocab_size) {
    return absl::InvalidArgumentError("sampling.top_k: got " + std::to_string(request.top_k) + ", want 0.." +
                                      std::to_string(info.vocab_size));
  }
  return model;
}

absl::StatusOr<std::string> AttestationService::Tokenize(const ServedModel& model, const InferenceRequest& request,
                                                         const Limits& limits, InferenceResult& result) const {
  const model::ModelInfo& info = model.engine->info();
  std::string prompt_text = request.messages.empty() ? request.prompt : RenderChat(info.family, request.messages);
  ASSIGN_OR_RETURN(result.prompt_token_ids, model.engine->Encode(prompt_text));
  if (result.prompt_token_ids.empty()) return absl::InvalidArgumentError("prompt: encodes to no tokens");
  const int64_t prompt_tokens = static_cast<int64_t>(result.prompt_token_ids.size());
  if (prompt_tokens > limits.max_prompt_tokens) {
    return absl::InvalidArgumentError("prompt: got " + std::to_string(prompt_tokens) + " tokens, want at most " +
                                      std::to_string(limits.max_prompt_tokens));
  }
  if (prompt_tokens + request.max_tokens > info.context_length) {
    return absl::InvalidArgumentError("prompt + max_tokens: got " + std::to_string(prompt_tokens) + " + " +
                                      std::to_string(request.max_tokens) + " tokens, want at most the context length " +
                                      std::to_string(info.context_length));
  }
  return prompt_text;
}

model::GenerationRequest AttestationService::EngineRequest(const InferenceRequest& request,
                                                           const std::vector<int32_t>& prompt_token_ids) {
  model::GenerationRequest engine_request;
  engine_request.prompt_token_ids = prompt_token_ids;
  engine_request.max_tokens = request.max_tokens;
  engine_request.temperature = request.temperature;
  engine_request.top_k = request.top_k;
  engine_request.top_p = request.top_p == 0.0f ? 1.0f : request.top_p;
  engine_request.seed = request.seed;
  engine_request.stop_strings = request.stop;
  return engine_request;
}

absl::Status AttestationService::RunInBatch(const ServedModel& model, const model::GenerationRequest& engine_request,
                                            const std::string& client, const ChunkCallback& on_chunk,
                                            const CallContext& call, InferenceResult& result) {
  const auto queued_at = Clock::now();
  if (metrics_ != nullptr) metrics_->SetQueueDepth(model.queue->waiting() + 1);
  absl::StatusOr<FairQueue::Turn> turn = model.queue->Acquire(client, call.deadline, call.cancelled);
  if (metrics_ != nullptr) metrics_->SetQueueDepth(model.queue->waiting());
  if (!turn.ok()) return turn.status();
  result.queue_ns = NanosSince(queued_at);

  // Stop computing as soon as the client goes away or the deadline passes;
  // remember which so the error says why.
  absl::Status stop_reason;
  auto keep_going = [&]() {
    if (call.cancelled && call.cancelled()) {
      stop_reason = absl::CancelledError("cancelled by the client during generation");
      return false;
    }
    if (Clock::now() >= call.deadline) {
      stop_reason = absl::DeadlineExceededError("deadline exceeded during generation");
      return false;
    }
    return true;
  };
  model::TokenCallback on_token = [&](int32_t token_id, std::string_view text_delta) {
    if (!keep_going()) return false;
    if (on_chunk && !on_chunk(text_delta, token_id)) {
      stop_reason = absl::CancelledError("the client stream closed during generation");
      return false;
    }
    return true;
  };
  if (!keep_going()) return stop_reason;
  absl::StatusOr<model::GenerationResult> generated =
      model.scheduler->Run(engine_request, on_token, [&] { return !keep_going(); });
  // Give the batch slot to the next request now: signing and the durable
  // append run outside the turn, so concurrent requests share a group commit.
  { FairQueue::Turn release = std::move(*turn); }
  if (!generated.ok()) return generated.status();
  if (!stop_reason.ok()) return stop_reason;
  if (generated->finish_reason == "cancelled") return absl::CancelledError("generation cancelled");

  result.token_ids = generated->output_token_ids;
  result.text = generated->text;
  result.finish_reason = generated->finish_reason;
  result.prefill_ns = generated->prefill_ns;
  result.decode_ns = generated->decode_ns;
  if (metrics_ != nullptr) {
    metrics_->RecordTokens(static_cast<int64_t>(result.prompt_token_ids.size()),
                           static_cast<int64_t>(result.token_ids.size()), result.decode_ns);
  }
  return absl::OkStatus();
}

void AttestationService::RecordCommittedText(const ServedModel& model, const std::string& prompt_text,
                                             const model::GenerationRequest& engine_request, InferenceResult& result) {
  CommittedRequest& cr = result.committed_request;
  cr.model_name = model.name;
  cr.prompt_text = prompt_text;
  cr.prompt_token_ids.assign(result.prompt_token_ids.begin(), result.prompt_token_ids.end());
  cr.sampling.temperature = engine_request.temperature;
  cr.sampling.top_k = static_cast<uint32_t>(engine_request.top_k);
  cr.sampling.top_p = engine_request.top_p;
  cr.sampling.max_tokens = static_cast<uint64_t>(engine_request.max_tokens);
  cr.sampling.stop = engine_request.stop_strings;
  cr.seed = engine_request.seed;
  CommittedResponse& cresp = result.committed_response;
  cresp.output_token_ids.assign(result.token_ids.begin(), result.token_ids.end());
  cresp.text = result.text;
  cresp.finish_reason = result.finish_reason;
}

AttestationService::RequestIdClaim::RequestIdClaim(RequestIdClaim&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), digest_(other.digest_) {}

AttestationService::RequestIdClaim& AttestationService::RequestIdClaim::operator=(RequestIdClaim&& other) noexcept {
  if (this != &other) {
    if (owner_ != nullptr) owner_->ReleaseRequestId(digest_);
    owner_ = std::exchange(other.owner_, nullptr);
    digest_ = other.digest_;
  }
  return *this;
}

AttestationService::RequestIdClaim::~RequestIdClaim() {
  if (owner_ != nullptr) owner_->ReleaseRequestId(digest_);
}

absl::StatusOr<AttestationService::RequestIdClaim> AttestationService::ClaimRequestId(
    const Digest32& request_id_digest, const std::string& request_id) {
  std::lock_guard<std::mutex> lock(in_flight_mu_);
  if (in_flight_request_ids_.count(request_id_digest) > 0) {
    return absl::AlreadyExistsError("request_id: \"" + request_id + "\" is already being served");
  }
  absl::StatusOr<uint64_t> logged = log_->FindRequest(request_id_digest);
  if (logged.ok()) {
    return absl::AlreadyExistsError("request_id: \"" + request_id + "\" already has a receipt (leaf " +
                                    std::to_string(*logged) + ")");
  }
  // The lookup reads the ledger's index: if it cannot answer, a duplicate
  // cannot be ruled out, so the request is refused rather than logged twice.
  if (!absl::IsNotFound(logged.status())) {
    return absl::UnavailableError("request_id: the ledger's request index could not be read: " +
                                  std::string(logged.status().message()));
  }
  in_flight_request_ids_.insert(request_id_digest);
  return RequestIdClaim(this, request_id_digest);
}

void AttestationService::ReleaseRequestId(const Digest32& request_id_digest) {
  std::lock_guard<std::mutex> lock(in_flight_mu_);
  in_flight_request_ids_.erase(request_id_digest);
}

absl::StatusOr<IssuedReceipt> AttestationService::AttestAndLog(const ServedModel& model,
                                                               const InferenceResult& result,
                                                               const Digest32& request_id_digest) {
  IssuedReceipt receipt;
  AttestationStatement& stmt = receipt.attestation.statement;
  stmt.log_id = log_->log_id();
  stmt.model_digest = model.model_digest;
  stmt.engine_digest = model.engine_digest;
  stmt.input_commitment = InputCommitment(result.salt, result.committed_request);
  stmt.output_commitment = OutputCommitment(result.salt, result.committed_response);
  stmt.request_id = request_id_digest;
  stmt.issued_at_ms = UnixMillis();
  receipt.attestation.signature = SignAttestation(attestor_, stmt);
  ASSIGN_OR_RETURN(receipt.leaf_index, log_->Append(EncodeLedgerLeaf(stmt, receipt.attestation.signature)));
  receipt.attestor = attestor_address_;
  receipt.log_origin = log_->origin();
  return receipt;
}

}  // namespace attestd::service
