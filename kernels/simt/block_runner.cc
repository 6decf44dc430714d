// Built without ThreadSanitizer instrumentation (kernels/simt/CMakeLists.txt):
// the scheduler's bookkeeping is touched by every fiber of a block with no
// synchronisation TSan could see (fibers of one host thread never run at
// the same time), and it must not order the fibers' memory either. The only
// happens-before edges between emulated threads are the explicit
// TsanRelease/TsanAcquire pairs below.
#include "kernels/simt/block_runner.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/simt/fiber.h"

namespace attestd::simt {
namespace detail {
constinit thread_local const BlockBuiltins* t_block = nullptr;
constinit thread_local const uint3* t_thread_idx = nullptr;
}  // namespace detail

namespace {

using detail::WarpOp;

constexpr int kMaxThreadsPerBlock = 1024;
constexpr int kMaxWarps = kMaxThreadsPerBlock / 32;

enum class State : uint8_t { kReady, kAtBarrier, kAtWarp, kExited };

class Runner;

// One CUDA thread of the current block: its fiber and what it is waiting
// at. Owned by its Runner, reused by the next block.
struct Thread {
  FiberContext context;
  std::unique_ptr<FiberStack> stack;
  Runner* runner = nullptr;
  uint3 thread_idx{};
  int linear = 0;
  State state = State::kReady;

  // The collective this lane waits at (valid in State::kAtWarp).
  WarpOp op = WarpOp::kSyncWarp;
  int bytes = 4;
  int width = 32;
  unsigned mask = 0;
  int param = 0;
  uint64_t value = 0;
  uint64_t result = 0;
  std::source_location where;

