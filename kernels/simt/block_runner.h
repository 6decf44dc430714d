// Runs one thread block of an emulated launch on the calling host thread:
// every CUDA thread of the block is a fiber, scheduled cooperatively, and
// __syncthreads and the warp collectives are implemented here (the rules
// are in kernels/simt/simt.h).
//
// Scheduling. Runnable fibers wait in a FIFO queue, in thread order at the
// start of a block. A fiber runs until it blocks at a barrier or collective,
// then switches straight to the next runnable fiber (one switch per blocked
// thread, no scheduler context in between). The fiber whose arrival
// completes a barrier or collective queues the others and carries on
// without a switch. When the queue is empty and threads are still live,
// none can ever run again: that is a deadlock, reported with every waiting
// thread's place, and the process aborts. When the last thread exits, the
// block is done and control returns to the host thread.
//
// Fibers are kept per host thread and reused by later blocks (a block of n
// threads uses fibers 0..n-1); their stacks are freed when the host thread
// exits.
//
// Thread safety: each host thread has its own runner; a runner is used only
// by its own thread. Not reentrant: a kernel cannot launch a kernel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "kernels/simt/simt.h"

namespace attestd::simt {

// One launch, as its blocks see it. Immutable while the grid runs.
struct GridLaunch {
  std::shared_ptr<const KernelBody> body;
  const char* kernel_name = "";  // the launch expression's kernel text
  dim3 grid;
  dim3 block;
  size_t dynamic_shared_bytes = 0;
};

// Runs block `linear_block` (x fastest, then y, then z) of `launch` on the
// calling host thread and returns when all its threads have exited. Every
// write of the block happens before the return. Aborts with a report on a
// kernel bug (see simt.h).
void RunBlock(const GridLaunch& launch, uint64_t linear_block);

}  // namespace attestd::simt
