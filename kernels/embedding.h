// Token embedding lookup: out[t] = table[ids[t]] converted exactly to f32.
//   table [vocab, n] bf16 or f32 (kernels/matmul.h WeightView), out [tokens, n].
// Ids must already be checked against the vocabulary (the engine does).
// Thread safety: pure.
#pragma once

#include <cstdint>

#include "kernels/matmul.h"

namespace attestd::kernels {

void Embed(const WeightView& table, const int32_t* ids, int64_t tokens, float* out);

}  // namespace attestd::kernels
