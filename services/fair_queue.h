// FairQueue: admission control in front of one engine.
//
// A caller asks for a turn with Acquire(client, deadline, cancelled); at most
// `max_running` turns are held at once (the engine's batch: 1 = one request at
// a time), and a free turn goes to the waiters in round-robin order over
// clients, FIFO within a client, so a client with many queued requests cannot
// starve one with a single request. Bounds: at most `max_waiting` callers
// waiting in total (ResourceExhausted beyond it) and at most `max_per_client`
// calls of one client waiting or running.
//
// Thread safety: all methods may be called concurrently. A Turn releases the
// engine when destroyed; destroy it on any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "base/status.h"

namespace attestd::service {

class FairQueue {
 public:
  class Turn {
   public:
    Turn(Turn&& other) noexcept : queue_(other.queue_), client_(std::move(other.client_)) { other.queue_ = nullptr; }
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
    Turn& operator=(Turn&&) = delete;
    ~Turn();

   private:
    friend class FairQueue;
    Turn(FairQueue* queue, std::string client) : queue_(queue), client_(std::move(client)) {}
    FairQueue* queue_;
    std::string client_;
  };

  // All bounds >= 1.
  FairQueue(int64_t max_waiting, int64_t max_per_client, int64_t max_running = 1);
  FairQueue(const FairQueue&) = delete;
  FairQueue& operator=(const FairQueue&) = delete;

  // Blocks until it is `client`'s turn. Errors: ResourceExhausted when the
  // queue or the client's share is full (immediately, nothing waits);
  // DeadlineExceeded at `deadline`; Cancelled once `cancelled()` returns
  // true (polled every 20 ms). On error the caller holds no turn.
  [[nodiscard]] absl::StatusOr<Turn> Acquire(const std::string& client, std::chrono::steady_clock::time_point deadline,
                                             const std::function<bool()>& cancelled);

  // New bounds apply to later Acquire calls (config reload); a lower
  // max_running takes effect as running turns are released.
  void SetLimits(int64_t max_waiting, int64_t max_per_client, int64_t max_running);

  int64_t waiting() const;

 private:
  void Release(const std::string& client);
  // Picks the next waiter to run (round-robin over clients). Caller holds mu_.
  void GrantNextLocked();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  int64_t max_waiting_;
  int64_t max_per_client_;
  int64_t max_running_;
  int64_t running_ = 0;  // turns held
  int64_t waiting_ = 0;
  uint64_t next_ticket_ = 1;
  uint64_t granted_ticket_ = 0;  // the ticket allowed to take the engine
  std::map<std::string, std::deque<uint64_t>> waiters_;  // client -> tickets, FIFO
  std::map<std::string, int64_t> in_flight_;              // client -> waiting + running
  std::string last_client_;                               // round-robin cursor
};

}  // namespace attestd::service
