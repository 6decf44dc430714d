// The pool that every kernel splits its outputs over: coverage of the index
// range, chunk sizes, and jobs issued back to back or after the workers slept.
#include "kernels/thread_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace attestd::kernels {
namespace {

TEST(ThreadPoolTest, ParallelForVisitsEveryIndexOnce) {
  for (int threads : {1, 2, 4}) {
    ThreadPool pool(threads);
    for (int64_t n : {0, 1, 3, 4, 5, 17, 1000}) {
      std::vector<int> hits(static_cast<size_t>(n));
      pool.ParallelFor(n, 1, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)] += 1;
      });
      for (int h : hits) EXPECT_EQ(h, 1) << threads << " threads, n " << n;
    }
  }
}

TEST(ThreadPoolTest, ChunksRespectMinChunkAndFourPerThread) {
  ThreadPool pool(2);
  for (int64_t n : {15, 16, 31, 32, 100, 1536, 8960, 151936}) {
    std::mutex mu;
    std::vector<std::pair<int64_t, int64_t>> chunks;
    pool.ParallelFor(n, 16, [&](int64_t b, int64_t e) {
      std::lock_guard<std::mutex> lock(mu);
      chunks.emplace_back(b, e);
    });
    std::sort(chunks.begin(), chunks.end());
    ASSERT_FALSE(chunks.empty());
    EXPECT_EQ(static_cast<int>(chunks.size()), pool.ChunkCount(n, 16)) << n;
    EXPECT_LE(chunks.size(), 8u) << n;
    EXPECT_EQ(chunks.front().first, 0) << n;
    EXPECT_EQ(chunks.back().second, n) << n;
    for (size_t i = 0; i < chunks.size(); ++i) {
      if (n >= 16) {
        EXPECT_GE(chunks[i].second - chunks[i].first, 16) << n;
      }
      if (i > 0) {
        EXPECT_EQ(chunks[i].first, chunks[i - 1].second) << n;
      }
    }
  }
  EXPECT_EQ(pool.ChunkCount(1536, 16), 8);  // a decode matmul gets four chunks per thread
  EXPECT_EQ(ThreadPool(1).ChunkCount(1536, 16), 1);
}

// Each job stamps its number into every output; a worker still running the
// previous job, or one that skipped a job, leaves a wrong stamp behind.
TEST(ThreadPoolTest, BackToBackJobsKeepTheirWorkApart) {
  ThreadPool pool(3);
  std::vector<int> stamp(4096, -1);
  for (int job = 0; job < 20000; ++job) {
    const auto n = static_cast<int64_t>(1 + (job * 37) % stamp.size());
    pool.ParallelFor(n, 1 + job % 7, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) stamp[static_cast<size_t>(i)] = job;
    });
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(stamp[static_cast<size_t>(i)], job) << "job " << job << ", index " << i;
    // Now and then let the workers give up spinning and sleep, so the next
    // job has to wake them.
    if (job % 2000 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace
}  // namespace attestd::kernels
