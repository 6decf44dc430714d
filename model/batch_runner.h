// BatchRunner: continuous batching, one step at a time.
//
// Requests join (Admit) and leave (finish) at step boundaries. Each Step runs
// ONE Transformer::Forward over every live request: the next piece of the
// prompt of each request still in prefill (the whole prompt, or at most
// SetPrefillChunk tokens of it) plus one token for each request already
// decoding. A request whose prompt is complete then samples its next token
// with its own (seed, step), streams it to its own TokenCallback, and
// finishes on EOS, a stop string, max_tokens or its own cancel flag. Because
// a token's bits depend only on its own sequence (model/transformer.h), every
// result and every streamed delta is bit-identical to Engine::Generate of that
// request alone, whenever it joined, whoever else was in the batch, and
// however its prompt was cut into pieces (a token's key, value and logits do
// not depend on which Forward call computed it).
//
// Engine::Generate and Engine::GenerateBatch are built on this class, so the
// sampling, stop-string and streaming rules are the ones written in
// model/engine.h (TokenCallback, GenerationResult).
//
// Ownership and lifetime: made by Engine::NewBatchRunner; borrows the engine's
// forward pass (CPU or GPU, model/forward_pass.h) and tokenizer, so it must
// not outlive the Engine. It
// owns each admitted request (a copy) with its callback and KV cache; the
// `cancel` flag passed to Admit is borrowed until that request finishes.
//
// Thread safety: not thread-safe. One thread drives a runner (Admit, Step,
// size); callbacks run on that thread inside Step. Several runners, and
// Engine::Generate calls, may share one Engine: each Step holds the engine's
// lock for its duration, so their steps interleave.
//
// Failure: Admit returns ResourceExhausted when the backend has no room for
// the request's cache (GPU memory), as well as the InvalidArgument cases.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "base/status.h"
#include "model/engine.h"

namespace attestd::model {

class ForwardPass;
class Tokenizer;

class BatchRunner {
 public:
  // Names one admitted request: 1 for the first Admit of a runner, then
  // counting up by one per successful Admit; never reused.
  using Ticket = uint64_t;

  struct Finished {
    Ticket ticket = 0;
    GenerationResult result;  // prefill_ns: its prefill step; decode_ns: the sum of its decode steps
  };

  // Borrows all arguments (they must outlive the runner). `step_mu`, when not
  // null, is held during each Step (the engine's lock on its forward pass).
  BatchRunner(ForwardPass& forward, const Tokenizer& tokenizer, const ModelInfo& info, std::mutex* step_mu);
  ~BatchRunner();
  BatchRunner(const BatchRunner&) = delete;
  BatchRunner& operator=(const BatchRunner&) = delete;

  // Validates `request` like Engine::Generate (InvalidArgument with the field,
  // got and want; nothing is admitted then) and queues it to join at the next
  // Step. `on_token` may be empty. `cancel`, when not null, is read after each
  // of the request's tokens is sampled (as in Engine::Generate) and must stay
  // valid until the request finishes.
  [[nodiscard]] absl::StatusOr<Ticket> Admit(GenerationRequest request, TokenCallback on_token,
                                             const std::atomic<bool>* cancel);

  // Runs one forward pass over all live requests and returns those that
  // finished in it, in admission order (empty when nothing is live). On error
  // (the forward pass refused its input, which validated requests never
  // cause) every admitted request is dropped, size() is 0, and the error
  // applies to all of them.
  [[nodiscard]] absl::StatusOr<std::vector<Finished>> Step();

  // Requests admitted and not yet finished (live or waiting to join).
  size_t size() const { return live_.size(); }

  // At most `tokens` prompt tokens per request per Step, so that a long
  // prompt joining the batch does not stall the others' next token for its
  // whole prefill; 0 (the default) feeds each prompt in one Step. A request
  // whose cancel flag is set while its prompt is still being fed leaves at
  // the next Step with finish_reason "cancelled" and no tokens. Applies from
  // the next Step on.
  void SetPrefillChunk(int64_t tokens) { prefill_chunk_ = tokens > 0 ? tokens : 0; }

 private:
  struct Live;  // batch_runner.cc

  // Samples from `live`'s logits, streams, and decides whether it finished.
  void SampleAndStream(Live& live) const;

  ForwardPass& forward_;
  const Tokenizer& tokenizer_;
  const ModelInfo& info_;
  std::mutex* step_mu_;
  Ticket next_ticket_ = 1;
  int64_t prefill_chunk_ = 0;
  std::vector<std::unique_ptr<Live>> live_;  // admission order
};

}  // namespace attestd::model
