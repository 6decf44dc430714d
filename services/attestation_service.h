// AttestationService: attested inference, independent of gRPC.
//
// Generate() validates a request, renders chat messages with the model
// family's chat format (docs/api.md), tokenises, waits for its turn at the
// model's FairQueue (which grants up to limits.max_batch turns at once), runs
// it in the model's continuous batch (services/batch_scheduler.h; each output
// is bit-identical to running it alone), streaming token chunks to the caller,
// then commits to the request and the response under a fresh salt, signs the
// EIP-712 statement with the attestor key and appends the 321-byte leaf to the
// ReceiptLog. A result is returned only after the append is durable; when the
// append fails the caller gets the error and no receipt. A request that is
// cancelled or runs past its deadline stops computing (it leaves the batch at
// the next decode step) and is never logged.
//
// Ownership: the service owns the models and the attestor key; it borrows the
// ReceiptLog and Metrics, which must outlive it.
// Thread safety: Generate, ListModels and FindModel may be called from any
// number of threads. SetLimits may be called concurrently with them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "attest/bytes.h"
#include "attest/commitment.h"
#include "attest/eip712.h"
#include "attest/receipt.h"
#include "attest/secp256k1_signer.h"
#include "base/status.h"
#include "model/engine.h"
#include "services/batch_scheduler.h"
#include "services/config.h"
#include "services/fair_queue.h"
#include "services/metrics.h"
#include "services/receipt_log.h"

namespace attestd::service {

// One model being served, with its identity computed at start.
struct ServedModel {
  std::string name;
  std::string dir;
  std::unique_ptr<model::Engine> engine;
  Digest32 model_digest;
  Digest32 engine_digest;
  std::unique_ptr<FairQueue> queue;
  // Made by AttestationService for `engine` (leave it empty); declared after
  // `engine` so it stops before the engine goes.
  std::unique_ptr<BatchScheduler> scheduler;
};

struct ChatTurn {
  std::string role;  // "system" | "user" | "assistant"
  std::string content;
};

struct InferenceRequest {
  std::string model;
  std::string prompt;             // exactly one of prompt / messages
  std::vector<ChatTurn> messages;
  float temperature = 0.0f;
  int32_t top_k = 0;
  float top_p = 0.0f;             // 0 = unset = 1.0
  uint64_t seed = 0;
  int64_t max_tokens = 0;
  std::vector<std::string> stop;
  std::string request_id;         // empty: the service makes one
  std::string client;             // Authenticator::ClientIdentity, for fairness
};

struct IssuedReceipt {
  SignedAttestation attestation;
  uint64_t leaf_index = 0;
  Address20 attestor;
  std::string log_origin;
};

struct InferenceResult {
  std::string request_id;
  std::string model;
  CommittedRequest committed_request;    // exactly what inputCommitment covers
  CommittedResponse committed_response;  // exactly what outputCommitment covers
  std::vector<int32_t> prompt_token_ids;
  std::vector<int32_t> token_ids;
  std::string text;
  std::string finish_reason;
  int64_t queue_ns = 0, prefill_ns = 0, decode_ns = 0, attest_ns = 0;
  Salt32 salt;
  // Absent only when attestation is disabled (bench_disable_attestation).
  std::optional<IssuedReceipt> receipt;
};

// Called with each new piece of text and the token that completed it.
// Returning false cancels the request.
using ChunkCallback = std::function<bool(std::string_view text, int32_t token_id)>;

struct CallContext {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::function<bool()> cancelled;  // may be empty
};

// The chat format for `family` (docs/api.md): Qwen2 uses ChatML
// ("<|im_start|>role\ncontent<|im_end|>\n" ..., then "<|im_start|>assistant\n"),
// Llama uses Llama-3 headers ("<|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|>" ...,
// after "<|begin_of_text|>", then the assistant header).
std::string RenderChat(model::ModelFamily family, const std::vector<ChatTurn>& messages);

// The requestId word: SHA-256 of the request id string.
Digest32 RequestIdDigest(std::string_view request_id);

// The receipt a client gets (with salt) or an auditor gets (without).
[[nodiscard]] Receipt MakeReceipt(const IssuedReceipt& issued, const std::string& model_name,
                                  const std::optional<Salt32>& salt);

class AttestationService {
 public:
  struct Options {
    Limits limits;
    // Bench only (bench/service_load): skip commitments, signing and the
    // ledger append, to measure their cost. Never set in the server.
    bool bench_disable_attestation = false;
  };

