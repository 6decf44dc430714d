#include "attest/commitment.h"

#include <sys/random.h>

#include <bit>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "attest/sha256.h"

namespace attestd {
namespace {

// Appends in the encoding's primitive forms (docs/receipt-format.md).
class CanonicalWriter {
 public:
  void U32(uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<uint8_t>(v >> shift));
  }
  void U64(uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out_.push_back(static_cast<uint8_t>(v >> shift));
  }
  void F32(float v) { U32(std::bit_cast<uint32_t>(v)); }
  void Length(size_t n) {
    // A length that does not fit u32 cannot be encoded unambiguously; no
    // request the service accepts comes near it (prompts are bounded).
    if (n > std::numeric_limits<uint32_t>::max()) {
      std::fprintf(stderr, "attestd: commitment field of %zu bytes exceeds the u32 length limit\n", n);
      std::abort();
    }
    U32(static_cast<uint32_t>(n));
  }
  void String(std::string_view s) {
    Length(s.size());
    out_.insert(out_.end(), s.begin(), s.end());
  }
  void U32List(const std::vector<uint32_t>& values) {
    Length(values.size());
    for (uint32_t v : values) U32(v);
  }
  void StringList(const std::vector<std::string>& values) {
    Length(values.size());
    for (const std::string& s : values) String(s);
  }
  Bytes Take() { return std::move(out_); }

 private:
  Bytes out_;
};

Digest32 SaltedHash(std::string_view tag, const Salt32& salt, const Bytes& encoding) {
  Sha256Hasher hasher;
  hasher.Update(tag);
  hasher.Update(salt.span());
  hasher.Update(encoding);
  return hasher.Finish();
}

// The shortest decimal that reads back as the same binary32 value, stored as
// the double that decimal denotes, so the JSON shows "0.7" rather than
// "0.699999988079071" and still parses back to the same float.
json::Json FloatToJson(float v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  if (ec != std::errc()) return static_cast<double>(v);
  return std::strtod(std::string(buf, end).c_str(), nullptr);
}

}  // namespace

Bytes EncodeRequest(const CommittedRequest& request) {
  CanonicalWriter w;
  w.String(request.model_name);
  w.String(request.prompt_text);
  w.U32List(request.prompt_token_ids);
  w.F32(request.sampling.temperature);
  w.U32(request.sampling.top_k);
  w.F32(request.sampling.top_p);
  w.U64(request.sampling.max_tokens);
  w.StringList(request.sampling.stop);
  w.U64(request.seed);
  return w.Take();
}

Bytes EncodeResponse(const CommittedResponse& response) {
  CanonicalWriter w;
  w.U32List(response.output_token_ids);
  w.String(response.text);
  w.String(response.finish_reason);
  return w.Take();
}

Digest32 InputCommitment(const Salt32& salt, const CommittedRequest& request) {
  return SaltedHash(kInputCommitmentTag, salt, EncodeRequest(request));
}

Digest32 OutputCommitment(const Salt32& salt, const CommittedResponse& response) {
  return SaltedHash(kOutputCommitmentTag, salt, EncodeResponse(response));
}

Salt32 NewSalt() {
  Salt32 salt;
  size_t filled = 0;
  while (filled < salt.size()) {
    ssize_t n = getrandom(salt.data() + filled, salt.size() - filled, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::perror("attestd: getrandom for a commitment salt failed");
      std::abort();
    }
    filled += static_cast<size_t>(n);
  }
  return salt;
}

json::Json RequestToJson(const CommittedRequest& request) {
  json::Json j = json::Json::object();
  j["model"] = request.model_name;
  j["prompt"] = request.prompt_text;
  j["prompt_token_ids"] = request.prompt_token_ids;
  j["temperature"] = FloatToJson(request.sampling.temperature);
  j["top_k"] = request.sampling.top_k;
  j["top_p"] = FloatToJson(request.sampling.top_p);
  j["max_tokens"] = request.sampling.max_tokens;
  j["stop"] = request.sampling.stop;
  j["seed"] = request.seed;
  return j;
}

json::Json ResponseToJson(const CommittedResponse& response) {
  json::Json j = json::Json::object();
  j["token_ids"] = response.output_token_ids;
  j["text"] = response.text;
  j["finish_reason"] = response.finish_reason;
  return j;
}

absl::StatusOr<CommittedRequest> RequestFromJson(const json::Json& j) {
  constexpr std::string_view kPath = "request";
  RETURN_IF_ERROR(json::CheckObjectKeys(j, kPath,
                                        {"model", "prompt", "prompt_token_ids", "temperature", "top_k",
                                         "top_p", "max_tokens", "stop", "seed"}));
  CommittedRequest r;
  ASSIGN_OR_RETURN(r.model_name, json::GetString(j, kPath, "model"));
  ASSIGN_OR_RETURN(r.prompt_text, json::GetString(j, kPath, "prompt"));
  ASSIGN_OR_RETURN(r.prompt_token_ids, json::GetUint32Array(j, kPath, "prompt_token_ids"));
  ASSIGN_OR_RETURN(r.sampling.temperature, json::GetFloat32(j, kPath, "temperature"));
  ASSIGN_OR_RETURN(r.sampling.top_k, json::GetUint32(j, kPath, "top_k"));
  ASSIGN_OR_RETURN(r.sampling.top_p, json::GetFloat32(j, kPath, "top_p"));
  ASSIGN_OR_RETURN(r.sampling.max_tokens, json::GetUint64(j, kPath, "max_tokens"));
  ASSIGN_OR_RETURN(r.sampling.stop, json::GetStringArray(j, kPath, "stop"));
  ASSIGN_OR_RETURN(r.seed, json::GetUint64(j, kPath, "seed"));
  return r;
}

absl::StatusOr<CommittedResponse> ResponseFromJson(const json::Json& j) {
  constexpr std::string_view kPath = "response";
  RETURN_IF_ERROR(json::CheckObjectKeys(j, kPath, {"token_ids", "text", "finish_reason"}));
  CommittedResponse r;
  ASSIGN_OR_RETURN(r.output_token_ids, json::GetUint32Array(j, kPath, "token_ids"));
  ASSIGN_OR_RETURN(r.text, json::GetString(j, kPath, "text"));
  ASSIGN_OR_RETURN(r.finish_reason, json::GetString(j, kPath, "finish_reason"));
  return r;
}

absl::StatusOr<CommittedRequest> ParseRequestJson(std::string_view text) {
  ASSIGN_OR_RETURN(json::Json j, json::ParseStrict(text, "request"));
  return RequestFromJson(j);
}

absl::StatusOr<CommittedResponse> ParseResponseJson(std::string_view text) {
  ASSIGN_OR_RETURN(json::Json j, json::ParseStrict(text, "response"));
  return ResponseFromJson(j);
}

}  // namespace attestd
