// Built without ThreadSanitizer instrumentation (kernels/simt/CMakeLists.txt):
// the code around a switch runs half in one fiber's TSan context and half in
// the other's, so it must record no memory accesses or function entries.
#include "kernels/simt/fiber.h"

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#if defined(ATTESTD_SIMT_ASAN)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(ATTESTD_SIMT_TSAN)
#include <sanitizer/tsan_interface.h>
#endif

namespace attestd::simt {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "attestd SIMT: %s: %s\n", what, std::strerror(errno));
  std::abort();
}

size_t PageBytes() {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return page;
}

}  // namespace

#if !defined(ATTESTD_SIMT_USE_UCONTEXT)
// attestd_simt_swap_context(void** save_sp, void* load_sp): pushes the
// System V callee-saved registers, stores the stack pointer, loads the other
// one and pops its registers; `ret` resumes the other context. A new fiber's
// stack is laid out (InitFiberContext) so that this `ret` lands on the
// trampoline with r12 = argument and r13 = entry.
extern "C" void attestd_simt_swap_context(void** save_sp, void* load_sp);
extern "C" void attestd_simt_fiber_trampoline();
asm(R"(
    .text
    .globl attestd_simt_swap_context
    .hidden attestd_simt_swap_context
    .type attestd_simt_swap_context, @function
    .p2align 4
attestd_simt_swap_context:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size attestd_simt_swap_context, .-attestd_simt_swap_context

    .globl attestd_simt_fiber_trampoline
    .hidden attestd_simt_fiber_trampoline
    .type attestd_simt_fiber_trampoline, @function
    .p2align 4
attestd_simt_fiber_trampoline:
    .cfi_startproc
    .cfi_undefined rip
    movq %r12, %rdi
    callq *%r13
    ud2
    .cfi_endproc
    .size attestd_simt_fiber_trampoline, .-attestd_simt_fiber_trampoline
)");
#endif

FiberStack::FiberStack(size_t usable_bytes) {
  const size_t page = PageBytes();
  usable_bytes_ = (usable_bytes + page - 1) / page * page;
  mapping_bytes_ = usable_bytes_ + page;
  mapping_ = mmap(nullptr, mapping_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK,
                  -1, 0);
  if (mapping_ == MAP_FAILED) Die("cannot map a fiber stack");
  if (mprotect(mapping_, page, PROT_NONE) != 0) Die("cannot protect a fiber stack's guard page");
  usable_ = static_cast<char*>(mapping_) + page;
}

FiberStack::~FiberStack() {
#if defined(ATTESTD_SIMT_ASAN)
  // A fiber abandoned while suspended leaves its frames' redzones poisoned;
  // whatever is mapped here next must not inherit them.
  __asan_unpoison_memory_region(usable_, usable_bytes_);
#endif
  munmap(mapping_, mapping_bytes_);
}

size_t FiberStackBytes() {
  static const size_t bytes = [] {
#if defined(ATTESTD_SIMT_ASAN) || defined(ATTESTD_SIMT_TSAN)
    size_t kib = 512;
#else
    size_t kib = 128;
#endif
    if (const char* env = std::getenv("ATTESTD_SIMT_STACK_KIB"); env != nullptr && *env != '\0') {
      char* end = nullptr;
      const unsigned long long v = std::strtoull(env, &end, 10);
      if (*end == '\0' && v >= 16 && v <= (1u << 20)) {
        kib = static_cast<size_t>(v);
      } else {
        std::fprintf(stderr, "attestd SIMT: ignoring ATTESTD_SIMT_STACK_KIB=%s (want 16..1048576)\n", env);
      }
    }
    return kib * 1024;
  }();
  return bytes;
}

void InitThreadContext(FiberContext* ctx) {
  pthread_attr_t attr;
  void* addr = nullptr;
  size_t size = 0;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    pthread_attr_getstack(&attr, &addr, &size);
    pthread_attr_destroy(&attr);
  }
  ctx->stack_bottom = addr;
  ctx->stack_size = size;
#if defined(ATTESTD_SIMT_TSAN)
  ctx->tsan_fiber = __tsan_get_current_fiber();
  ctx->owns_tsan_fiber = false;
#endif
}

