// Rotary position embedding, HF "rotate_half" layout (Llama, Qwen2).
//
// Tables (RopeInvFreq, RopeCosSin) are built in binary64 with the functions
// of transcendental.h and rounded once to f32:
//   inv_freq[i] = (float) scale(ExpD(-(2i / d) * LogD(theta)))   i in [0, d/2)
//   angle       = (float) position * inv_freq[i]                  (f32 product)
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

// `scale` above: the long-context rescaling of Hugging Face's `rope_scaling`,
// applied in binary64 to the unrounded inv_freq before its one rounding to
// f32. Each step is one correctly rounded IEEE operation, in this order:
//   kNone:    inv
//   kLinear:  inv / factor
//   kLlama3:  wavelen = (2 * pi) / inv, with 2 * pi the binary64 constant
//             6.283185307179586, low = original / low_freq_factor and
//             high = original / high_freq_factor:
//               wavelen < high  -> inv
//               wavelen > low   -> inv / factor
//               otherwise       -> ((1 - s) * inv) / factor + s * inv, where
//                                  s = (original / wavelen - low_freq_factor)
//                                      / (high_freq_factor - low_freq_factor)
// where original = original_max_position_embeddings. Neither changes the
// attention scale, as in Hugging Face.
struct RopeScaling {
  enum class Kind { kNone, kLinear, kLlama3 };
  Kind kind = Kind::kNone;
  double factor = 1.0;
  double low_freq_factor = 1.0;                      // kLlama3 only
  double high_freq_factor = 4.0;                     // kLlama3 only
  double original_max_position_embeddings = 8192.0;  // kLlama3 only
};

std::vector<float> RopeInvFreq(int64_t head_dim, double theta, const RopeScaling& scaling = {});

// Fills cos_out[0..d/2) and sin_out[0..d/2) for one position.
void RopeCosSin(const std::vector<float>& inv_freq, int64_t position, float* cos_out, float* sin_out);

// Rotates `heads` consecutive head vectors of length head_dim in place.
void RopeApply(float* x, int64_t heads, int64_t head_dim, const float* cos, const float* sin);

}  // namespace attestd::kernels
