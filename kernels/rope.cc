#include "kernels/rope.h"

#include <cstddef>

#include "kernels/transcendental.h"

namespace attestd::kernels {

namespace {

double Rescale(double inv, const RopeScaling& scaling) {
  switch (scaling.kind) {
    case RopeScaling::Kind::kNone:
      return inv;
    case RopeScaling::Kind::kLinear:
      return inv / scaling.factor;
    case RopeScaling::Kind::kLlama3: {
      constexpr double kTwoPi = 6.283185307179586;
      const double original = scaling.original_max_position_embeddings;
      const double wavelen = kTwoPi / inv;
      const double high_freq_wavelen = original / scaling.high_freq_factor;
      const double low_freq_wavelen = original / scaling.low_freq_factor;
      if (wavelen < high_freq_wavelen) return inv;
      if (wavelen > low_freq_wavelen) return inv / scaling.factor;
      const double smooth =
          (original / wavelen - scaling.low_freq_factor) / (scaling.high_freq_factor - scaling.low_freq_factor);
      const double damped = ((1.0 - smooth) * inv) / scaling.factor;
      const double kept = smooth * inv;
      return damped + kept;
    }
  }
  return inv;
}

}  // namespace

std::vector<float> RopeInvFreq(int64_t head_dim, double theta, const RopeScaling& scaling) {
  const int64_t half = head_dim / 2;
  std::vector<float> inv(static_cast<size_t>(half));
  const double log_theta = LogD(theta);
  for (int64_t i = 0; i < half; ++i) {
    double exponent = static_cast<double>(2 * i) / static_cast<double>(head_dim);
    inv[static_cast<size_t>(i)] = static_cast<float>(Rescale(ExpD(-(exponent * log_theta)), scaling));
  }
  return inv;
}

void RopeCosSin(const std::vector<float>& inv_freq, int64_t position, float* cos_out, float* sin_out) {
  const auto pos = static_cast<float>(position);
  for (size_t i = 0; i < inv_freq.size(); ++i) {
    float angle = pos * inv_freq[i];
    double s, c;
    SinCosD(static_cast<double>(angle), &s, &c);
    cos_out[i] = static_cast<float>(c);
    sin_out[i] = static_cast<float>(s);
  }
}

void RopeApply(float* x, int64_t heads, int64_t head_dim, const float* cos, const float* sin) {
  const int64_t half = head_dim / 2;
  for (int64_t h = 0; h < heads; ++h) {
    float* v = x + h * head_dim;
    for (int64_t i = 0; i < half; ++i) {
      float a = v[i];
      float b = v[i + half];
      v[i] = a * cos[i] - b * sin[i];
      v[i + half] = b * cos[i] + a * sin[i];
    }
  }
}

}  // namespace attestd::kernels
