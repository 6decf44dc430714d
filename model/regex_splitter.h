// The pre-tokenizer's regex split (tokenizer.json `Split` with behavior
// "Isolated", or ByteLevel with use_regex): every regex match becomes one
// piece, and so does every stretch of text between matches.
//
// Patterns are written for Oniguruma (the engine of Hugging Face
// `tokenizers`); they are compiled with PCRE2 in UTF + UCP mode, where \s,
// \p{L}, \p{N}, (?i:...) and (?!...) mean what they mean there for the Qwen2,
// Llama-3 and GPT-2 patterns. JIT is used when available.
//
// Ownership: a RegexSplitter owns its compiled pattern; not copyable.
// Thread safety: Split is const and safe to call concurrently (each call
// has its own match data).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace attestd::model {

// The pre-tokenizer patterns of the families we run.
inline constexpr std::string_view kQwen2SplitPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
inline constexpr std::string_view kLlama3SplitPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// ByteLevel pre-tokenizer with use_regex = true.
inline constexpr std::string_view kGpt2SplitPattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

class RegexSplitter {
 public:
  // InvalidArgument naming the pattern offset if PCRE2 cannot compile it.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<RegexSplitter>> Create(std::string_view pattern);
  ~RegexSplitter();
  RegexSplitter(const RegexSplitter&) = delete;
  RegexSplitter& operator=(const RegexSplitter&) = delete;

  // Appends the pieces of `text` (which must be valid UTF-8; the caller
  // checks) to `pieces`, in order; they concatenate to `text`. Views point
  // into `text`. Internal if the regex engine fails (e.g. a resource limit);
  // `pieces` then holds what was split so far.
  [[nodiscard]] absl::Status Split(std::string_view text, std::vector<std::string_view>& pieces) const;

  const std::string& pattern() const { return pattern_; }

 private:
  RegexSplitter(std::string pattern, void* code) : pattern_(std::move(pattern)), code_(code) {}
  std::string pattern_;
  void* code_;  // pcre2_code_8*, owned
};

}  // namespace attestd::model
