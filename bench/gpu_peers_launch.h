// The kernel launch behind bench/gpu_peers.h's f32 rate (gpu_peers.cu).
#pragma once

#include "kernels/cuda.h"

namespace attestd::bench::ATTESTD_GPU_NS {

inline constexpr int kMulAddThreads = 256;
inline constexpr int kMulAddChains = 8;  // independent chains per thread, so the pipes stay full

// `blocks` blocks of kMulAddThreads threads; out holds one float per thread.
cudaError_t LaunchMulAdd(int blocks, float* out, int iterations);

}  // namespace attestd::bench::ATTESTD_GPU_NS
