// Sequencer leader-follower group commit: a leader's failed durable write is
// reported to every follower of its group and leaves the store as it was;
// concurrent callers share durable writes and get contiguous indices.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "ledger/log_store.h"
#include "ledger/sequencer.h"
#include "tests/testing/store_test_util.h"

namespace attestd::ledger {
namespace {

using testing::TempDir;
using testing::TestLeaf;

TEST(GroupCommitTest, FailedLeaderWriteFailsEveryFollowerWithTheSameErrorAndWritesNothing) {
  TempDir dir;
  auto store = LogStore::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status();
  LogStore* log = store->get();

  constexpr int kThreads = 8;
  const absl::Status injected = absl::DataLossError("injected: WAL fsync failed");
  std::atomic<int> write_calls{0};
  std::atomic<int> started{0};
  std::atomic<uint64_t> failed_group_leaves{0};
  // Write 1 (the warm-up append) and write 2 (the first threaded group,
  // which is its leader alone: a leader that finds no earlier group takes
  // the queue under the same lock it queued in) are real. Write 2 holds its
  // leader until every thread has queued, so write 3's group is the other
  // callers, and write 3 fails.
  auto sequencer = Sequencer::StartWithDurableWrite(
      log, nullptr, [&](rocksdb::WriteBatch& batch, const LogHead& new_head) -> absl::Status {
        int call = ++write_calls;
        if (call == 2) {
          while (started.load() < kThreads) std::this_thread::yield();
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        if (call >= 3) {
          failed_group_leaves = new_head.size - log->Size();
          return injected;
        }
        return log->CommitAndPublish(batch, new_head);
      });
  ASSERT_TRUE(sequencer.ok()) << sequencer.status();
  ASSERT_EQ(*(*sequencer)->Append(TestLeaf(1000)), 0u);

  std::vector<absl::Status> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ++started;
      results[static_cast<size_t>(t)] = (*sequencer)->Append(TestLeaf(static_cast<uint64_t>(t))).status();
    });
  }
  for (auto& th : threads) th.join();

  int ok = 0, failed = 0;
  for (const absl::Status& status : results) {
    if (status.ok()) {
      ++ok;
    } else {
      ++failed;
      EXPECT_EQ(status, injected) << "got " << status << ", want the leader's error " << injected;
    }
  }
  EXPECT_EQ(ok, 1) << "only write 2's leader should have succeeded";
  EXPECT_GE(failed_group_leaves.load(), 2u) << "the failed group should hold a leader and followers";
  EXPECT_EQ(static_cast<uint64_t>(failed), static_cast<uint64_t>(kThreads - ok));
  EXPECT_EQ(log->Size(), 2u) << "nothing of the failed group may be published";

  // The sequencer refuses later writes with the same error.
  EXPECT_EQ((*sequencer)->Append(TestLeaf(2000)).status(), injected);
  EXPECT_EQ(write_calls.load(), 3) << "a write after a failed sync must not reach the store";

  // Reopened, the store holds exactly the two durable leaves.
  sequencer->reset();
  store->reset();
  auto reopened = LogStore::Open(dir.path());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->Size(), 2u);
  auto first = (*reopened)->GetLeaf(0);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, TestLeaf(1000));
}

TEST(GroupCommitTest, ConcurrentCallersShareDurableWritesAndGetEveryIndexOnceInOrder) {
  TempDir dir;
  auto store = LogStore::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status();
  LogStore* log = store->get();
  std::atomic<int> write_calls{0};
  auto sequencer = Sequencer::StartWithDurableWrite(
      log, nullptr, [&](rocksdb::WriteBatch& batch, const LogHead& new_head) -> absl::Status {
        ++write_calls;
        return log->CommitAndPublish(batch, new_head);
      });
  ASSERT_TRUE(sequencer.ok()) << sequencer.status();

  constexpr int kThreads = 16;
  constexpr int kPerThread = 40;
  std::vector<std::vector<uint64_t>> indices(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto index = (*sequencer)->Append(TestLeaf(static_cast<uint64_t>(t * kPerThread + i)));
        ASSERT_TRUE(index.ok()) << index.status();
        // Returned only once durable, hence published.
        EXPECT_LT(*index, log->Size());
        indices[static_cast<size_t>(t)].push_back(*index);
      }
    });
  }
  for (auto& th : threads) th.join();

  std::vector<uint64_t> all;
  for (int t = 0; t < kThreads; ++t) {
    const auto& mine = indices[static_cast<size_t>(t)];
    EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end())) << "a caller's sequential appends must keep their order";
    for (int i = 0; i < kPerThread; ++i) {
      auto leaf = log->GetLeaf(mine[static_cast<size_t>(i)]);
      ASSERT_TRUE(leaf.ok()) << leaf.status();
      EXPECT_EQ(*leaf, TestLeaf(static_cast<uint64_t>(t * kPerThread + i)));
    }
    all.insert(all.end(), mine.begin(), mine.end());
  }
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], i) << "indices must be 0..n-1, each once";
  EXPECT_EQ(log->Size(), static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_LT(write_calls.load(), kThreads * kPerThread) << "concurrent appends should share synced writes";
}

}  // namespace
}  // namespace attestd::ledger
