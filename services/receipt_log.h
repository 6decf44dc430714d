// ReceiptLog: what the attestation service needs from the ledger. The
// production implementation is LedgerBackend (ledger_backend.h); tests may
// supply their own to inject append failures.
//
// Thread safety: implementations must allow concurrent Append calls.
#pragma once

#include <cstdint>
#include <string>

#include "attest/bytes.h"
#include "attest/eip712.h"
#include "base/status.h"

namespace attestd::service {

// Implementations must be safe to call from many threads at once: every
// request thread appends its own receipt.
class ReceiptLog {
 public:
  virtual ~ReceiptLog() = default;
  // SHA-256 of the log origin line (the statement's logId).
  virtual Digest32 log_id() const = 0;
  virtual const std::string& origin() const = 0;
  // Appends one leaf and returns its index once it is durable on disk. On
  // error nothing was published and the caller must not hand out a receipt.
  [[nodiscard]] virtual absl::StatusOr<uint64_t> Append(const AttestationLeaf321& leaf) = 0;
  // The leaf index holding the statement with this requestId, or NotFound.
  [[nodiscard]] virtual absl::StatusOr<uint64_t> FindRequest(const Digest32& request_id) const = 0;
};

}  // namespace attestd::service