#if defined(ATTESTD_SIMT_USE_UCONTEXT)
namespace {
void UcontextEntry(unsigned hi, unsigned lo, unsigned ehi, unsigned elo) {
  auto* arg = reinterpret_cast<void*>((static_cast<uintptr_t>(hi) << 32) | lo);
  auto entry = reinterpret_cast<FiberEntry>((static_cast<uintptr_t>(ehi) << 32) | elo);
  entry(arg);
  std::abort();
}
}  // namespace
#endif

void InitFiberContext(FiberContext* ctx, const FiberStack& stack, size_t skip_bytes, FiberEntry entry, void* arg) {
  skip_bytes &= ~size_t{15};
  ctx->stack_bottom = stack.bottom();
  ctx->stack_size = stack.size();
#if defined(ATTESTD_SIMT_USE_UCONTEXT)
  if (getcontext(&ctx->uc) != 0) Die("getcontext");
  ctx->uc.uc_stack.ss_sp = stack.bottom();
  ctx->uc.uc_stack.ss_size = stack.size() - skip_bytes;
  ctx->uc.uc_link = nullptr;
  const auto a = reinterpret_cast<uintptr_t>(arg);
  const auto e = reinterpret_cast<uintptr_t>(entry);
  makecontext(&ctx->uc, reinterpret_cast<void (*)()>(&UcontextEntry), 4, static_cast<unsigned>(a >> 32),
              static_cast<unsigned>(a), static_cast<unsigned>(e >> 32), static_cast<unsigned>(e));
#else
  // From the top: the trampoline as return address (so that after `ret`
  // the stack is 16-byte aligned for its call), then rbp, rbx, r12 (arg),
  // r13 (entry), r14, r15 in the order attestd_simt_swap_context pops them.
  auto* top = reinterpret_cast<void**>(static_cast<char*>(stack.bottom()) + stack.size() - skip_bytes);
  top[-1] = reinterpret_cast<void*>(&attestd_simt_fiber_trampoline);
  top[-2] = nullptr;                                 // rbp: ends frame-pointer walks
  top[-3] = nullptr;                                 // rbx
  top[-4] = arg;                                     // r12
  top[-5] = reinterpret_cast<void*>(entry);          // r13
  top[-6] = nullptr;                                 // r14
  top[-7] = nullptr;                                 // r15
  ctx->sp = &top[-7];
#endif
#if defined(ATTESTD_SIMT_TSAN)
  ctx->tsan_fiber = __tsan_create_fiber(0);
  ctx->owns_tsan_fiber = true;
#endif
}

void DestroyFiberContext(FiberContext* ctx) {
#if defined(ATTESTD_SIMT_TSAN)
  if (ctx->owns_tsan_fiber && ctx->tsan_fiber != nullptr) __tsan_destroy_fiber(ctx->tsan_fiber);
#endif
  ctx->tsan_fiber = nullptr;
  ctx->owns_tsan_fiber = false;
}

void SwitchContext(FiberContext* from, FiberContext* to, bool from_finished) {
#if defined(ATTESTD_SIMT_ASAN)
  void* fake_stack = nullptr;
  __sanitizer_start_switch_fiber(from_finished ? nullptr : &fake_stack, to->stack_bottom, to->stack_size);
#else
  (void)from_finished;
#endif
#if defined(ATTESTD_SIMT_TSAN)
  __tsan_switch_to_fiber(to->tsan_fiber, __tsan_switch_to_fiber_no_sync);
#endif
#if defined(ATTESTD_SIMT_USE_UCONTEXT)
  if (swapcontext(&from->uc, &to->uc) != 0) Die("swapcontext");
#else
  attestd_simt_swap_context(&from->sp, to->sp);
#endif
#if defined(ATTESTD_SIMT_ASAN)
  __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#endif
}

void OnFiberStart() {
#if defined(ATTESTD_SIMT_ASAN)
  __sanitizer_finish_switch_fiber(nullptr, nullptr, nullptr);
#endif
}

void NameFiber([[maybe_unused]] FiberContext* ctx, [[maybe_unused]] const char* name) {
#if defined(ATTESTD_SIMT_TSAN)
  if (ctx->tsan_fiber != nullptr) __tsan_set_fiber_name(ctx->tsan_fiber, name);
#endif
}

void TsanRelease([[maybe_unused]] void* addr) {
#if defined(ATTESTD_SIMT_TSAN)
  __tsan_release(addr);
#endif
}

void TsanAcquire([[maybe_unused]] void* addr) {
#if defined(ATTESTD_SIMT_TSAN)
  __tsan_acquire(addr);
#endif
}

}  // namespace attestd::simt