  // ThreadSanitizer synchronisation addresses (their contents are unused).
  char exit_token = 0;     // released when the kernel returns
  char arrive_token = 0;   // released on arrival at __syncwarp
  char group_token[2]{};   // released by this lane when it completes a __syncwarp
  int group_parity = 0;
  void* warp_acquire = nullptr;  // the group token to acquire after __syncwarp
};

struct Warp {
  unsigned exists = 0;   // lanes the block has
  unsigned arrived = 0;  // lanes waiting at a collective
  unsigned exited = 0;
};

bool SameSite(const std::source_location& a, const std::source_location& b) {
  return a.line() == b.line() && a.column() == b.column() &&
         (a.file_name() == b.file_name() || std::strcmp(a.file_name(), b.file_name()) == 0);
}

const char* OpName(WarpOp op) {
  switch (op) {
    case WarpOp::kSyncWarp: return "__syncwarp";
    case WarpOp::kShflIdx: return "__shfl_sync";
    case WarpOp::kShflUp: return "__shfl_up_sync";
    case WarpOp::kShflDown: return "__shfl_down_sync";
    case WarpOp::kShflXor: return "__shfl_xor_sync";
    case WarpOp::kBallot: return "__ballot_sync";
    case WarpOp::kAll: return "__all_sync";
    case WarpOp::kAny: return "__any_sync";
    case WarpOp::kReduceAddU: return "__reduce_add_sync";
    case WarpOp::kReduceMinU:
    case WarpOp::kReduceMinI: return "__reduce_min_sync";
    case WarpOp::kReduceMaxU:
    case WarpOp::kReduceMaxI: return "__reduce_max_sync";
    case WarpOp::kReduceAnd: return "__reduce_and_sync";
    case WarpOp::kReduceOr: return "__reduce_or_sync";
    case WarpOp::kReduceXor: return "__reduce_xor_sync";
  }
  return "warp collective";
}

bool IsShuffle(WarpOp op) {
  return op == WarpOp::kShflIdx || op == WarpOp::kShflUp || op == WarpOp::kShflDown || op == WarpOp::kShflXor;
}

std::string Site(const std::source_location& w) {
  return std::string(w.file_name()) + ":" + std::to_string(w.line());
}

std::string Tid(const uint3& t) {
  return "(" + std::to_string(t.x) + "," + std::to_string(t.y) + "," + std::to_string(t.z) + ")";
}

std::string Hex(unsigned v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// The value lane `lane` receives from a completed shuffle (PTX shfl.sync):
// shfl.sync with c = ((32 - width) << 8) | clamp, clamp 0 for .up and 31 for
// the others, so the lane reads within its segment of `width` lanes, and
// reading past the segment returns its own value. A source lane outside
// the mask gives all one bits.
uint64_t ShuffleResult(const Thread& t, int lane, unsigned mask, const uint64_t* values) {
  const int segmask = (32 - t.width) & 31;
  const int clamp = t.op == WarpOp::kShflUp ? 0 : 31;
  const int max_lane = (lane & segmask) | (clamp & ~segmask);
  const int min_lane = lane & segmask;
  const int b = t.param & 31;
  int j = lane;
  bool in_range = true;
  switch (t.op) {
    case WarpOp::kShflIdx: j = min_lane | (b & ~segmask); in_range = j <= max_lane; break;
    case WarpOp::kShflUp: j = lane - b; in_range = j >= max_lane; break;
    case WarpOp::kShflDown: j = lane + b; in_range = j <= max_lane; break;
    case WarpOp::kShflXor: j = lane ^ b; in_range = j <= max_lane; break;
    default: break;
  }
  if (!in_range) j = lane;
  if ((mask >> j) & 1u) return values[j];
  return t.bytes == 8 ? ~uint64_t{0} : uint64_t{0xffffffffu};
}

// The result every lane of a completed vote or reduction receives
// (vote.sync, redux.sync); value(l) is lane l's 32-bit operand.
template <typename Value>
uint64_t VoteResult(WarpOp op, unsigned mask, const Value& value) {
  unsigned ballot = 0;
  uint32_t add = 0, and_all = ~0u, or_all = 0, xor_all = 0;
  uint32_t umin = ~0u, umax = 0;
  int32_t imin = INT32_MAX, imax = INT32_MIN;
  for (unsigned m = mask; m != 0; m &= m - 1) {
    const int l = __builtin_ctz(m);
    const auto v = static_cast<uint32_t>(value(l));
    if (v != 0) ballot |= 1u << l;
    add += v;
    and_all &= v;
    or_all |= v;
    xor_all ^= v;
    umin = v < umin ? v : umin;
    umax = v > umax ? v : umax;
    const auto s = static_cast<int32_t>(v);
    imin = s < imin ? s : imin;
    imax = s > imax ? s : imax;
  }
  switch (op) {
    case WarpOp::kBallot: return ballot;
    case WarpOp::kAll: return ballot == mask ? 1 : 0;
    case WarpOp::kAny: return ballot != 0 ? 1 : 0;
    case WarpOp::kReduceAddU: return add;
    case WarpOp::kReduceMinU: return umin;
    case WarpOp::kReduceMaxU: return umax;
    case WarpOp::kReduceMinI: return static_cast<uint32_t>(imin);
    case WarpOp::kReduceMaxI: return static_cast<uint32_t>(imax);
    case WarpOp::kReduceAnd: return and_all;
    case WarpOp::kReduceOr: return or_all;
    case WarpOp::kReduceXor: return xor_all;
    default: return 0;
  }
}

class Runner {
 public:
  Runner() {
    InitThreadContext(&main_);
    ready_.resize(kMaxThreadsPerBlock);
  }
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;
  ~Runner() {
    for (auto& t : threads_) DestroyFiberContext(&t->context);
  }

  void Run(const GridLaunch& launch, uint64_t linear_block);
  const char* KernelName() const { return launch_ != nullptr ? launch_->kernel_name : "?"; }
  void SyncThreads(const std::source_location& where);
  uint64_t WarpCollective(WarpOp op, unsigned mask, uint64_t value, int bytes, int param, int width,
                          const std::source_location& where);

 private:
  static void ThreadMain(void* arg) noexcept;

  void Grow(int count);
  void Push(Thread* t) {
    int tail = ready_head_ + ready_size_;
    if (tail >= count_) tail -= count_;
    ready_[static_cast<size_t>(tail)] = t;
    ++ready_size_;
  }
  Thread* Pop() {
    if (ready_size_ == 0) return nullptr;
    Thread* t = ready_[static_cast<size_t>(ready_head_)];
    if (++ready_head_ == count_) ready_head_ = 0;
    --ready_size_;
    return t;
  }
  void SwitchTo(FiberContext* from, Thread* to) {
    current_ = to;
    detail::t_thread_idx = &to->thread_idx;
    SwitchContext(from, &to->context);
  }
  // Blocks `self` (already marked waiting) and runs the next ready thread.
  void Suspend(Thread* self) {
    Thread* next = Pop();
    if (next == nullptr) ReportDeadlock();
    SwitchTo(&self->context, next);
  }
  void Exit(Thread* self);
  void ReleaseBarrier(Thread* self);
  [[gnu::noinline]] void CompleteCollective(Thread* self, unsigned mask);
  [[noreturn, gnu::noinline, gnu::cold]] void FailBadCollective(const Thread* self, const Warp& warp) const;
  [[noreturn, gnu::noinline, gnu::cold]] void FailMismatchedCollective(const Thread* self, const Thread* other) const;

  Thread* ThreadAt(int linear) const { return threads_[static_cast<size_t>(linear)].get(); }

  [[noreturn, gnu::cold]] void Fail(const std::string& message) const;
  [[noreturn, gnu::cold]] void FailAt(const Thread* t, const std::string& message) const;
  [[noreturn, gnu::noinline, gnu::cold]] void ReportDeadlock() const;
  std::string Describe(const Thread* t) const;

  FiberContext main_;
  std::vector<std::unique_ptr<Thread>> threads_;
  std::vector<Thread*> ready_;
  int ready_head_ = 0;
  int ready_size_ = 0;

  // The block being run.
  const GridLaunch* launch_ = nullptr;
  detail::BlockBuiltins builtins_{};
  int count_ = 0;
  int live_ = 0;
  Thread* current_ = nullptr;
  Warp warps_[kMaxWarps];

  int barrier_arrived_ = 0;
  uint32_t barrier_generation_ = 0;
  std::source_location barrier_where_;
  const Thread* barrier_first_ = nullptr;

  // ThreadSanitizer synchronisation addresses.
  char block_start_token_ = 0;
  char barrier_token_[2]{};
};

constinit thread_local Runner* t_running = nullptr;

Runner& ThisThreadRunner() {
  thread_local std::unique_ptr<Runner> runner;
  if (!runner) runner = std::make_unique<Runner>();
  return *runner;
}

void Runner::Grow(int count) {
  while (static_cast<int>(threads_.size()) < count) {
    auto t = std::make_unique<Thread>();
    t->runner = this;
    t->stack = std::make_unique<FiberStack>(FiberStackBytes());
    // Each fiber starts a little lower in its stack: the hot frames of
    // fibers that switch in turn then fall into different cache sets
    // instead of all aliasing at the same page offset.
    const size_t color = threads_.size() % 64 * 64;
    InitFiberContext(&t->context, *t->stack, color, &Runner::ThreadMain, t.get());
    // Fiber i always runs the thread of linear index i of its block.
    const std::string name = "SIMT thread, linear index " + std::to_string(threads_.size()) + " in its block";
    NameFiber(&t->context, name.c_str());
    threads_.push_back(std::move(t));
  }
}

void Runner::Run(const GridLaunch& launch, uint64_t linear_block) {
  const unsigned bx = launch.block.x, by = launch.block.y, bz = launch.block.z;
  count_ = static_cast<int>(bx * by * bz);
  Grow(count_);

  const uint64_t gx = launch.grid.x, gy = launch.grid.y;
  builtins_.block_idx = uint3{static_cast<unsigned>(linear_block % gx), static_cast<unsigned>(linear_block / gx % gy),
                              static_cast<unsigned>(linear_block / (gx * gy))};
  builtins_.block_dim = launch.block;
  builtins_.grid_dim = launch.grid;
  // Exactly the launch's bytes, so AddressSanitizer sees the first byte
  // past them; 0xFF so unwritten shared memory reads as NaN / -1.
  void* shared = nullptr;
  if (posix_memalign(&shared, 16, launch.dynamic_shared_bytes) != 0) {
    std::fprintf(stderr, "attestd SIMT: cannot allocate %zu bytes of dynamic shared memory\n",
                 launch.dynamic_shared_bytes);
    std::abort();
  }
  if (shared != nullptr) std::memset(shared, 0xFF, launch.dynamic_shared_bytes);
  builtins_.dynamic_shared = shared;

  launch_ = &launch;
  ready_head_ = 0;
  ready_size_ = 0;
  for (int i = 0; i < count_; ++i) {
    Thread* t = ThreadAt(i);
    const auto u = static_cast<unsigned>(i);
    t->thread_idx = uint3{u % bx, u / bx % by, u / (bx * by)};
    t->linear = i;
    t->state = State::kReady;
    Push(t);
  }
  const int warps = (count_ + 31) / 32;
  for (int w = 0; w < warps; ++w) {
    const int lanes = count_ - 32 * w < 32 ? count_ - 32 * w : 32;
    warps_[w].exists = lanes == 32 ? ~0u : (1u << lanes) - 1;
    warps_[w].arrived = 0;
    warps_[w].exited = 0;
  }
  live_ = count_;
  barrier_arrived_ = 0;

  const detail::BlockBuiltins* outer_block = detail::t_block;
  const uint3* outer_thread = detail::t_thread_idx;
  detail::t_block = &builtins_;
  t_running = this;

  // Launch edge: what this host thread saw before the block, every fiber
  // sees (ThreadMain acquires it).
  TsanRelease(&block_start_token_);
  SwitchTo(&main_, Pop());
  // Back here when the last thread has exited; collect every thread's writes.
  for (int i = 0; i < count_; ++i) TsanAcquire(&ThreadAt(i)->exit_token);

  t_running = nullptr;
  current_ = nullptr;
  detail::t_block = outer_block;
  detail::t_thread_idx = outer_thread;
  launch_ = nullptr;
  builtins_.dynamic_shared = nullptr;
  std::free(shared);
}

void Runner::ThreadMain(void* arg) noexcept {
  OnFiberStart();
  auto* self = static_cast<Thread*>(arg);
  Runner* runner = self->runner;
  // Each pass runs this thread of one block; Exit() returns when a later
  // block needs this fiber again.
  for (;;) {
    TsanAcquire(&runner->block_start_token_);
    runner->launch_->body->Run();
    TsanRelease(&self->exit_token);
    runner->Exit(self);
  }
}

void Runner::Exit(Thread* self) {
  self->state = State::kExited;
  --live_;
  Warp& warp = warps_[self->linear >> 5];
  const unsigned bit = 1u << (self->linear & 31);
  warp.exited |= bit;
  for (unsigned waiting = warp.arrived; waiting != 0; waiting &= waiting - 1) {
    const Thread* t = ThreadAt((self->linear & ~31) + __builtin_ctz(waiting));
    if ((t->mask & bit) != 0) {
      FailAt(t, "waits at " + std::string(OpName(t->op)) + " (mask " + Hex(t->mask) + ") at " + Site(t->where) +
                    " for lane " + std::to_string(self->linear & 31) + ", thread " + Tid(self->thread_idx) +
                    ", which has exited");
    }
  }
  if (barrier_arrived_ > 0 && barrier_arrived_ == live_) ReleaseBarrier(nullptr);
  Thread* next = Pop();
  if (next != nullptr) {
    SwitchTo(&self->context, next);
  } else if (live_ == 0) {
    current_ = nullptr;
    SwitchContext(&self->context, &main_);
  } else {
    ReportDeadlock();
  }
}

void Runner::SyncThreads(const std::source_location& where) {
  Thread* self = current_;
  if (barrier_arrived_ == 0) {
    barrier_where_ = where;
    barrier_first_ = self;
  } else if (!SameSite(where, barrier_where_)) {
    FailAt(self, "reaches __syncthreads at " + Site(where) + " while thread " + Tid(barrier_first_->thread_idx) +
                     " waits at __syncthreads at " + Site(barrier_where_) +
                     ": every thread of a block must reach the same __syncthreads");
  }
  ++barrier_arrived_;
  self->state = State::kAtBarrier;
  self->where = where;
  const uint32_t generation = barrier_generation_;
  // Two addresses, alternating by generation: a thread cannot reach the
  // barrier after next before every thread has acquired this one.
  TsanRelease(&barrier_token_[generation & 1]);
  if (barrier_arrived_ == live_) {
    ReleaseBarrier(self);
  } else {
    Suspend(self);
  }
  TsanAcquire(&barrier_token_[generation & 1]);
}

void Runner::ReleaseBarrier(Thread* self) {
  for (int i = 0; i < count_; ++i) {
    Thread* t = ThreadAt(i);
    if (t->state == State::kAtBarrier && t != self) {
      t->state = State::kReady;
      Push(t);
    }
  }
  if (self != nullptr) self->state = State::kReady;
  barrier_arrived_ = 0;
  ++barrier_generation_;
}

uint64_t Runner::WarpCollective(WarpOp op, unsigned mask, uint64_t value, int bytes, int param, int width,
                                const std::source_location& where) {
  Thread* self = current_;
  const int lane = self->linear & 31;
  Warp& warp = warps_[self->linear >> 5];
  const unsigned bit = 1u << lane;
  self->op = op;
  self->mask = mask;
  self->where = where;
  self->bytes = bytes;
  self->width = width;
  if ((mask & bit) == 0 || (mask & ~warp.exists) != 0 || (mask & warp.exited) != 0 ||
      (IsShuffle(op) && (width < 1 || width > 32 || (width & (width - 1)) != 0))) [[unlikely]] {
    FailBadCollective(self, warp);
  }
  self->param = param;
  self->value = value;
  self->state = State::kAtWarp;
  warp.arrived |= bit;
  if (op == WarpOp::kSyncWarp) TsanRelease(&self->arrive_token);

  // Complete when every lane of the mask waits with this same mask; lanes
  // waiting with another mask may still leave theirs and come here.
  bool complete = (warp.arrived & mask) == mask;
  const int base = self->linear & ~31;
  for (unsigned m = mask; complete && m != 0; m &= m - 1) complete = ThreadAt(base + __builtin_ctz(m))->mask == mask;
  if (complete) {
    for (unsigned m = mask; m != 0; m &= m - 1) {
      const Thread* t = ThreadAt(base + __builtin_ctz(m));
      if (t->op != op || t->bytes != bytes || t->width != width) [[unlikely]] FailMismatchedCollective(self, t);
    }
    CompleteCollective(self, mask);
  } else {
    Suspend(self);
  }
  if (op == WarpOp::kSyncWarp) TsanAcquire(self->warp_acquire);
  return self->result;
}

void Runner::CompleteCollective(Thread* self, unsigned mask) {
  const int base = self->linear & ~31;
  void* group = nullptr;
  if (self->op == WarpOp::kSyncWarp) {
    // The completing lane gathers every member's arrival, then publishes
    // the union on a token of its own that the members acquire on resuming.
    for (unsigned m = mask; m != 0; m &= m - 1) TsanAcquire(&ThreadAt(base + __builtin_ctz(m))->arrive_token);
    self->group_parity ^= 1;
    group = &self->group_token[self->group_parity];
    TsanRelease(group);
  }
  if (IsShuffle(self->op)) {
    uint64_t values[32];
    for (unsigned m = mask; m != 0; m &= m - 1) {
      const int l = __builtin_ctz(m);
      values[l] = ThreadAt(base + l)->value;
    }
    for (unsigned m = mask; m != 0; m &= m - 1) {
      const int l = __builtin_ctz(m);
      Thread* t = ThreadAt(base + l);
      t->result = ShuffleResult(*t, l, mask, values);
    }
  } else {
    const uint64_t result = VoteResult(self->op, mask, [&](int l) { return ThreadAt(base + l)->value; });
    for (unsigned m = mask; m != 0; m &= m - 1) ThreadAt(base + __builtin_ctz(m))->result = result;
  }
  for (unsigned m = mask; m != 0; m &= m - 1) {
    Thread* t = ThreadAt(base + __builtin_ctz(m));
    t->warp_acquire = group;
    t->state = State::kReady;
    if (t != self) Push(t);
  }
  warps_[self->linear >> 5].arrived &= ~mask;
}

void Runner::FailBadCollective(const Thread* self, const Warp& warp) const {
  const unsigned mask = self->mask, bit = 1u << (self->linear & 31);
  const std::string call =
      "calls " + std::string(OpName(self->op)) + " (mask " + Hex(mask) + ") at " + Site(self->where);
  if ((mask & bit) == 0) FailAt(self, call + ", whose mask leaves out the calling lane");
  if ((mask & ~warp.exists) != 0) {
    FailAt(self, call + ", whose mask names lanes " + Hex(mask & ~warp.exists) +
                     " that this warp does not have (the block has " + std::to_string(count_) + " threads)");
  }
  if ((mask & warp.exited) != 0) {
    FailAt(self, call + ", whose mask names lanes " + Hex(mask & warp.exited) + " that have exited");
  }
  FailAt(self, call + " with width " + std::to_string(self->width) + ": it must be a power of two <= 32");
}

void Runner::FailMismatchedCollective(const Thread* self, const Thread* other) const {
  const auto shape = [](const Thread* t) {
    return " (" + std::to_string(t->bytes) + "-byte value, width " + std::to_string(t->width) + ")";
  };
  FailAt(self, "calls " + std::string(OpName(self->op)) + " (mask " + Hex(self->mask) + ") at " + Site(self->where) +
                   shape(self) + " while lane " + std::to_string(other->linear & 31) + " waits at " +
                   OpName(other->op) + " at " + Site(other->where) + shape(other) +
                   " with the same mask: lanes of one mask must meet at the same collective");
}

std::string Runner::Describe(const Thread* t) const {
  switch (t->state) {
    case State::kAtBarrier: return "__syncthreads at " + Site(t->where);
    case State::kAtWarp: return std::string(OpName(t->op)) + " (mask " + Hex(t->mask) + ") at " + Site(t->where);
    case State::kReady: return "runnable";
    case State::kExited: return "exited";
  }
  return "?";
}

void Runner::Fail(const std::string& message) const {
  const uint3 b = builtins_.block_idx;
  std::fprintf(stderr, "attestd SIMT: kernel %s, block (%u,%u,%u) of grid (%u,%u,%u), block size (%u,%u,%u): %s\n",
               launch_ != nullptr ? launch_->kernel_name : "?", b.x, b.y, b.z, builtins_.grid_dim.x,
               builtins_.grid_dim.y, builtins_.grid_dim.z, builtins_.block_dim.x, builtins_.block_dim.y,
               builtins_.block_dim.z, message.c_str());
  std::fflush(stderr);
  std::abort();
}

void Runner::FailAt(const Thread* t, const std::string& message) const {
  Fail("thread " + Tid(t->thread_idx) + " (warp " + std::to_string(t->linear >> 5) + ", lane " +
       std::to_string(t->linear & 31) + ") " + message);
}

void Runner::ReportDeadlock() const {
  // Runs of consecutive threads waiting at the same place, in thread order.
  std::string report = "deadlock: no thread can run, " + std::to_string(live_) + " still live:";
  int groups = 0;
  for (int i = 0; i < count_;) {
    const Thread* first = ThreadAt(i);
    if (first->state == State::kExited) {
      ++i;
      continue;
    }
    const std::string place = Describe(first);
    int j = i + 1;
    while (j < count_ && ThreadAt(j)->state == first->state && Describe(ThreadAt(j)) == place) ++j;
    if (++groups <= 16) {
      report += "\n  thread " + Tid(first->thread_idx);
      if (j - i > 1) report += ".." + Tid(ThreadAt(j - 1)->thread_idx) + " (" + std::to_string(j - i) + " threads)";
      report += " waits at " + place;
    }
    i = j;
  }
  if (groups > 16) report += "\n  ... " + std::to_string(groups - 16) + " more groups";
  report +=
      "\n  A __syncthreads must be reached by every live thread of the block; a warp collective by every lane of "
      "its mask, with the same mask.";
  Fail(report);
}

}  // namespace

void RunBlock(const GridLaunch& launch, uint64_t linear_block) {
  if (t_running != nullptr) {
    // A kernel calling a launcher: dynamic parallelism is not emulated, and
    // this host thread's fibers are all in use.
    std::fprintf(stderr, "attestd SIMT: kernel %s launched from inside kernel %s, which the emulator does not support\n",
                 launch.kernel_name, t_running->KernelName());
    std::abort();
  }
  ThisThreadRunner().Run(launch, linear_block);
}

namespace detail {

void SyncThreads(const std::source_location& where) {
  if (t_running == nullptr) {
    std::fprintf(stderr, "attestd SIMT: __syncthreads called outside a kernel\n");
    std::abort();
  }
  t_running->SyncThreads(where);
}

uint64_t WarpCollective(WarpOp op, unsigned mask, uint64_t value, int bytes, int param, int width,
                        const std::source_location& where) {
  if (t_running == nullptr) {
    std::fprintf(stderr, "attestd SIMT: %s called outside a kernel\n", OpName(op));
    std::abort();
  }
  return t_running->WarpCollective(op, mask, value, bytes, param, width, where);
}

}  // namespace detail
}  // namespace attestd::simt
