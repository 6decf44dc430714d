// Runs a launch's grid: its blocks are spread over a few host threads, the
// launching thread being one of them, each running whole blocks
// (kernels/simt/block_runner.h) taken from a shared counter.
//
// The helper threads are started on first use and live until the process
// exits. In a child forked while they exist, the next launch starts new ones.
//
// Thread safety: RunGrid may be called from several host threads at once;
// their grids share the helpers.
#pragma once

#include "kernels/simt/block_runner.h"

namespace attestd::simt {

// Host threads a grid runs on, counting the launching thread:
// min(4, hardware threads) (min(2, ...) under ThreadSanitizer), or
// ATTESTD_SIMT_THREADS (1..256) when set.
int WorkerThreads();

// Runs every block of `launch` and returns when all have finished. Every
// write of the kernel happens before the return, and every write of the
// caller before the call happens before the kernel.
void RunGrid(const GridLaunch& launch);

}  // namespace attestd::simt
