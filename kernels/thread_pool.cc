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
constexpr int64_t kMaxChunks = 0xffff;  // the claim word's 16-bit fields

// How long an idle thread polls before it sleeps on a condition variable.
constexpr auto kSpinFor = std::chrono::microseconds(200);

uint32_t JobOf(uint64_t claim) { return static_cast<uint32_t>(claim >> 32); }
int64_t ChunksOf(uint64_t claim) { return static_cast<int64_t>((claim >> 16) & 0xffff); }
int64_t NextOf(uint64_t claim) { return static_cast<int64_t>(claim & 0xffff); }

void ChunkBounds(int64_t n, int64_t chunks, int64_t index, int64_t* begin, int64_t* end) {
  const int64_t base = n / chunks;
  const int64_t extra = n % chunks;
  *begin = index * base + std::min(index, extra);
  *end = *begin + base + (index < extra ? 1 : 0);
}

void CpuRelax() {
#if defined(__x86_64__)
  _mm_pause();
#endif
}

// Polls `ready` until it is true or kSpinFor has passed; returns its last
// value. After a short busy poll it yields between polls, so that with more
// runnable threads than cores the poller hands its core to a thread that
// has work instead of burning it.
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
  stop_.store(true);
  { std::lock_guard<std::mutex> lock(mu_); }  // a worker between its check and its wait sees stop_ or the notify
  work_cv_.notify_all();
  for (auto& w : workers_) w.join();
}

int ThreadPool::ChunkCount(int64_t n, int64_t min_chunk) const {
  if (n <= 0) return 0;
  const int64_t by_size = std::max<int64_t>(1, n / std::max<int64_t>(1, min_chunk));
  return static_cast<int>(std::min({by_size, threads_ == 1 ? int64_t{1} : threads_ * kChunksPerThread, kMaxChunks}));
}

void ThreadPool::ParallelFor(int64_t n, int64_t min_chunk, const Fn& fn) {
  const int chunks = ChunkCount(n, min_chunk);
  if (chunks == 0) return;
  if (chunks == 1) {
    fn(0, n);
    return;
  }
  job_fn_.store(&fn, std::memory_order_relaxed);
  job_n_.store(n, std::memory_order_relaxed);
  chunks_done_.store(0, std::memory_order_relaxed);
  const uint64_t first_claim = uint64_t{++job_number_} << 32 | static_cast<uint64_t>(chunks) << 16;
  claim_.store(first_claim);  // seq_cst: ordered before the sleeping_workers_ load (see WorkerLoop)
  if (sleeping_workers_.load() > 0) {
    { std::lock_guard<std::mutex> lock(mu_); }
    work_cv_.notify_all();
  }

  RunChunks(first_claim);

  // Every chunk is claimed; wait for those other threads are still running.
  auto all_done = [&] { return chunks_done_.load() == chunks; };  // seq_cst: see RunChunks
  if (!SpinUntil(all_done)) {
    caller_sleeping_.store(true);  // seq_cst: see RunChunks
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, all_done);
    caller_sleeping_.store(false);
  }
}

void ThreadPool::RunChunks(uint64_t claim) {
  const uint32_t job = JobOf(claim);
  const Fn* fn = job_fn_.load(std::memory_order_relaxed);
  const int64_t n = job_n_.load(std::memory_order_relaxed);
  for (;;) {
    // A failed exchange reloads `claim`; a new job number there means this
    // job is over (its caller only moves on once every chunk is done).
    if (JobOf(claim) != job || NextOf(claim) >= ChunksOf(claim)) return;
    if (!claim_.compare_exchange_weak(claim, claim + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
      continue;
    }
    // The exchange succeeded while this job still had a chunk to claim, so
    // the job had not finished when fn and n were read above: they are its
    // own (the next job's are written only after every chunk is done).
    int64_t begin, end;
    ChunkBounds(n, ChunksOf(claim), NextOf(claim), &begin, &end);
    (*fn)(begin, end);
    chunks_done_.fetch_add(1);  // seq_cst: ordered before the caller_sleeping_ load
    if (caller_sleeping_.load()) {
      { std::lock_guard<std::mutex> lock(mu_); }
      done_cv_.notify_one();
    }
    ++claim;
  }
}

void ThreadPool::WorkerLoop() {
  uint32_t seen = 0;
  for (;;) {
    // seq_cst loads: ordered after the sleeping_workers_ increment below, as
    // the caller's claim_ store is before its sleeping_workers_ load, so a
    // new job is either seen here or notified.
    auto ready = [&] { return stop_.load() || JobOf(claim_.load()) != seen; };
    if (!SpinUntil(ready)) {
      std::unique_lock<std::mutex> lock(mu_);
      sleeping_workers_.fetch_add(1);  // seq_cst: ordered before the claim_ load in `ready`
      work_cv_.wait(lock, ready);
      sleeping_workers_.fetch_sub(1);
    }
    if (stop_.load()) return;
    const uint64_t claim = claim_.load(std::memory_order_acquire);
    seen = JobOf(claim);
    RunChunks(claim);
  }
}

}  // namespace attestd::kernels
