// The peer for a memory-bound decode step: this machine's sustained read
// bandwidth, measured the way the engine reads weights (one sequential,
// vectorised pass; threads take disjoint contiguous slices).
//
// Thread safety: not reentrant (spawns `threads - 1` helper threads and
// joins them before returning). Allocates `buffer_bytes` for the call.
#pragma once

#include <cstddef>

namespace attestd::bench {

// Best (highest) bytes/s over `repetitions` timed passes that each read all
// of a `buffer_bytes` buffer with `threads` threads, after one untimed pass
// that faults the pages in. The buffer should be many times the last-level
// cache so that the pass measures DRAM, not cache. Returns 0 if the buffer
// cannot be allocated or an argument is < 1.
double MeasureReadBandwidth(size_t buffer_bytes, int threads, int repetitions);

}  // namespace attestd::bench
