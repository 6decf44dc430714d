#include "kernels/argmax.h"

#include <limits>

namespace attestd::kernels {

int32_t Argmax(const float* x, int64_t n) {
  const auto value = [](float v) { return v != v ? -std::numeric_limits<float>::infinity() : v; };
  int32_t best = 0;
  float best_value = value(x[0]);
  for (int64_t i = 1; i < n; ++i) {
    const float v = value(x[i]);
    if (v > best_value) {
      best_value = v;
      best = static_cast<int32_t>(i);
    }
  }
  return best;
}

}  // namespace attestd::kernels
