// UTF-8 validation and repair for tokenizer input and output.
//
// "Valid" is RFC 3629 / Unicode 15 section 3.9: shortest form only, no
// surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace attestd::model {

// OK if `text` is valid UTF-8; otherwise InvalidArgument
// "invalid UTF-8 at byte offset N (byte 0xXY)" naming the first bad byte.
[[nodiscard]] absl::Status ValidateUtf8(std::string_view text);

// Length of the longest prefix of `bytes` that ends on a character
// boundary, treating a truncated-but-so-far-valid sequence at the very end
// as incomplete (it is not part of the prefix). Invalid bytes before the end
// are part of the prefix (they are complete, just broken).
size_t Utf8CompletePrefixLength(std::string_view bytes);

// Appends `bytes` to `out` as valid UTF-8: each maximal subpart of an
// ill-formed sequence becomes one U+FFFD (Unicode 15 section 3.9, "U+FFFD
// Substitution of Maximal Subparts"), as Rust's from_utf8_lossy does.
void AppendUtf8Lossy(std::string_view bytes, std::string& out);

// Length of the valid UTF-8 sequence starting at bytes[0], or 0 if the bytes
// there do not start a valid (complete) sequence. `maximal_subpart` receives
// the length of the maximal ill-formed subpart when 0 is returned (>= 1).
size_t Utf8SequenceLength(std::string_view bytes, size_t* maximal_subpart = nullptr);

}  // namespace attestd::model
