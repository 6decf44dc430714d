#include "services/fair_queue.h"

namespace attestd::service {

FairQueue::Turn::~Turn() {
  if (queue_ != nullptr) queue_->Release(client_);
}

FairQueue::FairQueue(int64_t max_waiting, int64_t max_per_client, int64_t max_running)
    : max_waiting_(max_waiting), max_per_client_(max_per_client), max_running_(max_running) {}

void FairQueue::SetLimits(int64_t max_waiting, int64_t max_per_client, int64_t max_running) {
  std::lock_guard<std::mutex> lock(mu_);
  max_waiting_ = max_waiting;
  max_per_client_ = max_per_client;
  max_running_ = max_running;
  GrantNextLocked();  // a higher max_running frees turns now
}

int64_t FairQueue::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_;
}

void FairQueue::GrantNextLocked() {
  // One grant at a time: the granted waiter takes its turn, then grants the next.
  if (running_ >= max_running_ || granted_ticket_ != 0 || waiters_.empty()) return;
  // The first client after last_client_ in key order, wrapping around.
  auto it = waiters_.upper_bound(last_client_);
  if (it == waiters_.end()) it = waiters_.begin();
  granted_ticket_ = it->second.front();
  last_client_ = it->first;
  cv_.notify_all();
}

absl::StatusOr<FairQueue::Turn> FairQueue::Acquire(const std::string& client,
                                                   std::chrono::steady_clock::time_point deadline,
                                                   const std::function<bool()>& cancelled) {
  std::unique_lock<std::mutex> lock(mu_);
  if (waiting_ >= max_waiting_) {
    return absl::ResourceExhaustedError("request queue full: " + std::to_string(waiting_) + " waiting, limit " +
                                        std::to_string(max_waiting_));
  }
  int64_t& mine = in_flight_[client];
  if (mine >= max_per_client_) {
    return absl::ResourceExhaustedError("too many concurrent calls from this client: limit " +
                                        std::to_string(max_per_client_));
  }
  ++mine;
  ++waiting_;
  uint64_t ticket = next_ticket_++;
  waiters_[client].push_back(ticket);
  GrantNextLocked();

  absl::Status failure;
  while (granted_ticket_ != ticket) {
    if (cancelled && cancelled()) {
      failure = absl::CancelledError("cancelled by the client while queued");
      break;
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      failure = absl::DeadlineExceededError("deadline exceeded while queued for the engine");
      break;
    }
    cv_.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds(20)));
  }
  auto& queue = waiters_[client];
  for (auto it = queue.begin(); it != queue.end(); ++it) {
    if (*it == ticket) {
      queue.erase(it);
      break;
    }
  }
  if (queue.empty()) waiters_.erase(client);
  --waiting_;
  if (!failure.ok()) {
    if (--in_flight_[client] == 0) in_flight_.erase(client);
    return failure;
  }
  granted_ticket_ = 0;
  ++running_;
  GrantNextLocked();
  return Turn(this, client);
}

void FairQueue::Release(const std::string& client) {
  std::lock_guard<std::mutex> lock(mu_);
  --running_;
  if (--in_flight_[client] == 0) in_flight_.erase(client);
  GrantNextLocked();
}

}  // namespace attestd::service
