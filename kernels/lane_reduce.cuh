// The device side of kernels/lane_reduce.h: the lane order on one warp.
// Lane l of a warp is lane l of the sum: it adds its terms i = l, l + 32,
// l + 64, ... in increasing order into its own partial, then WarpLaneTree
// combines the 32 partials with the fixed tree, lane l adding lane l + s for
// s = 16, 8, 4, 2, 1 (__shfl_down_sync), exactly LaneTree's pairing. The
// result is in lane 0; the other lanes hold partial sums of no meaning.
//
// Every + and * is one correctly rounded f32 operation: the __f*_rn
// intrinsics are never contracted into an FMA, whatever the flags.
//
// All 32 lanes of the warp must call these together.
#pragma once

#include "kernels/cuda.h"

namespace attestd::kernels::ATTESTD_GPU_NS {

inline constexpr unsigned kFullWarp = 0xffffffffu;

__device__ __forceinline__ float WarpLaneTree(float partial) {
  for (int s = 16; s >= 1; s /= 2) partial = __fadd_rn(partial, __shfl_down_sync(kFullWarp, partial, s));
  return partial;
}

// One lane's term of a dot product: the product rounded, then added.
__device__ __forceinline__ float LaneAdd(float partial, float a, float b) { return __fadd_rn(partial, __fmul_rn(a, b)); }

// bf16 to f32 by the 16-bit shift (kernels/bf16.h), no sm_80 instruction.
__device__ __forceinline__ float WidenBf16(unsigned bits16) { return __uint_as_float(bits16 << 16); }

}  // namespace attestd::kernels::ATTESTD_GPU_NS
