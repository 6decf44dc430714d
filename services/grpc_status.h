// The one place where absl::Status and grpc::Status meet (base/status.h).
//
// The canonical codes are the same numbers in both libraries, so the mapping
// is one to one; messages pass through unchanged (they never hold secrets,
// base/status.h). Thread safety: pure functions.
#pragma once

#include <grpcpp/support/status.h>

#include "base/status.h"

namespace attestd::service {

[[nodiscard]] grpc::Status ToGrpcStatus(const absl::Status& status);
[[nodiscard]] absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace attestd::service
