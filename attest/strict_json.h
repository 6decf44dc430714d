// Strict JSON reading for documents that are hashed, signed or verified
// (receipts, committed requests and responses).
//
// "Strict" means: the text is one JSON value and nothing else, strings are
// valid UTF-8 (unpaired surrogate escapes rejected), no object has the same
// key twice, and the typed getters below accept exactly one JSON type each
// (an integer field rejects 1.0, "1" and -1). Every error names the field by
// its path, e.g. `receipt.statement.model_digest`, and says got vs want.
//
// Thread safety: all functions are pure and safe to call concurrently.
// No function here throws; nlohmann exceptions are caught and converted.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace attestd::json {

using Json = nlohmann::json;

// Parses `text`. InvalidArgument "<what>: ..." for malformed JSON, invalid
// UTF-8 or a duplicate key (the key is named).
[[nodiscard]] absl::StatusOr<Json> ParseStrict(std::string_view text, std::string_view what);

// Checks that `value` is an object whose keys are all in required ∪ optional
// and that every required key is present. Errors name `path` and the key.
[[nodiscard]] absl::Status CheckObjectKeys(const Json& value, std::string_view path,
                                           std::initializer_list<std::string_view> required,
                                           std::initializer_list<std::string_view> optional = {});

// Typed getters for `object[key]`. The key must exist (CheckObjectKeys first).
[[nodiscard]] absl::StatusOr<std::string> GetString(const Json& object, std::string_view path,
                                                    std::string_view key);
// A JSON integer in [0, 2^64-1]; floats, strings and negatives are rejected.
[[nodiscard]] absl::StatusOr<uint64_t> GetUint64(const Json& object, std::string_view path,
                                                 std::string_view key);
// A JSON integer in [0, 2^32-1].
[[nodiscard]] absl::StatusOr<uint32_t> GetUint32(const Json& object, std::string_view path,
                                                 std::string_view key);
// A finite JSON number, rounded to the nearest IEEE-754 binary32 value; values
// that overflow binary32 are rejected.
[[nodiscard]] absl::StatusOr<float> GetFloat32(const Json& object, std::string_view path,
                                               std::string_view key);
[[nodiscard]] absl::StatusOr<std::vector<std::string>> GetStringArray(const Json& object,
                                                                      std::string_view path,
                                                                      std::string_view key);
[[nodiscard]] absl::StatusOr<std::vector<uint32_t>> GetUint32Array(const Json& object,
                                                                   std::string_view path,
                                                                   std::string_view key);

// Joins a path and a key for error messages: ("receipt", "salt") -> "receipt.salt".
std::string FieldPath(std::string_view path, std::string_view key);

}  // namespace attestd::json
