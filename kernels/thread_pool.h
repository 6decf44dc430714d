// A fixed set of worker threads that run ParallelFor over an index range.
//
// Kernels split OUTPUTS across threads, never the terms of one sum, so a
// result never depends on how many threads there are, nor on which thread
// ran which chunk (docs/determinism.md).
//
// Scheduling: a range is cut into a few contiguous chunks per thread and
// every thread, the caller included, claims the next unclaimed chunk until
// none is left, so a thread that is descheduled or slower (a busy sibling
// core) does not hold the others back. Between jobs a worker spins briefly
// before it sleeps: a decode step issues about thirty jobs a few
// microseconds apart, and a futex wake per job would cost more than the gap.
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
  void WorkerLoop();
  void RunChunks();  // claims and runs chunks of the current job until none is left
  bool WaitForJob(uint64_t seen);  // false once the pool is stopping

  int threads_;
  std::vector<std::thread> workers_;

  // The current job: written by the caller before it bumps generation_
  // (release) and read by workers after they observe it (acquire).
  const std::function<void(int64_t, int64_t)>* job_fn_ = nullptr;
  int64_t job_n_ = 0;
  int job_chunks_ = 0;
  std::atomic<int> next_chunk_{0};
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> workers_done_{0};  // workers finished with the current generation
  std::atomic<bool> stop_{false};

  // Sleeping, after the spin: workers wait for a new generation, the caller
  // for workers_done_.
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
};

}  // namespace attestd::kernels
