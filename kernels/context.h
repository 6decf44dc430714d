// What every kernel call needs besides its operands: where to run and which
// instruction path to take. Both choices leave the result bits unchanged.
//
// Lifetime: the pool is borrowed and must outlive every kernel call using it.
#pragma once

#include "kernels/thread_pool.h"

namespace attestd::kernels {

struct KernelContext {
  ThreadPool* pool = nullptr;  // null = run on the calling thread
  bool vectorised = true;      // false forces the scalar reference path
  bool allow_avx512 = true;    // false takes the AVX2 matmul path on an AVX-512 CPU (tests, benchmarks)

  template <typename Fn>
  void ParallelFor(int64_t n, int64_t min_chunk, const Fn& fn) const {
    if (pool == nullptr) {
      fn(int64_t{0}, n);
      return;
    }
    pool->ParallelFor(n, min_chunk, fn);
  }
};

// True when this CPU runs the AVX2 kernels (checked once).
bool CpuHasAvx2();

}  // namespace attestd::kernels
