#include "kernels/softmax.h"

#include "kernels/lane_reduce.h"
#include "kernels/transcendental.h"

namespace attestd::kernels {

void SoftmaxInPlace(float* x, int64_t n) {
  float m = x[0];
  for (int64_t i = 1; i < n; ++i) {
    if (x[i] > m) m = x[i];
  }
  for (int64_t i = 0; i < n; ++i) x[i] = ExpF(x[i] - m);
  float s = LaneSum(x, n);
  for (int64_t i = 0; i < n; ++i) x[i] = x[i] / s;
}

}  // namespace attestd::kernels
