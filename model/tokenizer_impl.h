// Internal: the state behind a Tokenizer (see model/tokenizer.h for the
// contract). Not part of the public API.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "base/status.h"
#include "model/bpe.h"
#include "model/regex_splitter.h"
#include "model/tokenizer_json.h"

namespace attestd::model {

class TokenizerImpl {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<TokenizerImpl>> Create(TokenizerSpec spec);

  [[nodiscard]] absl::StatusOr<std::vector<uint32_t>> Encode(std::string_view text, bool allow_special) const;
  // Appends the bytes of `id`; OutOfRange if it names no token.
  [[nodiscard]] absl::Status AppendTokenBytes(uint32_t id, bool skip_special, std::string& out) const;

  std::optional<uint32_t> TokenId(std::string_view token) const;
  std::optional<std::string> TokenString(uint32_t id) const;
  size_t vocab_size() const { return tokens_.size(); }
  bool IsSpecial(uint32_t id) const { return id < tokens_.size() && tokens_[id].special; }

 private:
  struct TokenEntry {
    bool present = false;
    bool added = false;
    bool special = false;
    std::string text;   // as written in tokenizer.json
    std::string bytes;  // what decoding emits
  };
  struct AddedMatcher {
    std::string content;
    uint32_t id;
    bool special;
  };

  TokenizerImpl() = default;
  // Leftmost-longest added token starting exactly at `pos`, or nullptr.
  const AddedMatcher* MatchAddedAt(std::string_view text, size_t pos, bool allow_special) const;
  [[nodiscard]] absl::Status EncodeOrdinaryText(std::string_view text, std::vector<uint32_t>& out) const;

  bool nfc_ = false;
  std::vector<std::unique_ptr<RegexSplitter>> splitters_;
  std::unique_ptr<BpeModel> bpe_;
  std::vector<TokenEntry> tokens_;  // indexed by id
  absl::flat_hash_map<std::string, uint32_t> id_of_token_;
  // Added tokens grouped by first byte, longest first within a group.
  std::vector<std::vector<AddedMatcher>> added_by_first_byte_;
};

}  // namespace attestd::model
