// Rotary position embedding, HF "rotate_half" layout (Llama, Qwen2).
//
// Tables (RopeInvFreq, RopeCosSin) are built in binary64 with the functions
// of transcendental.h and rounded once to f32:
//   inv_freq[i] = (float) ExpD(-(2i / d) * LogD(theta))      i in [0, d/2)
//   angle       = (float) position * inv_freq[i]              (f32 product)
//   cos[i], sin[i] = (float) of SinCosD((double) angle)
// Rotation of one head vector x[0..d), h = d/2, for i in [0, h):
//   y[i]     = x[i] * cos[i] - x[i + h] * sin[i]
//   y[i + h] = x[i + h] * cos[i] + x[i] * sin[i]
// (two f32 products, then one f32 subtraction or addition).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <vector>

namespace attestd::kernels {

std::vector<float> RopeInvFreq(int64_t head_dim, double theta);

// Fills cos_out[0..d/2) and sin_out[0..d/2) for one position.
void RopeCosSin(const std::vector<float>& inv_freq, int64_t position, float* cos_out, float* sin_out);

// Rotates `heads` consecutive head vectors of length head_dim in place.
void RopeApply(float* x, int64_t heads, int64_t head_dim, const float* cos, const float* sin);

}  // namespace attestd::kernels
