#include "kernels/thread_pool.h"

#include <algorithm>
#include <chrono>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace attestd::kernels {
namespace {

// Chunks per thread: enough that an uneven split evens out, few enough that
// each chunk of a decode matmul is still a long sequential stream of weights.
constexpr int64_t kChunksPerThread = 4;

// How long an idle thread polls before it sleeps on a condition variable.
constexpr auto kSpinFor = std::chrono::microseconds(200);

void ChunkBounds(int64_t n, int chunks, int index, int64_t* begin, int64_t* end) {
  int64_t base = n / chunks;
  int64_t extra = n % chunks;
  *begin = index * base + std::min<int64_t>(index, extra);
  *end = *begin + base + (index < extra ? 1 : 0);
}

void CpuRelax() {
#if defined(__x86_64__)
  _mm_pause();
#endif
}

// Polls `ready` until it is true or kSpinFor has passed; returns its last
// value. After a short busy poll it yields between polls, so that with more
// runnable threads than cores the spinner hands its core to the thread that
// has the work instead of burning it.
template <typename Ready>
bool SpinUntil(const Ready& ready) {
  for (int i = 0; i < 256; ++i) {
    if (ready()) return true;
    CpuRelax();
  }
  const auto deadline = std::chrono::steady_clock::now() + kSpinFor;
  for (;;) {
    if (ready()) return true;
    std::this_thread::yield();
    if (std::chrono::steady_clock::now() >= deadline) return ready();
  }
}

}  // namespace

ThreadPool::ThreadPool(int threads) : threads_(std::max(1, threads)) {
  for (int i = 1; i < threads_; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_release);
  { std::lock_guard<std::mutex> lock(mu_); }  // a worker between its check and its wait sees stop_ or the notify
  work_cv_.notify_all();
  for (auto& w : workers_) w.join();
}

int ThreadPool::ChunkCount(int64_t n, int64_t min_chunk) const {
  if (n <= 0) return 0;
  const int64_t by_size = std::max<int64_t>(1, n / std::max<int64_t>(1, min_chunk));
  return static_cast<int>(std::min<int64_t>(by_size, threads_ == 1 ? 1 : threads_ * kChunksPerThread));
}

void ThreadPool::ParallelFor(int64_t n, int64_t min_chunk, const std::function<void(int64_t, int64_t)>& fn) {
  const int chunks = ChunkCount(n, min_chunk);
  if (chunks == 0) return;
  if (chunks == 1) {
    fn(0, n);
    return;
  }
  job_fn_ = &fn;
  job_n_ = n;
  job_chunks_ = chunks;
  next_chunk_.store(0, std::memory_order_relaxed);
  workers_done_.store(0, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);
  { std::lock_guard<std::mutex> lock(mu_); }  // see the destructor
  work_cv_.notify_all();

  RunChunks();

  // Every worker acknowledges every generation, so none can still be reading
  // this job when the next one overwrites it.
  const int workers = static_cast<int>(workers_.size());
  auto all_done = [&] { return workers_done_.load(std::memory_order_acquire) == workers; };
  if (!SpinUntil(all_done)) {
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, all_done);
  }
  job_fn_ = nullptr;
}

void ThreadPool::RunChunks() {
  for (;;) {
    const int chunk = next_chunk_.fetch_add(1, std::memory_order_relaxed);
    if (chunk >= job_chunks_) return;
    int64_t begin, end;
    ChunkBounds(job_n_, job_chunks_, chunk, &begin, &end);
    (*job_fn_)(begin, end);
  }
}

bool ThreadPool::WaitForJob(uint64_t seen) {
  auto ready = [&] {
    return stop_.load(std::memory_order_acquire) || generation_.load(std::memory_order_acquire) != seen;
  };
  if (!SpinUntil(ready)) {
    std::unique_lock<std::mutex> lock(mu_);
    work_cv_.wait(lock, ready);
  }
  return !stop_.load(std::memory_order_acquire);
}

void ThreadPool::WorkerLoop() {
  uint64_t seen = 0;
  while (WaitForJob(seen)) {
    seen = generation_.load(std::memory_order_acquire);
    RunChunks();
    workers_done_.fetch_add(1, std::memory_order_acq_rel);
    { std::lock_guard<std::mutex> lock(mu_); }  // see the destructor
    done_cv_.notify_one();
  }
}

}  // namespace attestd::kernels
