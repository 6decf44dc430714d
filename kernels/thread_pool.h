// A fixed set of worker threads that run ParallelFor over an index range.
//
// Kernels split OUTPUTS across threads, never the terms of one sum, so a
// result never depends on how many threads there are, nor on which thread
// ran which chunk (docs/determinism.md).
//
// Scheduling: a range is cut into a few contiguous chunks per thread, and
// every thread, the caller included, claims the next unclaimed chunk until
// none is left. The caller waits only for chunks that were claimed, never
// for a worker to show up: a worker that the OS has not scheduled yet (more
// runnable threads than cores, as under a parallel test run or a busy host)
// simply finds nothing left to claim. Between jobs a worker polls for up to
// 200 us, yielding its core, before it sleeps: a decode step issues about
// thirty jobs a few microseconds apart.
//
// Thread safety: ParallelFor may be called from one thread at a time (the
// engine serialises requests); the pool itself is not re-entrant. The
// destructor joins every worker.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace attestd::kernels {

class ThreadPool {
 public:
  // threads >= 1: the calling thread counts as one, so threads - 1 workers start.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return threads_; }

  // Calls fn(begin, end) on disjoint contiguous chunks covering [0, n), each
  // at least `min_chunk` long (except when n is smaller), possibly several
  // per thread, and returns when all have finished.
  void ParallelFor(int64_t n, int64_t min_chunk, const std::function<void(int64_t, int64_t)>& fn);

  // How many chunks ParallelFor cuts [0, n) into (exposed for tests).
  int ChunkCount(int64_t n, int64_t min_chunk) const;

 private:
  using Fn = std::function<void(int64_t, int64_t)>;

  void WorkerLoop();
  // Claims and runs chunks of the job that `claim` (a value of claim_ read
  // with acquire) belongs to, until that job has none left.
  void RunChunks(uint64_t claim);

  int threads_;
  std::vector<std::thread> workers_;

  // The current job. claim_ holds job number (32 bits) | chunk count (16) |
  // next unclaimed chunk (16); a chunk is claimed by a compare-exchange that
  // keeps the job number, so a late worker holding an old job number can
  // never claim from a newer job. fn and n are written before claim_ is
  // published and are atomics because a late worker may read them while the
  // next job writes them; its claim then fails and it discards what it read.
  std::atomic<const Fn*> job_fn_{nullptr};
  std::atomic<int64_t> job_n_{0};
  std::atomic<uint64_t> claim_{0};
  std::atomic<int64_t> chunks_done_{0};
  uint32_t job_number_ = 0;  // caller thread only

  // Sleeping: workers wait on work_cv_ for a new job number, the caller on
  // done_cv_ for chunks_done_. The counters let the other side skip the
  // notify (and its mutex) when nobody sleeps.
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::atomic<int> sleeping_workers_{0};
  std::atomic<bool> caller_sleeping_{false};
  std::atomic<bool> stop_{false};
};

}  // namespace attestd::kernels
