// A fixed set of worker threads that run ParallelFor over an index range.
//
// Kernels split OUTPUTS across threads, never the terms of one sum, so a
// result never depends on how many threads there are (docs/determinism.md).
//
// Thread safety: ParallelFor may be called from one thread at a time (the
// engine serialises requests); the pool itself is not re-entrant. The
// destructor joins every worker.
#pragma once

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

  // Calls fn(begin, end) on disjoint contiguous chunks covering [0, n), at
  // most one chunk per thread, each at least `min_chunk` long (except when n
  // is smaller), and returns when all have finished.
  void ParallelFor(int64_t n, int64_t min_chunk, const std::function<void(int64_t, int64_t)>& fn);

 private:
  void WorkerLoop(int index);

  int threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;  // guarded by mu_
  int64_t job_n_ = 0;
  int job_chunks_ = 0;
  uint64_t generation_ = 0;
  int pending_ = 0;
  bool stop_ = false;
};

}  // namespace attestd::kernels
