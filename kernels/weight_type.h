// How a weight matrix is stored: f32, or bf16 widened exactly on use.
#pragma once

namespace attestd::kernels {

enum class WeightType { kF32, kBf16 };

}  // namespace attestd::kernels
