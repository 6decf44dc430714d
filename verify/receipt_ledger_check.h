// The ledger half of receipt verification (see receipt_verifier.h): the
// checks ledger_inclusion, log_id and checkpoint_signature, in that order.
// Internal to verify/; callers use VerifyReceipt.
//
// Thread safety: pure; safe to call concurrently.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "attest/receipt.h"
#include "verify/receipt_verifier.h"

namespace attestd {

// Always returns exactly three results. A receipt without an inclusion proof
// skips all three; a checkpoint that does not parse fails all three.
[[nodiscard]] std::vector<CheckResult> CheckLedgerEvidence(const Receipt& receipt,
                                                           const std::optional<std::string>& log_verifier_key);

}  // namespace attestd
