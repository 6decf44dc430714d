// Reads a Hugging Face tokenizer.json into the plain description a
// Tokenizer is built from, refusing every feature we do not implement
// (rather than tokenizing differently from the reference).
//
// Thread safety: pure; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "base/status.h"

namespace attestd::model {

struct AddedTokenSpec {
  uint32_t id = 0;
  std::string content;  // matched verbatim in the input text
  bool special = false;
};

struct TokenizerSpec {
  bool nfc = false;                         // normalizer NFC (or a Sequence of NFC)
  std::vector<std::string> split_patterns;  // applied in order before the byte-level mapping
  absl::flat_hash_map<std::string, uint32_t> vocab;        // byte-level token -> id
  std::vector<std::pair<std::string, std::string>> merges;  // in rank order
  bool ignore_merges = false;
  std::vector<AddedTokenSpec> added_tokens;  // in file order
};

// The largest id we accept; keeps id tables to a sane size on hostile input.
inline constexpr uint32_t kMaxTokenId = (1u << 24) - 1;

// InvalidArgument naming the JSON path of the first problem
// ("model.merges[12]: ...", "normalizer: unsupported type \"NFKC\"").
[[nodiscard]] absl::StatusOr<TokenizerSpec> ParseTokenizerJson(std::string_view json);

}  // namespace attestd::model
