// Input and output commitments (SPEC "The signed statement"): salted SHA-256
// over canonical byte encodings of the request and the response.
//
//   inputCommitment  = SHA-256(kInputCommitmentTag  || salt32 || EncodeRequest(req))
//   outputCommitment = SHA-256(kOutputCommitmentTag || salt32 || EncodeResponse(resp))
//
// The encodings are defined field by field in docs/receipt-format.md, with a
// known-answer vector a reader can reproduce with printf, xxd and sha256sum.
// In short: fields in a fixed order, no field names, integers big-endian of
// fixed width, every string and list preceded by its u32 big-endian length
// (bytes for strings, elements for lists), floats as the big-endian bits of
// their IEEE-754 binary32 value. Strings are hashed as the bytes given; the
// JSON readers below only produce valid UTF-8.
//
// Thread safety: everything here is pure and safe to call concurrently,
// except NewSalt, which is also safe (it reads the OS CSPRNG).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "attest/bytes.h"
#include "attest/strict_json.h"

namespace attestd {

// Domain tags; the trailing NUL is part of the tag (28 and 29 bytes).
inline constexpr std::string_view kInputCommitmentTag{"attestd/v1/input-commitment\0", 28};
inline constexpr std::string_view kOutputCommitmentTag{"attestd/v1/output-commitment\0", 29};

// Sampling controls as the engine applied them: the service records effective
// values (defaults filled in), so that two requests that ran identically
// commit identically.
struct SamplingParams {
  float temperature = 0.0f;  // 0 = greedy
  uint32_t top_k = 0;        // 0 = no top-k cut
  float top_p = 1.0f;        // 1 = no nucleus cut
  uint64_t max_tokens = 0;
  std::vector<std::string> stop;  // stop strings, in the order given
  friend bool operator==(const SamplingParams&, const SamplingParams&) = default;
};

struct CommittedRequest {
  std::string model_name;
  std::string prompt_text;                 // the prompt as text (chat already rendered)
  std::vector<uint32_t> prompt_token_ids;  // what the model saw
  SamplingParams sampling;
  uint64_t seed = 0;
  friend bool operator==(const CommittedRequest&, const CommittedRequest&) = default;
};

struct CommittedResponse {
  std::vector<uint32_t> output_token_ids;
  std::string text;
  std::string finish_reason;  // "stop" | "length" | "cancelled"
  friend bool operator==(const CommittedResponse&, const CommittedResponse&) = default;
};

// Canonical encodings (without tag and salt). Pure functions of their input.
[[nodiscard]] Bytes EncodeRequest(const CommittedRequest& request);
[[nodiscard]] Bytes EncodeResponse(const CommittedResponse& response);

[[nodiscard]] Digest32 InputCommitment(const Salt32& salt, const CommittedRequest& request);
[[nodiscard]] Digest32 OutputCommitment(const Salt32& salt, const CommittedResponse& response);

// 32 bytes from the OS CSPRNG (getrandom). Aborts the process if the kernel
// cannot supply randomness: a predictable salt would silently void the
// commitments' hiding property, so there is no error path to ignore.
[[nodiscard]] Salt32 NewSalt();

// JSON forms used by `attest receipt verify --request F --response F`
// (documented in docs/receipt-format.md). Parsing is strict (see
// strict_json.h): every field required, unknown fields, wrong types, numbers
// out of range and invalid UTF-8 rejected with the field's name.
//   request:  {"model","prompt","prompt_token_ids","temperature","top_k",
//              "top_p","max_tokens","stop","seed"}
//   response: {"token_ids","text","finish_reason"}
// The ToJson forms hold the strings as given: dump() them with
// error_handler_t::replace unless they are known to be UTF-8.
[[nodiscard]] json::Json RequestToJson(const CommittedRequest& request);
[[nodiscard]] json::Json ResponseToJson(const CommittedResponse& response);
[[nodiscard]] absl::StatusOr<CommittedRequest> RequestFromJson(const json::Json& value);
[[nodiscard]] absl::StatusOr<CommittedResponse> ResponseFromJson(const json::Json& value);
[[nodiscard]] absl::StatusOr<CommittedRequest> ParseRequestJson(std::string_view text);
[[nodiscard]] absl::StatusOr<CommittedResponse> ParseResponseJson(std::string_view text);

}  // namespace attestd
