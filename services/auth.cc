#include "services/auth.h"

#include "attest/bytes.h"
#include "attest/sha256.h"

namespace attestd::service {
namespace {

constexpr std::string_view kBearer = "Bearer ";

absl::StatusOr<std::string_view> BearerToken(std::string_view authorization) {
  if (authorization.empty()) {
    return absl::UnauthenticatedError("missing \"authorization: Bearer <token>\" metadata");
  }
  if (authorization.substr(0, kBearer.size()) != kBearer || authorization.size() == kBearer.size()) {
    return absl::UnauthenticatedError("authorization metadata: want \"Bearer <token>\"");
  }
  return authorization.substr(kBearer.size());
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  volatile unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff = diff | static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

Authenticator::Authenticator(std::vector<std::string> inference_tokens, std::string admin_token)
    : inference_tokens_(std::move(inference_tokens)), admin_token_(std::move(admin_token)) {}

absl::Status Authenticator::CheckInference(std::string_view authorization) const {
  if (inference_tokens_.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::string_view token, BearerToken(authorization));
  bool match = false;
  for (const auto& t : inference_tokens_) match |= ConstantTimeEquals(token, t);
  if (!match) return absl::UnauthenticatedError("bearer token not accepted for inference");
  return absl::OkStatus();
}

absl::Status Authenticator::CheckAdmin(std::string_view authorization) const {
  if (admin_token_.empty()) return absl::PermissionDeniedError("admin API disabled: no admin token configured");
  ASSIGN_OR_RETURN(std::string_view token, BearerToken(authorization));
  if (!ConstantTimeEquals(token, admin_token_)) return absl::UnauthenticatedError("bearer token not accepted for admin");
  return absl::OkStatus();
}

std::string Authenticator::ClientIdentity(std::string_view authorization, std::string_view peer) {
  auto token = BearerToken(authorization);
  if (token.ok()) {
    Digest32 h = Sha256(AsBytes(*token));
    return "token:" + HexEncode(ByteSpan(h.data(), 4));
  }
  // gRPC peers look like "ipv4:127.0.0.1:5555" or "ipv6:[::1]:5555".
  std::string_view p = peer;
  size_t colon = p.rfind(':');
  if (colon != std::string_view::npos && colon > 5) p = p.substr(0, colon);
  return "peer:" + std::string(p);
}

}  // namespace attestd::service
