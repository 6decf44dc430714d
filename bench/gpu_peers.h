// The GPU's own ceilings, measured in the same run as bench/engine_gpu so
// that the engine's figures read as ratios of what this card can do:
//   copy bandwidth  a device-to-device copy, counting bytes read plus bytes
//                   written, as bandwidth tests report it;
//   f32 rate        independent multiply-then-add chains (__fmul_rn then
//                   __fadd_rn, never fused), counting two flops per pair:
//                   the arithmetic the canonical kernels are allowed.
// Built for the GPU and for the SIMT emulator (bench smoke tests), like the
// kernels (cmake/AttestdGpu.cmake).
#pragma once

#include <cstddef>

#include "base/status.h"

namespace attestd::bench {

namespace cuda {
// GB/s (1e9 bytes) of a device-to-device copy of `bytes`, the median of
// `repeats` timed copies after one warm-up.
[[nodiscard]] absl::StatusOr<double> CopyBandwidth(size_t bytes, int repeats);
// GFLOP/s of unfused f32 multiply and add, median of `repeats` launches;
// `iterations` per chain (work scales with it).
[[nodiscard]] absl::StatusOr<double> F32MulAddRate(int iterations, int repeats);
}  // namespace cuda

namespace simt {
[[nodiscard]] absl::StatusOr<double> CopyBandwidth(size_t bytes, int repeats);
[[nodiscard]] absl::StatusOr<double> F32MulAddRate(int iterations, int repeats);
}  // namespace simt

}  // namespace attestd::bench
