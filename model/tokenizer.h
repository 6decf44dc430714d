// A byte-level BPE tokenizer driven by a Hugging Face tokenizer.json, as used
// by Llama-3 and Qwen2 models. Encoding follows the Hugging Face `tokenizers`
// pipeline exactly:
//   1. added tokens (and, when allowed, special tokens) are cut out of the
//      text first, leftmost-longest, and become single ids;
//   2. every remaining piece is normalized (null or NFC; anything else is
//      refused at load time rather than silently mis-tokenized);
//   3. the pre-tokenizer splits the piece with the family's regex (PCRE2 in
//      UTF + UCP mode) and maps each byte to its byte-level character;
//   4. each split is merged by BPE rank (lowest rank first, leftmost on ties).
// No BOS/EOS or chat template is added: callers add special ids themselves.
//
// Ownership and lifetime: FromFile/FromJson return an owned Tokenizer that
// holds everything it needs (no reference to the input is kept).
// Thread safety: a Tokenizer is immutable after load apart from an internal
// word cache guarded by a mutex; Encode, Decode and all accessors are safe to
// call concurrently from any number of threads.
// Failure: loading returns InvalidArgument naming the JSON field (or
// NotFound for a missing file) and never crashes on malformed input; Encode
// returns InvalidArgument naming the byte offset of invalid UTF-8; Decode
// returns OutOfRange for an id >= vocab_size() or an id with no token.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/family.h"

namespace attestd::model {

class TokenizerImpl;  // model/tokenizer_impl.h

class Tokenizer {
 public:
  // Reads and parses `tokenizer_json`. NotFound if it cannot be opened,
  // InvalidArgument (with the file name) if it is not a supported tokenizer.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Tokenizer>> FromFile(
      const std::filesystem::path& tokenizer_json);
  // Parses tokenizer.json text. Supported: model.type "BPE" (byte_fallback
  // false, ignore_merges either way, merges as "a b" strings or [a, b]
  // pairs), normalizer null / NFC / Sequence of those, pre_tokenizer
  // ByteLevel or Sequence[Split(Regex, Isolated)..., ByteLevel], decoder
  // ByteLevel, added_tokens with the `special` flag.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Tokenizer>> FromJson(std::string_view json);

  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // Token ids for `text`. InvalidArgument "invalid UTF-8 at byte offset N" if
  // `text` is not valid UTF-8. Non-special added tokens are always matched as
  // single ids; special tokens (added_tokens with "special": true) are
  // matched only when `allow_special` is true, otherwise they are encoded as
  // ordinary text (so user text cannot forge control tokens).
  [[nodiscard]] absl::StatusOr<std::vector<uint32_t>> Encode(std::string_view text,
                                                             bool allow_special = true) const;

  // The bytes of the tokens concatenated: each token's byte-level characters
  // mapped back to bytes, or, for a token with a character outside the
  // byte-level alphabet (e.g. an added token with a space), its own UTF-8,
  // as the ByteLevel decoder of Hugging Face `tokenizers` does. The result
  // may be invalid UTF-8 where a character is split across tokens.
  // OutOfRange for an id that names no token (>= vocab_size() or a hole);
  // such ids are never silently dropped. `skip_special` drops special tokens.
  [[nodiscard]] absl::StatusOr<std::string> DecodeBytes(std::span<const uint32_t> ids,
                                                        bool skip_special = false) const;

  // DecodeBytes made valid UTF-8: every maximal invalid or truncated
  // sequence becomes one U+FFFD (the Unicode "maximal subpart" practice, the
  // same as Rust's String::from_utf8_lossy used by Hugging Face).
  [[nodiscard]] absl::StatusOr<std::string> Decode(std::span<const uint32_t> ids,
                                                   bool skip_special = false) const;

  // The id of a vocabulary or added token given its tokenizer.json string
  // (byte-level form for vocabulary tokens, e.g. "Ġthe"); nullopt if absent.
  std::optional<uint32_t> TokenId(std::string_view token) const;
  // The tokenizer.json string of `id`; nullopt if `id` names no token.
  std::optional<std::string> TokenString(uint32_t id) const;

  // Largest id (vocabulary or added) + 1. Ids below it may be holes.
  size_t vocab_size() const;
  // True for added tokens marked "special": true.
  bool IsSpecial(uint32_t id) const;

 private:
  explicit Tokenizer(std::unique_ptr<TokenizerImpl> impl);
  std::unique_ptr<TokenizerImpl> impl_;
  friend class StreamDecoder;
};

// Turns a stream of token ids into a stream of UTF-8 text, holding back the
// bytes of a character that is not yet complete until a later token finishes
// it. Concatenating every Push result and Finish() equals
// tokenizer.Decode(all ids).
//
// Lifetime: borrows `tokenizer`, which must outlive the StreamDecoder.
// Thread safety: one StreamDecoder per stream; not safe for concurrent use.
class StreamDecoder {
 public:
  explicit StreamDecoder(const Tokenizer& tokenizer, bool skip_special = false);

  // The text completed by `id` (possibly empty). Bytes that can never
  // become valid UTF-8 are emitted as U+FFFD at once. OutOfRange for an
  // unknown id; the decoder state is unchanged on error.
  [[nodiscard]] absl::StatusOr<std::string> Push(uint32_t id);

  // Flushes what is held back: an incomplete trailing character becomes one
  // U+FFFD. The decoder is empty afterwards and may be reused.
  [[nodiscard]] std::string Finish();

  // Bytes currently held back (0..3).
  size_t pending_bytes() const { return pending_.size(); }

 private:
  const Tokenizer& tokenizer_;
  bool skip_special_;
  std::string pending_;
};

}  // namespace attestd::model
