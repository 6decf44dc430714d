#include "ledger/store_proofs.h"

#include "ledger/proof_plan.h"

namespace attestd::ledger {
namespace {

absl::Status CheckSize(const LogStore& store, uint64_t size, const char* what) {
  uint64_t published = store.Size();
  if (size > published) {
    return absl::OutOfRangeError(std::string(what) + ": got tree size " + std::to_string(size) + ", the log has " +
                                 std::to_string(published) + " leaves");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<InclusionProofRecord> ProveInclusion(const LogStore& store, uint64_t index, uint64_t size) {
  RETURN_IF_ERROR(CheckSize(store, size, "inclusion proof"));
  InclusionProofRecord record;
  record.index = index;
  record.tree_size = size;
  ASSIGN_OR_RETURN(record.proof, InclusionProof(index, size, store));  // checks index < size
  ASSIGN_OR_RETURN(record.leaf_hash, store.GetNode(0, index));
  ASSIGN_OR_RETURN(record.root, store.RootAt(size));
  return record;
}

absl::StatusOr<ConsistencyProofRecord> ProveConsistency(const LogStore& store, uint64_t from, uint64_t to) {
  RETURN_IF_ERROR(CheckSize(store, to, "consistency proof"));
  ConsistencyProofRecord record;
  record.from = from;
  record.to = to;
  ASSIGN_OR_RETURN(record.proof, ConsistencyProof(from, to, store));  // checks 0 < from <= to
  ASSIGN_OR_RETURN(record.root_from, store.RootAt(from));
  ASSIGN_OR_RETURN(record.root_to, store.RootAt(to));
  return record;
}

}  // namespace attestd::ledger
