// LedgerQueries: what LedgerService answers (docs/api.md), without gRPC:
// checkpoints, entries, inclusion and consistency proofs, logged receipts by
// request id, and anchor records. grpc_services.h only parses a request,
// makes one call here and converts the result.
//
// Request semantics live here, once: a tree size of 0 means the newest
// checkpoint's size (NotFound before the first checkpoint). Proofs and their
// size checks are ledger/store_proofs.h's; anchors are chain/'s records in
// the same database.
//
// Ownership: borrows the LedgerBackend, which must outlive this object.
// Thread safety: every method may be called from any thread, concurrently
// with appends (the store's readers see the published size).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "attest/bytes.h"
#include "attest/receipt.h"
#include "base/status.h"
#include "chain/anchor_record.h"
#include "ledger/proof_json.h"
#include "services/ledger_backend.h"

namespace attestd::service {

class LedgerQueries {
 public:
  // The name a logged receipt reports for its model digest. With several
  // names for one digest, the last one wins.
  struct ModelName {
    Digest32 model_digest;
    std::string name;
  };

  LedgerQueries(const LedgerBackend* ledger, std::vector<ModelName> model_names)
      : ledger_(ledger), model_names_(std::move(model_names)) {}

  struct Checkpoint {
    std::string note;  // the signed note stored at tree_size
    uint64_t tree_size = 0;
    Digest32 root;
    std::string verifier_key;  // the log's note verifier key
  };
  // The checkpoint stored at exactly `tree_size` (0: the newest). NotFound
  // when none was issued there (or at all).
  [[nodiscard]] absl::StatusOr<Checkpoint> GetCheckpoint(uint64_t tree_size) const;

  struct Entry {
    uint64_t index = 0;
    Bytes leaf;  // the 321 bytes (attest/eip712.h)
    Digest32 leaf_hash;
  };
  // OutOfRange for an index at or beyond the log's size.
  [[nodiscard]] absl::StatusOr<Entry> GetEntry(uint64_t index) const;

  // OutOfRange for a tree size beyond the log or an index at or beyond it
  // (ledger::ProveInclusion); NotFound for tree size 0 before any checkpoint.
  [[nodiscard]] absl::StatusOr<ledger::InclusionProofRecord> GetInclusionProof(uint64_t index,
                                                                               uint64_t tree_size) const;
  // InvalidArgument "from_size: got F, want 1..T" unless 0 < from_size <=
  // to_size; OutOfRange for a to_size beyond the log (checked first);
  // NotFound for to_size 0 before any checkpoint.
  [[nodiscard]] absl::StatusOr<ledger::ConsistencyProofRecord> GetConsistencyProof(uint64_t from_size,
                                                                                   uint64_t to_size) const;

  // The receipt an auditor gets for `request_id`: the logged statement and
  // signature, the signer recovered from them (receipts signed before a key
  // rotation name their own attestor), the model's name, the leaf index, no
  // salt. InvalidArgument for an empty id; NotFound when no leaf has it;
  // DataLoss when the stored leaf does not decode or its signature does not
  // recover.
  [[nodiscard]] absl::StatusOr<Receipt> GetReceipt(std::string_view request_id) const;

  // Every anchor record of the chain exporter, ascending by tree size.
  [[nodiscard]] absl::StatusOr<std::vector<chain::AnchorRecord>> ListAnchors() const;

  // The log's origin line, which receipts name.
  const std::string& origin() const { return ledger_->origin(); }

 private:
  // `tree_size`, or the newest checkpoint's size when it is 0.
  [[nodiscard]] absl::StatusOr<uint64_t> ResolveTreeSize(uint64_t tree_size) const;

  const LedgerBackend* ledger_;
  std::vector<ModelName> model_names_;
};

}  // namespace attestd::service
