// Builds a small but real tokenizer.json for `attest model synth` (synthetic
// models used in tests and benchmarks).
//
// The result is a valid Hugging Face tokenizer.json: byte-level BPE with the
// family's pre-tokenizer split regex, all 256 byte tokens, merges learned
// greedily (most frequent adjacent pair, ties broken by the smaller pair of
// token strings) from a small built-in multilingual corpus (then filler
// merges up to the requested size, see below), and the
// family's special tokens as added tokens at the top of the id range
// (qwen2: <|endoftext|>, <|im_start|>, <|im_end|>; llama: <|begin_of_text|>,
// <|end_of_text|>, <|start_header_id|>, <|end_header_id|>, <|eot_id|>).
//
// Deterministic: the same (family, vocab_size) always yields the same bytes.
// Thread safety: pure; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/family.h"

namespace attestd::model {

// The smallest vocab_size accepted: 256 byte tokens + the special tokens.
uint32_t MinSynthVocabSize(ModelFamily family);

// `vocab_size` counts every id (bytes + merges + special tokens); every id
// below it names a token (no holes), and the special tokens take the last
// ids (vocab_size - n .. vocab_size - 1). The corpus yields about 1,300
// merges; beyond that, filler merges extend existing tokens by one ASCII
// letter or digit at a time, deterministically.
// InvalidArgument if vocab_size < MinSynthVocabSize(family) or > 1<<20.
[[nodiscard]] absl::StatusOr<std::string> SynthesizeTokenizerJson(ModelFamily family,
                                                                  uint32_t vocab_size);

// The special-token strings of `family`, in id order, as synthesized above.
std::vector<std::string> SynthSpecialTokens(ModelFamily family);

}  // namespace attestd::model
