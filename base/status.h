// Errors in attestd are values, never exceptions across a module boundary.
//
// Every fallible function returns absl::Status or absl::StatusOr<T>. Codes are
// chosen for what the caller can do about the failure:
//   InvalidArgument    the input is malformed (bad hex, wrong length, bad JSON)
//   FailedPrecondition the input is well formed but not acceptable here
//                      (high-S signature, key file readable by others)
//   NotFound           a named thing does not exist (model, index, file)
//   OutOfRange         an index or size beyond what exists
//   DataLoss           stored bytes disagree with themselves (corruption)
//   Unauthenticated    a signature, MAC or passphrase did not verify
//   Internal           a bug or a library failure we did not expect
// Messages say what was expected and what was found ("got 31 bytes, want 32")
// and never contain secret material.
//
// gRPC status conversion happens in exactly one place: services/grpc_status.h.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define ATTESTD_CONCAT_INNER_(a, b) a##b
#define ATTESTD_CONCAT_(a, b) ATTESTD_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                      \
  do {                                             \
    ::absl::Status attestd_status_ = (expr);       \
    if (!attestd_status_.ok()) return attestd_status_; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, F());` declares x from an OK StatusOr, or returns
// its error from the enclosing function.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ATTESTD_ASSIGN_OR_RETURN_IMPL_(ATTESTD_CONCAT_(attestd_statusor_, __LINE__), lhs, expr)
#define ATTESTD_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return std::move(tmp).status();       \
  lhs = std::move(tmp).value()
