// Fibers for the SIMT emulator: an mmap'd stack with a guard page, a saved
// execution context, and the sanitizers' view of both.
//
// A switch saves the callee-saved registers on the running stack and loads
// the target's stack pointer (x86-64: a dozen instructions, see fiber.cc;
// elsewhere ucontext, whose swapcontext costs a signal-mask system call per
// switch). The floating-point control state (MXCSR, x87 control word) is not
// switched: every fiber of a host thread shares it.
//
// Sanitizers. Under AddressSanitizer each switch is announced with
// __sanitizer_start_switch_fiber / __sanitizer_finish_switch_fiber, so stack
// reports and fake stacks follow the fiber. Under ThreadSanitizer each
// context owns a TSan fiber and a switch calls __tsan_switch_to_fiber with
// __tsan_switch_to_fiber_no_sync: a switch itself never orders memory
// between fibers; only explicit TsanRelease/TsanAcquire pairs do.
//
// Thread safety: a context is used by one host thread only; switching into a
// context that belongs to another host thread is undefined.
#pragma once

#include <cstddef>
#include <memory>

#if !defined(__x86_64__) || defined(ATTESTD_SIMT_UCONTEXT)
#define ATTESTD_SIMT_USE_UCONTEXT 1
#include <ucontext.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define ATTESTD_SIMT_ASAN 1
#endif
// The scheduler's own files are compiled without TSan instrumentation, where
// __SANITIZE_THREAD__ is not defined; the build defines ATTESTD_SIMT_TSAN
// for them (kernels/simt/CMakeLists.txt).
#if defined(__SANITIZE_THREAD__) && !defined(ATTESTD_SIMT_TSAN)
#define ATTESTD_SIMT_TSAN 1
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ATTESTD_SIMT_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define ATTESTD_SIMT_TSAN 1
#endif
#endif

namespace attestd::simt {

// A stack for one fiber: `usable_bytes` rounded up to whole pages, above one
// PROT_NONE page that turns an overflow into SIGSEGV. Aborts with a message
// when the mapping fails.
class FiberStack {
 public:
  explicit FiberStack(size_t usable_bytes);
  FiberStack(const FiberStack&) = delete;
  FiberStack& operator=(const FiberStack&) = delete;
  ~FiberStack();

  void* bottom() const { return usable_; }  // lowest usable address
  size_t size() const { return usable_bytes_; }

 private:
  void* mapping_;
  size_t mapping_bytes_;
  void* usable_;
  size_t usable_bytes_;
};

// A place execution can be switched out of and back into: a fiber, or the
// host thread's own stack.
struct FiberContext {
#if defined(ATTESTD_SIMT_USE_UCONTEXT)
  ucontext_t uc;
#else
  void* sp = nullptr;  // saved stack pointer while switched out
#endif
  const void* stack_bottom = nullptr;  // for AddressSanitizer
  size_t stack_size = 0;
  void* tsan_fiber = nullptr;  // owned unless this is a host thread's context
  bool owns_tsan_fiber = false;
};

using FiberEntry = void (*)(void* arg);

// Makes `ctx` the calling host thread's own stack, to switch back to.
void InitThreadContext(FiberContext* ctx);
// Makes `ctx` start entry(arg) on `stack` at its first SwitchContext, with
// the top `skip_bytes` of the stack (a multiple of 16) left unused. The
// entry calls OnFiberStart() first and never returns: it runs until the
// process or its thread ends, or switches away for good (SwitchContext with
// from_finished).
void InitFiberContext(FiberContext* ctx, const FiberStack& stack, size_t skip_bytes, FiberEntry entry, void* arg);
// Releases what InitFiberContext acquired (the TSan fiber). The fiber must
// not be running; it may be suspended, and is then abandoned.
void DestroyFiberContext(FiberContext* ctx);

// Saves the running context into `from` and resumes `to`. Returns when
// something switches back to `from`. `from_finished` says `from` will never
// be resumed (AddressSanitizer then drops its fake stack).
void SwitchContext(FiberContext* from, FiberContext* to, bool from_finished = false);
// Completes the switch into a fiber that starts for the first time.
void OnFiberStart();

// Names the fiber in ThreadSanitizer reports (copied); no-op elsewhere.
void NameFiber(FiberContext* ctx, const char* name);

// ThreadSanitizer happens-before edges on a synchronisation address; no-ops
// in other builds.
void TsanRelease(void* addr);
void TsanAcquire(void* addr);

// Bytes of stack each fiber gets: 128 KiB, 512 KiB under a sanitizer;
// ATTESTD_SIMT_STACK_KIB overrides.
size_t FiberStackBytes();

}  // namespace attestd::simt
