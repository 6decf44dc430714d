#include "services/ledger_queries.h"

#include "attest/eip712.h"
#include "attest/secp256k1_signer.h"
#include "ledger/merkle_hash.h"
#include "ledger/store_proofs.h"
#include "services/attestation_service.h"

namespace attestd::service {

absl::StatusOr<uint64_t> LedgerQueries::ResolveTreeSize(uint64_t tree_size) const {
  if (tree_size != 0) return tree_size;
  ASSIGN_OR_RETURN(std::vector<uint64_t> sizes, ledger_->store().CheckpointSizes());
  if (sizes.empty()) return absl::NotFoundError("no checkpoint has been issued yet");
  return sizes.back();
}

absl::StatusOr<LedgerQueries::Checkpoint> LedgerQueries::GetCheckpoint(uint64_t tree_size) const {
  Checkpoint out;
  ASSIGN_OR_RETURN(out.tree_size, ResolveTreeSize(tree_size));
  ASSIGN_OR_RETURN(out.note, ledger_->store().GetCheckpoint(out.tree_size));
  ASSIGN_OR_RETURN(out.root, ledger_->store().RootAt(out.tree_size));
  out.verifier_key = ledger_->verifier_key();
  return out;
}

absl::StatusOr<LedgerQueries::Entry> LedgerQueries::GetEntry(uint64_t index) const {
  Entry out;
  out.index = index;
  ASSIGN_OR_RETURN(out.leaf, ledger_->store().GetLeaf(index));
  out.leaf_hash = ledger::HashLeaf(out.leaf);
  return out;
}

absl::StatusOr<ledger::InclusionProofRecord> LedgerQueries::GetInclusionProof(uint64_t index,
                                                                              uint64_t tree_size) const {
  ASSIGN_OR_RETURN(uint64_t size, ResolveTreeSize(tree_size));
  return ledger::ProveInclusion(ledger_->store(), index, size);
}

absl::StatusOr<ledger::ConsistencyProofRecord> LedgerQueries::GetConsistencyProof(uint64_t from_size,
                                                                                  uint64_t to_size) const {
  ASSIGN_OR_RETURN(uint64_t to, ResolveTreeSize(to_size));
  // The store reports a to_size beyond the log first. A from_size past
  // to_size is a bad field of the request here (INVALID_ARGUMENT, docs/api.md),
  // where the proof planner calls it out of range.
  if (to <= ledger_->store().Size() && from_size > to) {
    return absl::InvalidArgumentError("from_size: got " + std::to_string(from_size) + ", want 1.." +
                                      std::to_string(to));
  }
  return ledger::ProveConsistency(ledger_->store(), from_size, to);
}

absl::StatusOr<Receipt> LedgerQueries::GetReceipt(std::string_view request_id) const {
  if (request_id.empty()) return absl::InvalidArgumentError("request_id: required");
  absl::StatusOr<uint64_t> index = ledger_->FindRequest(RequestIdDigest(request_id));
  if (!index.ok()) {
    return absl::NotFoundError("request_id: no receipt for \"" + std::string(request_id) + "\"");
  }
  ASSIGN_OR_RETURN(Bytes leaf, ledger_->store().GetLeaf(*index));
  absl::StatusOr<SignedAttestation> decoded = DecodeLedgerLeaf(leaf);
  if (!decoded.ok()) return absl::DataLossError(std::string(decoded.status().message()));
  IssuedReceipt issued;
  issued.attestation = *decoded;
  issued.leaf_index = *index;
  absl::StatusOr<Address20> signer = RecoverAddress(AttestationSigningDigest(decoded->statement), decoded->signature);
  if (!signer.ok()) return absl::DataLossError(std::string(signer.status().message()));
  issued.attestor = *signer;
  std::string model_name;
  for (const ModelName& m : model_names_) {
    if (m.model_digest == decoded->statement.model_digest) model_name = m.name;
  }
  return MakeReceipt(issued, model_name, std::nullopt);
}

absl::StatusOr<std::vector<chain::AnchorRecord>> LedgerQueries::ListAnchors() const {
  return chain::AnchorLedger(ledger_->store()).List();
}

}  // namespace attestd::service