  // `log` and `metrics` are borrowed. Model names must be unique.
  AttestationService(Options options, std::vector<ServedModel> models, SecretKey32 attestor, ReceiptLog* log,
                     Metrics* metrics);
  AttestationService(const AttestationService&) = delete;
  AttestationService& operator=(const AttestationService&) = delete;

  // Errors: InvalidArgument (bad field, with its name and the allowed range;
  // invalid UTF-8), NotFound (unknown model), AlreadyExists (request id used),
  // ResourceExhausted (queue full), DeadlineExceeded, Cancelled, and the
  // ledger's error when the append fails.
  [[nodiscard]] absl::StatusOr<InferenceResult> Generate(const InferenceRequest& request,
                                                         const ChunkCallback& on_chunk, const CallContext& call);

  const std::vector<ServedModel>& models() const { return models_; }
  const ServedModel* FindModel(std::string_view name) const;
  Address20 attestor() const { return attestor_address_; }
  void SetLimits(const Limits& limits);
  Limits limits() const;

 private:
  // Holds a request id for one in-flight call, so two concurrent calls with
  // the same request_id cannot both reach the ledger; releases it when the
  // call ends, whichever way. Move-only; the service must outlive it.
  class RequestIdClaim {
   public:
    RequestIdClaim(RequestIdClaim&& other) noexcept;
    RequestIdClaim& operator=(RequestIdClaim&& other) noexcept;
    RequestIdClaim(const RequestIdClaim&) = delete;
    RequestIdClaim& operator=(const RequestIdClaim&) = delete;
    ~RequestIdClaim();

   private:
    friend class AttestationService;
    RequestIdClaim(AttestationService* owner, const Digest32& digest) : owner_(owner), digest_(digest) {}
    AttestationService* owner_;
    Digest32 digest_;
  };

  // Generate's steps (attestation_service.cc), in the order it runs them.
  [[nodiscard]] absl::Status Validate(const InferenceRequest& request, const Limits& limits) const;
  // Validate, then the model: NotFound when it is not served, InvalidArgument
  // for a top_k beyond its vocabulary.
  [[nodiscard]] absl::StatusOr<const ServedModel*> CheckRequest(const InferenceRequest& request,
                                                                const Limits& limits) const;
  // AlreadyExists when the id is in flight or already logged; Unavailable
  // when the ledger's index cannot say.
  [[nodiscard]] absl::StatusOr<RequestIdClaim> ClaimRequestId(const Digest32& request_id_digest,
                                                              const std::string& request_id);
  // Renders the chat, encodes it into result.prompt_token_ids and checks the
  // prompt against the limits and the context; returns the prompt text.
  [[nodiscard]] absl::StatusOr<std::string> Tokenize(const ServedModel& model, const InferenceRequest& request,
                                                     const Limits& limits, InferenceResult& result) const;
  static model::GenerationRequest EngineRequest(const InferenceRequest& request,
                                                const std::vector<int32_t>& prompt_token_ids);
  // Waits for a turn at the model's queue, runs the request in its batch
  // (streaming chunks) and fills the generated fields and timings of
  // `result`. Cancelled / DeadlineExceeded when the call stops it.
  [[nodiscard]] absl::Status RunInBatch(const ServedModel& model, const model::GenerationRequest& engine_request,
                                        const std::string& client, const ChunkCallback& on_chunk,
                                        const CallContext& call, InferenceResult& result);
  // Exactly what the commitments cover (docs/receipt-format.md).
  static void RecordCommittedText(const ServedModel& model, const std::string& prompt_text,
                                  const model::GenerationRequest& engine_request, InferenceResult& result);
  // Commits, signs the statement and appends the leaf; returns once durable.
  [[nodiscard]] absl::StatusOr<IssuedReceipt> AttestAndLog(const ServedModel& model, const InferenceResult& result,
                                                           const Digest32& request_id_digest);
  void ReleaseRequestId(const Digest32& request_id_digest);

  Options options_;
  mutable std::mutex limits_mu_;  // guards options_.limits
  std::mutex in_flight_mu_;
  std::set<Digest32> in_flight_request_ids_;  // guarded by in_flight_mu_
  std::vector<ServedModel> models_;
  SecretKey32 attestor_;
  Address20 attestor_address_;
  ReceiptLog* log_;
  Metrics* metrics_;
};

}  // namespace attestd::service
