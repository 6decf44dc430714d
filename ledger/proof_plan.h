// Proof planning: which perfect-subtree nodes an RFC 9162 proof needs, and how
// their hashes combine into the proof. Planning knows nothing of storage: the
// store hands in a NodeReader, or fetches plan.nodes itself and calls
// AssembleProof.
//
// Every element of an RFC 9162 inclusion (2.1.3.1) or consistency (2.1.4.1)
// proof is MTH(D[a:b]) for some leaf range [a, b) whose start is aligned to a
// power of two >= b - a. Such a range is tiled by perfect subtrees
// (TileRange), and its hash is their right-to-left fold. Most elements are a
// single perfect node; at most one per proof (the one on the right edge of
// the tree) spans several.
//
// Thread safety: the functions are pure; a NodeReader's thread safety is the
// implementer's to state. Failure: every index and size is checked first and
// errors say got vs want; nothing is read for an invalid request.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "attest/bytes.h"
#include "base/status.h"
#include "ledger/node_id.h"

namespace attestd::ledger {

struct ProofPlan {
  // Every node to read, in proof order (proof element 0's nodes first).
  std::vector<NodeId> nodes;
  // Proof element j is the right-to-left fold of nodes[step_end[j-1], step_end[j])
  // (step_end[-1] = 0). step_end.size() is the number of proof hashes.
  std::vector<uint32_t> step_end;
};

// Nodes for the inclusion proof of leaf `index` in the tree of `size` leaves.
// OutOfRange if index >= size (so size 0 is always an error).
[[nodiscard]] absl::StatusOr<ProofPlan> PlanInclusion(uint64_t index, uint64_t size);

// Nodes for the consistency proof from tree size `size1` to `size2`.
// OutOfRange if size1 > size2; InvalidArgument if size1 == 0 (RFC 9162 defines
// no proof from the empty tree; the verifier rejects one too). size1 == size2
// gives an empty plan.
[[nodiscard]] absl::StatusOr<ProofPlan> PlanConsistency(uint64_t size1, uint64_t size2);

// Nodes whose fold is the root of the tree of `size` leaves (the frontier,
// TileRange(0, size)); empty for size 0, whose root is EmptyRoot().
[[nodiscard]] ProofPlan PlanRoot(uint64_t size);

// Combines the hashes of plan.nodes (same order, same count) into the proof
// hashes. InvalidArgument if node_hashes.size() != plan.nodes.size().
[[nodiscard]] absl::StatusOr<std::vector<Digest32>> AssembleProof(const ProofPlan& plan,
                                                                  std::span<const Digest32> node_hashes);

// Where planned node hashes come from. ReadNode returns the hash of the
// perfect subtree `id` (level 0: the leaf hash). It is called only for nodes
// wholly inside the tree size that was planned for. Errors it returns are
// passed through unchanged (NotFound / DataLoss from a store).
class NodeReader {
 public:
  virtual ~NodeReader() = default;
  [[nodiscard]] virtual absl::StatusOr<Digest32> ReadNode(const NodeId& id) const = 0;
};

// Plan, read through `reader`, assemble. Errors: those of the Plan* function,
// then the reader's.
[[nodiscard]] absl::StatusOr<std::vector<Digest32>> InclusionProof(uint64_t index, uint64_t size,
                                                                   const NodeReader& reader);
[[nodiscard]] absl::StatusOr<std::vector<Digest32>> ConsistencyProof(uint64_t size1, uint64_t size2,
                                                                     const NodeReader& reader);
// The root of the first `size` leaves from the frontier nodes; EmptyRoot() for 0.
[[nodiscard]] absl::StatusOr<Digest32> RootFromReader(uint64_t size, const NodeReader& reader);

}  // namespace attestd::ledger
