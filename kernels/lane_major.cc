#include "kernels/lane_major.h"

namespace attestd::kernels {

int64_t LaneMajorStride(WeightType type, int64_t cols) {
  const int64_t chunk = LaneMajorChunk(type);
  return (cols + chunk - 1) / chunk * chunk;
}

namespace {

template <typename T>
void Relayout(const T* src, int64_t rows, int64_t cols, int64_t stride, WeightType type, T* dst) {
  const int64_t v = LaneMajorVector(type), chunk = LaneMajorChunk(type);
  for (int64_t r = 0; r < rows; ++r) {
    T* out = dst + r * stride;
    const T* in = src + r * cols;
    for (int64_t c = 0; c < stride; c += chunk) {
      for (int64_t l = 0; l < 32; ++l) {
        for (int64_t j = 0; j < v; ++j) {
          const int64_t col = c + l + 32 * j;
          out[c + l * v + j] = col < cols ? in[col] : T{0};
        }
      }
    }
  }
}

}  // namespace

void ToLaneMajor(const WeightView& w, void* out) {
  const int64_t stride = LaneMajorStride(w.type, w.cols);
  if (w.type == WeightType::kBf16) {
    Relayout(static_cast<const uint16_t*>(w.data), w.rows, w.cols, stride, w.type, static_cast<uint16_t*>(out));
  } else {
    Relayout(static_cast<const float*>(w.data), w.rows, w.cols, stride, w.type, static_cast<float*>(out));
  }
}

}  // namespace attestd::kernels
