#include "kernels/embedding.h"

#include <cstring>

#include "kernels/bf16.h"

namespace attestd::kernels {

void Embed(const WeightView& table, const int32_t* ids, int64_t tokens, float* out) {
  const int64_t n = table.cols;
  for (int64_t t = 0; t < tokens; ++t) {
    const int64_t row = ids[t];
    float* dst = out + t * n;
    if (table.type == WeightType::kBf16) {
      const uint16_t* src = static_cast<const uint16_t*>(table.data) + row * n;
      for (int64_t i = 0; i < n; ++i) dst[i] = Bf16ToF32(src[i]);
    } else {
      std::memcpy(dst, static_cast<const float*>(table.data) + row * n, static_cast<size_t>(n) * 4);
    }
  }
}

}  // namespace attestd::kernels
