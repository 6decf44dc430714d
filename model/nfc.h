// Unicode Normalization Form C, the only normalizer the Llama-3 and Qwen2
// tokenizer.json files use. Implemented with ICU's Normalizer2.
//
// Thread safety: safe from any thread (ICU's NFC instance is immutable).
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace attestd::model {

// NFC of `text`, which must be valid UTF-8. Text that is already NFC
// (checked quickly; pure ASCII always is) is returned unchanged.
// Internal if ICU fails.
[[nodiscard]] absl::StatusOr<std::string> NormalizeNfc(std::string_view text);

}  // namespace attestd::model
