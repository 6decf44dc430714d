#include "kernels/softmax.h"

#include "kernels/dot.h"
#include "kernels/lane_reduce.h"
#include "kernels/transcendental.h"

namespace attestd::kernels {

void SoftmaxInPlace(float* x, int64_t n, bool vectorised) {
  float m = x[0];
  for (int64_t i = 1; i < n; ++i) {
    if (x[i] > m) m = x[i];
  }
  if (vectorised && CpuHasAvx512()) {
    for (int64_t i = 0; i < n; ++i) x[i] = x[i] - m;
    ExpFAvx512(x, x, n);
  } else {
    for (int64_t i = 0; i < n; ++i) x[i] = ExpF(x[i] - m);
  }
  float s = LaneSum(x, n);
  for (int64_t i = 0; i < n; ++i) x[i] = x[i] / s;
}

}  // namespace attestd::kernels
