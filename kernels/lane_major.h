// The GPU's weight layout ("lane-major"), chosen so that a warp reads a
// weight row with one 16-byte load per lane while every lane still sees its
// own terms of the lane sum (kernels/lane_reduce.h) in increasing order.
//
// In the lane order, lane l owns the elements i = l, l + 32, l + 64, ... of a
// row. A 16-byte load holds V consecutive elements (V = 8 for bf16, 4 for
// f32), so the row is cut into chunks of 32 * V elements and each lane's V
// elements of a chunk are stored next to each other:
//   lane_major[c * 32V + l * V + j] = row[c * 32V + l + 32 j]   (0 past the row's end)
// for chunk c, lane l in [0, 32) and j in [0, V). A row takes
// LaneMajorStride(type, cols) elements (cols rounded up to a whole chunk);
// the zero padding is never added into a sum (the kernels stop at cols, or
// pair it with zero activations, and adding +0 to a lane changes no bit).
// Moving elements changes no bit of them, so this re-layout at upload keeps
// every result equal to the CPU's.
//
// The index functions are shared with the CUDA kernels (ATTESTD_HD).
// Thread safety: pure functions.
#pragma once

#include <cstdint>

#include "kernels/host_device.h"
#include "kernels/matmul.h"

namespace attestd::kernels {

// Elements per 16-byte load: 8 for bf16, 4 for f32.
ATTESTD_HD inline constexpr int64_t LaneMajorVector(WeightType type) { return type == WeightType::kBf16 ? 8 : 4; }

// Elements per 32-lane chunk.
ATTESTD_HD inline constexpr int64_t LaneMajorChunk(WeightType type) { return 32 * LaneMajorVector(type); }

// Elements between two rows: cols rounded up to a whole chunk.
int64_t LaneMajorStride(WeightType type, int64_t cols);

// Writes w (row-major, w.rows x w.cols) to `out` in the lane-major layout;
// `out` holds w.rows * LaneMajorStride(w.type, w.cols) elements of w's type.
void ToLaneMajor(const WeightView& w, void* out);

// Where element `col` of a row lies within its lane-major row.
ATTESTD_HD inline constexpr int64_t LaneMajorIndex(WeightType type, int64_t col) {
  const int64_t v = LaneMajorVector(type), chunk = 32 * v;
  const int64_t c = col / chunk, r = col % chunk;
  return c * chunk + (r % 32) * v + r / 32;
}

}  // namespace attestd::kernels
