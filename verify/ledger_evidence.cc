#include "verify/ledger_evidence.h"

#include <vector>

#include "attest/signed_note.h"
#include "ledger/checkpoint.h"
#include "ledger/proof_verify.h"

namespace attestd {

absl::StatusOr<LedgerEvidence> FetchLedgerEvidence(LedgerSource& log, const std::string& pinned_verifier_key,
                                                   Receipt& receipt) {
  if (!receipt.ledger) return absl::InvalidArgumentError("receipt has no ledger position (leaf_index)");
  LedgerEvidence evidence;

  absl::StatusOr<LedgerSource::Checkpoint> latest = log.LatestCheckpoint();
  if (absl::IsNotFound(latest.status())) {
    // A fresh log: the first checkpoint comes with the server's next timer tick.
    return absl::UnavailableError("leaf " + std::to_string(receipt.ledger->leaf_index) +
                                  " is not yet covered by a checkpoint (the server has issued none yet); retry "
                                  "after the next checkpoint");
  }
  RETURN_IF_ERROR(latest.status());
  evidence.latest_size = latest->tree_size;
  evidence.latest_checkpoint = latest->note;
  evidence.key_from_server = pinned_verifier_key.empty();
  evidence.verifier_key = evidence.key_from_server ? latest->verifier_key : pinned_verifier_key;
  ASSIGN_OR_RETURN(NoteVerifierKey key, ParseNoteVerifierKey(evidence.verifier_key));
  const std::vector<NoteVerifierKey> known = {key};
  ASSIGN_OR_RETURN(ledger::Checkpoint newest, ledger::OpenCheckpoint(latest->note, known));
  if (newest.size != latest->tree_size) {
    return absl::DataLossError("server checkpoint: note says size " + std::to_string(newest.size) +
                               ", response says " + std::to_string(latest->tree_size));
  }

  if (receipt.ledger->leaf_index >= newest.size) {
    return absl::UnavailableError("leaf " + std::to_string(receipt.ledger->leaf_index) +
                                  " is not yet covered by a checkpoint (the newest covers " +
                                  std::to_string(newest.size) + " leaves); retry after the next checkpoint");
  }

  // An older checkpoint in the receipt must be a prefix of the newest one.
  if (receipt.ledger->inclusion && receipt.ledger->inclusion->tree_size < newest.size) {
    ASSIGN_OR_RETURN(ledger::Checkpoint old, ledger::OpenCheckpoint(receipt.ledger->inclusion->checkpoint, known));
    ASSIGN_OR_RETURN(std::vector<Digest32> hashes, log.ConsistencyProof(old.size, newest.size));
    RETURN_IF_ERROR(ledger::VerifyConsistency(old.size, newest.size, hashes, old.root, newest.root));
    evidence.consistency = "checkpoint " + std::to_string(old.size) + " -> " + std::to_string(newest.size) +
                           " consistent (RFC 9162, " + std::to_string(hashes.size()) + " hashes)";
  }

  ASSIGN_OR_RETURN(std::vector<Digest32> hashes, log.InclusionProof(receipt.ledger->leaf_index, newest.size));
  receipt.ledger->inclusion = LedgerInclusion{newest.size, std::move(hashes), latest->note};
  return evidence;
}

}  // namespace attestd
