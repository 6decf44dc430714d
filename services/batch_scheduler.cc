#include "services/batch_scheduler.h"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/batch_runner.h"

namespace attestd::service {

// One request between Run and the scheduler thread.
struct BatchScheduler::Job {
  model::GenerationRequest request;
  bool stream = false;             // Run has an on_token to feed
  std::atomic<bool> cancel{false};  // set by Run; read by the runner after each token

  std::mutex mu;
  std::condition_variable changed;
  std::deque<std::pair<int32_t, std::string>> tokens;                // guarded by mu: not yet delivered
  std::optional<absl::StatusOr<model::GenerationResult>> result;  // guarded by mu: set once, at the end

  void Finish(absl::StatusOr<model::GenerationResult> r) {
    std::lock_guard<std::mutex> lock(mu);
    result = std::move(r);
    changed.notify_all();
  }
};

BatchScheduler::BatchScheduler(model::Engine* engine, Metrics* metrics)
    : engine_(engine), metrics_(metrics), thread_([this] { Loop(); }) {}

BatchScheduler::~BatchScheduler() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

absl::StatusOr<model::GenerationResult> BatchScheduler::Run(const model::GenerationRequest& request,
                                                            const model::TokenCallback& on_token,
                                                            const std::function<bool()>& stop) {
  auto job = std::make_shared<Job>();
  job->request = request;
  job->stream = static_cast<bool>(on_token);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return absl::UnavailableError("the model's scheduler is shutting down");
    inbox_.push_back(job);
  }
  wake_.notify_one();

  bool cancelled = false;
  auto cancel = [&] {
    cancelled = true;
    job->cancel.store(true);
  };
  for (;;) {
    std::deque<std::pair<int32_t, std::string>> tokens;
    bool finished = false;
    {
      std::unique_lock<std::mutex> lock(job->mu);
      job->changed.wait_for(lock, std::chrono::milliseconds(20),
                            [&] { return !job->tokens.empty() || job->result.has_value(); });
      tokens.swap(job->tokens);
      finished = job->result.has_value();
    }
    // Callbacks run without the job's lock, so the scheduler never waits on
    // a client.
    for (const auto& [token, delta] : tokens) {
      if (cancelled) break;
      if (!on_token(token, delta)) cancel();
    }
    if (finished) break;
    if (!cancelled && stop && stop()) cancel();
  }
  std::lock_guard<std::mutex> lock(job->mu);
  return std::move(*job->result);
}

void BatchScheduler::Loop() {
  std::unique_ptr<model::BatchRunner> runner = engine_->NewBatchRunner();
  std::map<model::BatchRunner::Ticket, std::shared_ptr<Job>> live;
  for (;;) {
    std::deque<std::shared_ptr<Job>> arrived;
    bool stopping = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !inbox_.empty() || !live.empty(); });
      if (stopping_ && inbox_.empty() && live.empty()) return;
      arrived.swap(inbox_);
      stopping = stopping_;
      if (stopping) {
        for (auto& [ticket, job] : live) job->cancel.store(true);
      }
    }
    for (auto& job : arrived) {
      if (stopping) {
        job->Finish(absl::UnavailableError("the model's scheduler is shutting down"));
        continue;
      }
      model::TokenCallback on_token;
      if (job->stream) {
        Job* j = job.get();  // `live` keeps the job alive while the runner holds this callback
        on_token = [j](int32_t token, std::string_view delta) {
          std::lock_guard<std::mutex> lock(j->mu);
          j->tokens.emplace_back(token, std::string(delta));
          j->changed.notify_all();
          return true;
        };
      }
      absl::StatusOr<model::BatchRunner::Ticket> ticket = runner->Admit(job->request, std::move(on_token), &job->cancel);
      if (!ticket.ok()) {
        job->Finish(ticket.status());
        continue;
      }
      live.emplace(*ticket, std::move(job));
    }
    if (live.empty()) continue;
    if (metrics_ != nullptr) metrics_->RecordBatchStep(static_cast<int64_t>(live.size()));
    runner->SetPrefillChunk(prefill_chunk_.load());
    absl::StatusOr<std::vector<model::BatchRunner::Finished>> finished = runner->Step();
    if (!finished.ok()) {
      for (auto& [ticket, job] : live) job->Finish(finished.status());
      live.clear();
      continue;
    }
    for (auto& f : *finished) {
      auto it = live.find(f.ticket);
      it->second->Finish(std::move(f.result));
      live.erase(it);
    }
  }
}

}  // namespace attestd::service
