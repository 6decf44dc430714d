// BatchScheduler: one thread per served model drives a model::BatchRunner.
//
// Callers (AttestationService::Generate, after taking a FairQueue turn) hand
// a request to Run, which blocks until it finishes. The scheduler thread
// admits new requests at the next step boundary, runs one forward pass per
// step over every live request (model/batch_runner.h), and passes each
// request's tokens back to the thread that called Run; that thread calls the
// request's TokenCallback, so a slow client stream never stalls the batch.
// Each result is bit-identical to Engine::Generate of that request alone.
//
// Bounds: the scheduler admits whatever Run is given; the caller bounds the
// batch (the model's FairQueue grants at most limits.max_batch turns).
//
// Ownership and lifetime: borrows the engine, which must outlive the
// scheduler. The destructor cancels live requests (they end at their next
// step with finish_reason "cancelled"), fails those not yet admitted with
// Unavailable, and joins the thread. Run calls already waiting when it runs
// return normally (after handing its request over, Run touches only that
// request's own shared state); no Run may start once destruction began.
//
// Metrics: with a Metrics (borrowed, must outlive the scheduler), each step
// is recorded with the number of live requests it ran.
//
// Thread safety: Run may be called from any number of threads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "base/status.h"
#include "model/engine.h"
#include "services/metrics.h"

namespace attestd::service {

class BatchScheduler {
 public:
  explicit BatchScheduler(model::Engine* engine, Metrics* metrics = nullptr);
  ~BatchScheduler();
  BatchScheduler(const BatchScheduler&) = delete;
  BatchScheduler& operator=(const BatchScheduler&) = delete;

  // Generates `request` in the shared batch and blocks until it ends.
  // `on_token` (may be empty) is called on this thread once per token, in
  // order, with the engine's text deltas (model/engine.h TokenCallback);
  // returning false cancels the request. `stop` (may be empty) is polled on
  // this thread at least every 20 ms and after each token; returning true
  // cancels it. A cancelled request leaves the batch at its next step; no
  // callback runs after the one that cancelled. Returns the engine's result
  // (finish_reason "cancelled" when it was cancelled before finishing) or its
  // error: InvalidArgument for a bad request, Unavailable once the scheduler
  // is shutting down.
  // Prompt tokens fed per request per step (model::BatchRunner::SetPrefillChunk;
  // 0 = whole prompts). Applies from the next step; callable from any thread.
  void SetPrefillChunk(int64_t tokens) { prefill_chunk_.store(tokens); }

  [[nodiscard]] absl::StatusOr<model::GenerationResult> Run(const model::GenerationRequest& request,
                                                            const model::TokenCallback& on_token,
                                                            const std::function<bool()>& stop);

 private:
  struct Job;  // batch_scheduler.cc

  void Loop();

  model::Engine* engine_;
  Metrics* metrics_;
  std::atomic<int64_t> prefill_chunk_{0};
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Job>> inbox_;  // guarded by mu_: waiting to be admitted
  bool stopping_ = false;                   // guarded by mu_
  std::thread thread_;                      // last: starts after the fields above exist
};

}  // namespace attestd::service
