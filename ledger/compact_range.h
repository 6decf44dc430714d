// CompactRange: the frontier of an append-only Merkle log. It holds one hash
// per set bit of the size (the perfect subtrees that tile [0, size), largest
// first), so appending a leaf and computing the root cost O(log size).
//
// Append reports every node that became complete, so a store can persist all
// full-subtree hashes as they appear (the proofs of proof_plan.h read them).
//
// Value type, copyable; not thread safe (one writer owns it).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "attest/bytes.h"
#include "base/status.h"
#include "ledger/node_id.h"

namespace attestd::ledger {

struct NodeHash {
  NodeId id;
  Digest32 hash;
};

class CompactRange {
 public:
  // The empty log.
  CompactRange() = default;

  // Rebuilds the frontier of a log of `size` leaves from the hashes of
  // TileRange(0, size) (PlanRoot(size).nodes), in that order.
  // InvalidArgument if the count is not popcount(size).
  [[nodiscard]] static absl::StatusOr<CompactRange> FromFrontier(uint64_t size,
                                                                std::span<const Digest32> frontier);

  uint64_t size() const { return size_; }
  // Frontier hashes, largest subtree first (TileRange(0, size()) order).
  const std::vector<Digest32>& frontier() const { return frontier_; }

  // Appends the leaf whose hash is `leaf_hash`. If `completed` is non-null,
  // appends to it every node that became complete, bottom-up: the leaf itself
  // (level 0) and each parent that the append finished.
  // FailedPrecondition if the log already holds 2^63 leaves.
  [[nodiscard]] absl::Status Append(const Digest32& leaf_hash, std::vector<NodeHash>* completed);

  // RFC 9162 root of the current size; EmptyRoot() when empty.
  [[nodiscard]] Digest32 Root() const;

 private:
  uint64_t size_ = 0;
  std::vector<Digest32> frontier_;
};

}  // namespace attestd::ledger
