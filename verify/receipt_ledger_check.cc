#include "verify/receipt_ledger_check.h"

#include "attest/eip712.h"
#include "attest/signed_note.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle_hash.h"
#include "ledger/proof_verify.h"

namespace attestd {
namespace {

constexpr char kInclusion[] = "ledger_inclusion";
constexpr char kLogId[] = "log_id";
constexpr char kCheckpointSignature[] = "checkpoint_signature";

CheckResult Result(const char* name, CheckOutcome outcome, std::string detail) {
  return {name, outcome, std::move(detail)};
}

}  // namespace

std::vector<CheckResult> CheckLedgerEvidence(const Receipt& receipt,
                                             const std::optional<std::string>& log_verifier_key) {
  if (!receipt.ledger || !receipt.ledger->inclusion) {
    std::string why = receipt.ledger ? "the receipt has a leaf index but no inclusion proof or checkpoint"
                                     : "the receipt has no ledger position";
    return {Result(kInclusion, CheckOutcome::kSkipped, why), Result(kLogId, CheckOutcome::kSkipped, why),
            Result(kCheckpointSignature, CheckOutcome::kSkipped, why)};
  }
  const uint64_t leaf_index = receipt.ledger->leaf_index;
  const LedgerInclusion& inc = *receipt.ledger->inclusion;

  // The checkpoint body is parsed before its signature is checked so that the
  // inclusion and log id checks can report on their own; none of them passes
  // unless the body parses.
  auto note = ParseNote(inc.checkpoint);
  absl::StatusOr<ledger::Checkpoint> checkpoint =
      note.ok() ? ledger::ParseCheckpoint(note->text) : absl::StatusOr<ledger::Checkpoint>(note.status());
  if (!checkpoint.ok()) {
    std::string why = "checkpoint does not parse: " + std::string(checkpoint.status().message());
    return {Result(kInclusion, CheckOutcome::kFail, why), Result(kLogId, CheckOutcome::kFail, why),
            Result(kCheckpointSignature, CheckOutcome::kFail, why)};
  }

  std::vector<CheckResult> out;
  if (checkpoint->size != inc.tree_size) {
    out.push_back(Result(kInclusion, CheckOutcome::kFail,
                         "checkpoint is for tree size " + std::to_string(checkpoint->size) +
                             ", receipt's proof is for tree size " + std::to_string(inc.tree_size)));
  } else {
    Digest32 leaf_hash = ledger::HashLeaf(EncodeLedgerLeaf(receipt.statement, receipt.signature).span());
    absl::Status included = ledger::VerifyInclusion(leaf_index, inc.tree_size, leaf_hash, inc.inclusion_proof,
                                                    checkpoint->root);
    out.push_back(included.ok()
                      ? Result(kInclusion, CheckOutcome::kPass,
                               "leaf " + std::to_string(leaf_index) + " of " + std::to_string(inc.tree_size) +
                                   " is under root " + HexEncode(checkpoint->root))
                      : Result(kInclusion, CheckOutcome::kFail,
                               "leaf " + std::to_string(leaf_index) + " (hash " + HexEncode(leaf_hash) +
                                   "): " + std::string(included.message())));
  }

  Digest32 log_id = ledger::LogIdOf(checkpoint->origin);
  out.push_back(log_id == receipt.statement.log_id
                    ? Result(kLogId, CheckOutcome::kPass, "SHA-256(\"" + checkpoint->origin + "\")")
                    : Result(kLogId, CheckOutcome::kFail,
                             "SHA-256 of checkpoint origin \"" + checkpoint->origin + "\" is " + HexEncode(log_id) +
                                 ", statement has " + HexEncode(receipt.statement.log_id)));

  if (!log_verifier_key) {
    out.push_back(Result(kCheckpointSignature, CheckOutcome::kSkipped, "no log verifier key given"));
    return out;
  }
  auto key = ParseNoteVerifierKey(*log_verifier_key);
  if (!key.ok()) {
    out.push_back(Result(kCheckpointSignature, CheckOutcome::kFail,
                         "log verifier key: " + std::string(key.status().message())));
    return out;
  }
  auto opened = ledger::OpenCheckpoint(inc.checkpoint, std::span<const NoteVerifierKey>(&*key, 1));
  out.push_back(opened.ok() ? Result(kCheckpointSignature, CheckOutcome::kPass, "signed by log key " + key->name)
                            : Result(kCheckpointSignature, CheckOutcome::kFail, std::string(opened.status().message())));
  return out;
}

}  // namespace attestd
