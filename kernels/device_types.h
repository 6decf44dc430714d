// The plain structs that the engine hands to the CUDA kernels (and that
// kernels/*.cu read from device memory). No absl or standard-library types,
// so nvcc compiles this header in device code; the layout is the same on
// both compilers (only fixed-width members, 8-byte aligned).
#pragma once

#include <cstdint>

#include "kernels/weight_type.h"

namespace attestd::kernels {

// A weight matrix on the device, lane-major (kernels/lane_major.h).
struct DeviceMatrix {
  WeightType type = WeightType::kF32;
  const void* data = nullptr;  // rows * stride elements of `type`
  int64_t rows = 0;            // out
  int64_t cols = 0;            // in
  int64_t stride = 0;          // LaneMajorStride(type, cols)
};

// Where one token of a forward pass belongs: its sequence's KV cache and its
// position. Kernels read these from device memory, so a captured decode
// graph stays valid while positions and sequences change between replays.
// The cache of a sequence is [layers][capacity][kv_heads * head_dim] f32.
struct TokenSlot {
  float* k_cache = nullptr;   // layer 0 keys; layer l starts l * layer_stride floats later
  float* v_cache = nullptr;   // layer 0 values, same layout
  int64_t layer_stride = 0;   // capacity * kv_heads * head_dim
  int32_t position = 0;       // this token's position; it attends to [0, position]
  int32_t reserved = 0;       // keeps the struct 8-byte aligned on both compilers
};

}  // namespace attestd::kernels
