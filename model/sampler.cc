#include "model/sampler.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <vector>

#include "kernels/argmax.h"
#include "kernels/transcendental.h"

namespace attestd::model {
namespace {

constexpr uint32_t kPhiloxM0 = 0xD2511F53u;
constexpr uint32_t kPhiloxM1 = 0xCD9E8D57u;
constexpr uint32_t kPhiloxW0 = 0x9E3779B9u;
constexpr uint32_t kPhiloxW1 = 0xBB67AE85u;

float Clean(float x) { return x != x ? -std::numeric_limits<float>::infinity() : x; }

}  // namespace

std::array<uint32_t, 4> Philox4x32_10(std::array<uint32_t, 4> c, std::array<uint32_t, 2> k) {
  for (int round = 0; round < 10; ++round) {
    uint64_t p0 = static_cast<uint64_t>(kPhiloxM0) * c[0];
    uint64_t p1 = static_cast<uint64_t>(kPhiloxM1) * c[2];
    auto hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    auto hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    c = {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
    k[0] += kPhiloxW0;
    k[1] += kPhiloxW1;
  }
  return c;
}

float SampleUniform(uint64_t seed, uint64_t step) {
  auto out = Philox4x32_10({static_cast<uint32_t>(step), static_cast<uint32_t>(step >> 32), 0, 0},
                           {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)});
  return static_cast<float>(out[0] >> 8) * (1.0f / 16777216.0f);
}

int32_t SampleToken(std::span<const float> logits, const SamplingParams& params, uint64_t step) {
  const auto n = static_cast<int32_t>(logits.size());
  if (params.temperature <= 0.0f) return kernels::Argmax(logits.data(), n);
  std::vector<float> z(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) z[i] = Clean(logits[i]) / params.temperature;
  std::vector<int32_t> order(logits.size());
  std::iota(order.begin(), order.end(), 0);
  auto before = [&](int32_t a, int32_t b) {
    float za = z[static_cast<size_t>(a)], zb = z[static_cast<size_t>(b)];
    return za > zb || (za == zb && a < b);
  };
  size_t kept = order.size();
  if (params.top_k > 0 && static_cast<size_t>(params.top_k) < kept) {
    kept = static_cast<size_t>(params.top_k);
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(kept), order.end(), before);
  } else {
    std::sort(order.begin(), order.end(), before);
  }
  const float top = z[static_cast<size_t>(order[0])];
  std::vector<float> e(kept);
  for (size_t j = 0; j < kept; ++j) {
    float zj = z[static_cast<size_t>(order[j])];
    // -inf - top is -inf and ExpF gives 0; an all -inf row keeps e[0] = 1.
    e[j] = (j == 0) ? 1.0f : kernels::ExpF(zj - top);
  }
  if (params.top_p < 1.0f) {
    float total = 0.0f;
    for (size_t j = 0; j < kept; ++j) total = total + e[j];
    const float threshold = params.top_p * total;
    float running = 0.0f;
    for (size_t j = 0; j < kept; ++j) {
      running = running + e[j];
      if (running >= threshold) {
        kept = j + 1;
        break;
      }
    }
  }
  float sum = 0.0f;
  for (size_t j = 0; j < kept; ++j) sum = sum + e[j];
  const float target = SampleUniform(params.seed, step) * sum;
  float running = 0.0f;
  for (size_t j = 0; j < kept; ++j) {
    running = running + e[j];
    if (running > target) return order[j];
  }
  return order[kept - 1];
}

}  // namespace attestd::model
