// Completing a receipt with a log's newest evidence, behind `attest receipt
// verify --server ADDR`.
//
// FetchLedgerEvidence asks a LedgerSource for the newest signed checkpoint,
// an inclusion proof of the receipt's leaf in it, and, when the receipt
// already carries an older checkpoint, a consistency proof from that one to
// the newest, which it verifies (both notes' signatures and the RFC 9162
// proof). It then puts the newest checkpoint and inclusion proof into the
// receipt, so the offline verifier (verify/receipt_verifier.h) checks
// inclusion against it.
//
// Thread safety: a free function; safe to call concurrently with different
// sources and receipts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "attest/receipt.h"
#include "base/status.h"
#include "verify/ledger_source.h"

namespace attestd {

struct LedgerEvidence {
  uint64_t latest_size = 0;
  std::string latest_checkpoint;  // the newest signed note
  std::string verifier_key;       // the key used to check notes
  bool key_from_server = false;   // true when the caller pinned none
  // Set when the receipt had an older checkpoint: "from N to M verified".
  std::optional<std::string> consistency;
};

// `pinned_verifier_key` empty: trust the key the source reports (reported in
// the result). On success `receipt.ledger->inclusion` holds the newest
// checkpoint and the proof in it; on failure `receipt` is unchanged. Errors:
// InvalidArgument for a receipt without a leaf index or a malformed note or
// proof; Unavailable while no checkpoint covers the leaf yet; Unauthenticated
// for a bad note signature or an inconsistent log; DataLoss when the note
// and the source disagree on the size; the source's own errors otherwise.
[[nodiscard]] absl::StatusOr<LedgerEvidence> FetchLedgerEvidence(LedgerSource& log,
                                                                 const std::string& pinned_verifier_key,
                                                                 Receipt& receipt);

}  // namespace attestd
