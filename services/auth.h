// Bearer-token authentication for the inference and admin APIs.
//
// Tokens compare in constant time (no early exit on the first differing
// byte). Errors are Unauthenticated and never echo the presented token.
// Thread safety: immutable after construction; the server swaps in a new
// Authenticator (shared_ptr) on config reload.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace attestd::service {

class Authenticator {
 public:
  // `inference_tokens` empty: inference needs no token. `admin_token` empty:
  // every admin call is refused.
  Authenticator(std::vector<std::string> inference_tokens, std::string admin_token);

  // `authorization` is the request's "authorization" metadata value ("" when
  // absent). OK, or Unauthenticated saying what was missing or wrong.
  [[nodiscard]] absl::Status CheckInference(std::string_view authorization) const;
  [[nodiscard]] absl::Status CheckAdmin(std::string_view authorization) const;

  // A stable, non-secret name for the caller, for per-client limits and
  // logs: "token:<first 8 hex of SHA-256(token)>" when a bearer token is
  // present, otherwise "peer:<address without port>".
  static std::string ClientIdentity(std::string_view authorization, std::string_view peer);

 private:
  std::vector<std::string> inference_tokens_;
  std::string admin_token_;
};

// Equal length and equal bytes, in time that depends only on the lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace attestd::service
