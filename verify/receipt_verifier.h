// Offline receipt verification: everything an auditor can check with the
// receipt, optionally the plaintext request and response, the attestor's
// expected address and the log's public key, and no network.
//
// Checks, in report order (names are stable; tests and the CLI use them):
//   signature          the 65-byte signature is a canonical (low-S, v 27/28)
//                      signature over the statement's EIP-712 digest by the
//                      receipt's `attestor`
//   attestor           receipt.attestor equals the expected attestor
//                      (skipped when none is given: then the signature only
//                      proves that SOME key signed, not whose)
//   input_commitment   recomputed from the request and the receipt's salt
//                      equals statement.input_commitment (skipped without a
//                      request; failed without a salt)
//   output_commitment  likewise for the response
//   model_name         request.model equals receipt.model (skipped without a
//                      request; the model name itself is committed in the input)
//   ledger_inclusion   the leaf EncodeLedgerLeaf(statement, signature) is at
//                      leaf_index in the tree whose root the checkpoint
//                      states (skipped when the receipt has no inclusion proof)
//   log_id             SHA-256 of the checkpoint's origin line equals
//                      statement.log_id (skipped without a checkpoint)
//   checkpoint_signature  the checkpoint note carries a valid Ed25519
//                      signature by the given log verifier key (skipped
//                      without a checkpoint or without a key)
// Every failure's detail says what did not match, with got and want values.
//
// Thread safety: pure; safe to call concurrently. Never throws, never aborts
// on malformed input (a malformed checkpoint is a failed check).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "attest/commitment.h"
#include "attest/receipt.h"

namespace attestd {

enum class CheckOutcome { kPass, kFail, kSkipped };

struct CheckResult {
  std::string name;  // one of the names above
  CheckOutcome outcome = CheckOutcome::kSkipped;
  std::string detail;  // why it failed or was skipped; what was compared when it passed
};

struct VerificationReport {
  std::vector<CheckResult> checks;

  // True when no check failed and the signature check passed. Skipped checks
  // do not fail a receipt; callers that require them (e.g. an expected
  // attestor) must supply their inputs.
  [[nodiscard]] bool verified() const;
  // The first failed check, or nullptr.
  [[nodiscard]] const CheckResult* first_failure() const;
  // The result of the named check, or nullptr if there is none.
  [[nodiscard]] const CheckResult* find(std::string_view name) const;
  // One line per check: "PASS signature: ..." / "FAIL ..." / "SKIP ...".
  [[nodiscard]] std::string ToText() const;
};

// Borrowed inputs; the pointers must outlive the call only.
struct ReceiptVerifyInputs {
  std::optional<Address20> expected_attestor;
  const CommittedRequest* request = nullptr;    // plaintext request, if the caller has it
  const CommittedResponse* response = nullptr;  // plaintext response, if the caller has it
  // The log's C2SP note verifier key ("<name>+<hash hex>+<base64 key>").
  std::optional<std::string> log_verifier_key;
};

[[nodiscard]] VerificationReport VerifyReceipt(const Receipt& receipt, const ReceiptVerifyInputs& inputs);

}  // namespace attestd
