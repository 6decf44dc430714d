// Token sampling with a counter-based RNG keyed by (seed, step).
//
// RNG: Philox4x32-10 (Salmon et al., SC'11; the generator cuRAND and
// Random123 ship), key = (seed low 32 bits, seed high 32 bits), counter =
// (step low 32, step high 32, 0, 0). The uniform draw of a step is
//   u = (word0 >> 8) * 2^-24, in [0, 1) with 24 random bits,
// so host and device produce the same u for the same (seed, step), and no
// state is carried between steps. `step` is the index of the generated token
// (0 for the first).
//
// Sampling (docs/determinism.md, "Sampling"):
//   temperature == 0: argmax, lowest id on ties (greedy; the default).
//   otherwise:
//     z[i] = logit[i] / temperature                       (f32 division)
//     order ids by z descending, id ascending on ties
//     top_k > 0: keep the first top_k
//     e[j] = ExpF(z[j] - z[first])  over the kept, in order
//     top_p < 1: total = sum e in order (sequential f32 adds); keep the
//                shortest prefix whose running sum >= top_p * total
//     S = sum of kept e in order; target = u * S; pick the first kept id
//     whose running sum > target (the last kept id if rounding leaves none).
// NaN logits are treated as -infinity.
//
// Thread safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace attestd::model {

std::array<uint32_t, 4> Philox4x32_10(std::array<uint32_t, 4> counter, std::array<uint32_t, 2> key);

// The uniform draw for (seed, step), in [0, 1).
float SampleUniform(uint64_t seed, uint64_t step);

struct SamplingParams {
  float temperature = 0.0f;
  int32_t top_k = 0;
  float top_p = 1.0f;
  uint64_t seed = 0;
};

// logits.size() >= 1. Returns a token id in [0, logits.size()).
int32_t SampleToken(std::span<const float> logits, const SamplingParams& params, uint64_t step);

}  // namespace attestd::model
