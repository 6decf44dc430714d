#include "services/fair_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace attestd::service {
namespace {

using Clock = std::chrono::steady_clock;
const auto kForever = Clock::time_point::max();

TEST(FairQueueTest, OneTurnAtATime) {
  FairQueue q(16, 16);
  std::atomic<int> running{0};
  std::atomic<int> max_running{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto turn = q.Acquire("c" + std::to_string(i % 3), kForever, {});
      ASSERT_TRUE(turn.ok());
      int now = ++running;
      int prev = max_running.load();
      while (now > prev && !max_running.compare_exchange_weak(prev, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      --running;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(max_running.load(), 1);
}

TEST(FairQueueTest, MoreThanMaxRunningTurnsAtOnceOrFewer) {
  FairQueue q(16, 16, 3);
  std::atomic<int> running{0};
  std::atomic<int> max_running{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 9; ++i) {
    threads.emplace_back([&, i] {
      auto turn = q.Acquire("c" + std::to_string(i % 4), kForever, {});
      ASSERT_TRUE(turn.ok());
      int now = ++running;
      int prev = max_running.load();
      while (now > prev && !max_running.compare_exchange_weak(prev, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      --running;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(max_running.load(), 3);
}

TEST(FairQueueTest, RaisingMaxRunningDoesNotGrantWaitersAtOnce) {
  FairQueue q(16, 16, 1);
  auto holder = q.Acquire("a", kForever, {});
  ASSERT_TRUE(holder.ok());
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    auto t = q.Acquire("b", Clock::now() + std::chrono::seconds(5), {});
    got = t.ok();
  });
  while (q.waiting() < 1) std::this_thread::yield();
  q.SetLimits(16, 16, 2);
  waiter.join();  // granted while `holder` still runs
  EXPECT_TRUE(got.load());
}

TEST(FairQueueTest, RoundRobinDoesNotStarveASingleRequestClient) {
  FairQueue q(64, 64);
  auto holder = q.Acquire("hog", kForever, {});
  ASSERT_TRUE(holder.ok());
  std::mutex mu;
  std::vector<std::string> order;
  std::vector<std::thread> threads;
  auto enqueue = [&](const std::string& client) {
    threads.emplace_back([&, client] {
      auto turn = q.Acquire(client, kForever, {});
      ASSERT_TRUE(turn.ok());
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(client);
    });
    // Let it reach the queue so arrival order is fixed.
    while (q.waiting() < static_cast<int64_t>(threads.size())) std::this_thread::yield();
  };
  for (int i = 0; i < 4; ++i) enqueue("hog");
  enqueue("mouse");
  { auto release = std::move(*holder); }
  for (auto& t : threads) t.join();
  ASSERT_EQ(order.size(), 5u);
  // The mouse arrived last but runs no later than second.
  auto pos = std::find(order.begin(), order.end(), "mouse") - order.begin();
  EXPECT_LE(pos, 1) << "mouse ran at position " << pos;
}

TEST(FairQueueTest, FullQueueIsResourceExhausted) {
  FairQueue q(1, 8);
  auto holder = q.Acquire("a", kForever, {});
  ASSERT_TRUE(holder.ok());
  std::thread waiter([&] { auto t = q.Acquire("b", Clock::now() + std::chrono::seconds(5), {}); });
  while (q.waiting() < 1) std::this_thread::yield();
  auto third = q.Acquire("c", kForever, {});
  EXPECT_EQ(third.status().code(), absl::StatusCode::kResourceExhausted);
  { auto release = std::move(*holder); }
  waiter.join();
}

TEST(FairQueueTest, PerClientLimitIsResourceExhausted) {
  FairQueue q(16, 1);
  auto holder = q.Acquire("a", kForever, {});
  ASSERT_TRUE(holder.ok());
  EXPECT_EQ(q.Acquire("a", kForever, {}).status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(FairQueueTest, DeadlineWhileQueuedIsDeadlineExceeded) {
  FairQueue q(16, 16);
  auto holder = q.Acquire("a", kForever, {});
  ASSERT_TRUE(holder.ok());
  auto late = q.Acquire("b", Clock::now() + std::chrono::milliseconds(30), {});
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(q.waiting(), 0);
}

TEST(FairQueueTest, CancelWhileQueuedIsCancelledAndFreesTheSlot) {
  FairQueue q(16, 1);
  auto holder = q.Acquire("a", kForever, {});
  ASSERT_TRUE(holder.ok());
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    cancel = true;
  });
  auto t = q.Acquire("b", kForever, [&] { return cancel.load(); });
  canceller.join();
  EXPECT_EQ(t.status().code(), absl::StatusCode::kCancelled);
  { auto release = std::move(*holder); }
  EXPECT_TRUE(q.Acquire("b", kForever, {}).ok()) << "the cancelled call must not keep its per-client slot";
}

}  // namespace
}  // namespace attestd::service
