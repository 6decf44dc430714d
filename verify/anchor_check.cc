#include "verify/anchor_check.h"

#include <optional>
#include <vector>

#include "attest/eip712.h"
#include "attest/signed_note.h"
#include "chain/registry_abi.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle_hash.h"
#include "ledger/proof_verify.h"

namespace attestd {

absl::StatusOr<AnchorEvidence> VerifyReceiptAnchored(const Receipt& receipt, chain::EthClient& eth,
                                                     const Address20& registry,
                                                     const chain::AnchoredEventSearch& search, LedgerSource* log) {
  if (!receipt.ledger.has_value() || !receipt.ledger->inclusion.has_value()) {
    return absl::InvalidArgumentError("--rpc: the receipt has no ledger inclusion proof; add --server to fetch one");
  }
  const LedgerInclusion& inclusion = *receipt.ledger->inclusion;
  absl::StatusOr<std::string_view> body = NoteText(inclusion.checkpoint);
  if (!body.ok()) return absl::InvalidArgumentError("receipt checkpoint: no signature block");
  ASSIGN_OR_RETURN(ledger::Checkpoint checkpoint, ledger::ParseCheckpoint(*body));
  const Digest32 log_id = ledger::LogIdOf(checkpoint.origin);
  if (log_id != receipt.statement.log_id) {
    return absl::FailedPreconditionError("not anchored: the checkpoint's log id " + Hex0x(log_id) +
                                         ", the statement's " + Hex0x(receipt.statement.log_id));
  }
  const uint64_t index = receipt.ledger->leaf_index;

  // 1. The receipt's own checkpoint (already proven to hold the leaf) is anchored.
  auto direct = chain::VerifyRootOnChain(eth, registry, log_id, checkpoint.size, checkpoint.root, std::nullopt, search);
  if (direct.ok()) return AnchorEvidence{"checkpoint " + std::to_string(checkpoint.size) + " anchored", *direct};
  if (!absl::IsFailedPrecondition(direct.status())) return direct.status();

  // 2. A larger anchored tree: the log proves the leaf in it, checked against
  //    the root the registry holds.
  ASSIGN_OR_RETURN(Bytes latest_data, eth.Call(registry, chain::EncodeLatestCall(log_id)));
  ASSIGN_OR_RETURN(chain::LatestAnchor latest, chain::DecodeLatestResult(latest_data));
  if (latest.tree_size <= index) {
    return absl::FailedPreconditionError("not anchored: the registry's newest anchored size is " +
                                         std::to_string(latest.tree_size) + ", leaf " + std::to_string(index) +
                                         " needs > " + std::to_string(index));
  }
  if (log == nullptr) {
    return absl::FailedPreconditionError(
        "not anchored: size " + std::to_string(checkpoint.size) + " is not in the registry; size " +
        std::to_string(latest.tree_size) + " is: add --server to fetch an inclusion proof in it");
  }
  absl::StatusOr<std::vector<Digest32>> proof = log->InclusionProof(index, latest.tree_size);
  if (!proof.ok()) {
    return absl::UnavailableError("--server: inclusion proof of leaf " + std::to_string(index) + " at size " +
                                  std::to_string(latest.tree_size) + ": " + std::string(proof.status().message()));
  }
  const AttestationLeaf321 leaf = EncodeLedgerLeaf(receipt.statement, receipt.signature);
  absl::Status included =
      ledger::VerifyInclusion(index, latest.tree_size, ledger::HashLeaf(leaf.span()), *proof, latest.root);
  if (!included.ok()) {
    return absl::UnauthenticatedError("the leaf is not in the anchored root at size " +
                                      std::to_string(latest.tree_size) + ": " + std::string(included.message()));
  }
  ASSIGN_OR_RETURN(chain::OnChainAnchor anchored, chain::VerifyRootOnChain(eth, registry, log_id, latest.tree_size,
                                                                           latest.root, std::nullopt, search));
  return AnchorEvidence{"leaf " + std::to_string(index) + " included in anchored size " +
                            std::to_string(latest.tree_size),
                        anchored};
}

}  // namespace attestd
