#include "kernels/simt/grid_runner.h"

#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>

namespace attestd::simt {
namespace {

struct GridJob {
  const GridLaunch* launch = nullptr;
  uint64_t blocks = 0;
  std::atomic<uint64_t> next{0};
  std::mutex mu;
  std::condition_variable helpers_done;
  int helpers_outstanding = 0;  // guarded by mu
};

void RunBlocks(GridJob& job) {
  for (;;) {
    const uint64_t b = job.next.fetch_add(1, std::memory_order_relaxed);
    if (b >= job.blocks) return;
    RunBlock(*job.launch, b);
  }
}

// The helper threads and the queue of grids they serve. Never destroyed:
// helpers block on the queue until the process exits.
class WorkerPool {
 public:
  explicit WorkerPool(int helpers) : helpers_(helpers) {
    for (int i = 0; i < helpers; ++i) std::thread([this] { Serve(); }).detach();
  }

  int helpers() const { return helpers_; }

  // Offers `job` to `count` helpers; each runs blocks until none are left
  // and then reports to the job.
  void Offer(GridJob* job, int count) {
    {
      std::lock_guard lock(mu_);
      for (int i = 0; i < count; ++i) queue_.push_back(job);
    }
    if (count == 1) {
      work_.notify_one();
    } else {
      work_.notify_all();
    }
  }

 private:
  void Serve() {
    for (;;) {
      GridJob* job;
      {
        std::unique_lock lock(mu_);
        work_.wait(lock, [this] { return !queue_.empty(); });
        job = queue_.front();
        queue_.pop_front();
      }
      RunBlocks(*job);
      std::lock_guard lock(job->mu);
      if (--job->helpers_outstanding == 0) job->helpers_done.notify_one();
    }
  }

  const int helpers_;
  std::mutex mu_;
  std::condition_variable work_;
  std::deque<GridJob*> queue_;  // guarded by mu_
};

std::mutex g_pool_mu;
WorkerPool* g_pool = nullptr;  // guarded by g_pool_mu; leaked on purpose

void ResetPoolInForkedChild() {
  // The helpers were not forked; the old pool (and whatever it held) is
  // abandoned. g_pool_mu was locked by the prepare handler.
  g_pool = nullptr;
  g_pool_mu.unlock();
}

WorkerPool& Pool() {
  static const bool registered = [] {
    pthread_atfork([] { g_pool_mu.lock(); }, [] { g_pool_mu.unlock(); }, &ResetPoolInForkedChild);
    return true;
  }();
  (void)registered;
  std::lock_guard lock(g_pool_mu);
  if (g_pool == nullptr) g_pool = new WorkerPool(WorkerThreads() - 1);
  return *g_pool;
}

}  // namespace

int WorkerThreads() {
  static const int threads = [] {
    const unsigned hw = std::thread::hardware_concurrency();
#if defined(__SANITIZE_THREAD__)
    // Every host thread that runs blocks needs its own TSan fibers, which
    // cost milliseconds each to create; two threads already let blocks race.
    constexpr unsigned kDefault = 2;
#else
    constexpr unsigned kDefault = 4;
#endif
    int n = static_cast<int>(hw == 0 ? 1 : (hw < kDefault ? hw : kDefault));
    if (const char* env = std::getenv("ATTESTD_SIMT_THREADS"); env != nullptr && *env != '\0') {
      char* end = nullptr;
      const long v = std::strtol(env, &end, 10);
      if (*end == '\0' && v >= 1 && v <= 256) {
        n = static_cast<int>(v);
      } else {
        std::fprintf(stderr, "attestd SIMT: ignoring ATTESTD_SIMT_THREADS=%s (want 1..256)\n", env);
      }
    }
    return n;
  }();
  return threads;
}

void RunGrid(const GridLaunch& launch) {
  GridJob job;
  job.launch = &launch;
  job.blocks = uint64_t{launch.grid.x} * launch.grid.y * launch.grid.z;
  int helpers = 0;
  if (job.blocks > 1 && WorkerThreads() > 1) {
    WorkerPool& pool = Pool();
    helpers = pool.helpers();
    if (static_cast<uint64_t>(helpers) > job.blocks - 1) helpers = static_cast<int>(job.blocks - 1);
    job.helpers_outstanding = helpers;
    pool.Offer(&job, helpers);
  }
  RunBlocks(job);
  if (helpers > 0) {
    std::unique_lock lock(job.mu);
    job.helpers_done.wait(lock, [&] { return job.helpers_outstanding == 0; });
  }
}

}  // namespace attestd::simt
