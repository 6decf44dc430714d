#include "ledger/proof_plan.h"

#include <algorithm>
#include <bit>
#include <string>

#include "ledger/merkle_hash.h"

namespace attestd::ledger {
namespace {

struct LeafRange {
  uint64_t begin;
  uint64_t end;
};

// Largest power of two strictly less than n (n >= 2): RFC 9162's split point k.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// `ranges` were collected from the root down; RFC 9162 lists proof elements
// from the leaf up, so they are emitted in reverse.
ProofPlan PlanFromRanges(std::vector<LeafRange>& ranges) {
  std::reverse(ranges.begin(), ranges.end());
  ProofPlan plan;
  plan.step_end.reserve(ranges.size());
  plan.nodes.reserve(ranges.size() + 8);
  for (const LeafRange& range : ranges) {
    for (const NodeId& id : TileRange(range.begin, range.end)) plan.nodes.push_back(id);
    plan.step_end.push_back(static_cast<uint32_t>(plan.nodes.size()));
  }
  return plan;
}

// Reads every planned node; the reader's error passes through, with the node
// named so a missing node in a store can be found.
absl::StatusOr<std::vector<Digest32>> ReadAll(const ProofPlan& plan, const NodeReader& reader) {
  std::vector<Digest32> hashes;
  hashes.reserve(plan.nodes.size());
  for (const NodeId& id : plan.nodes) {
    ASSIGN_OR_RETURN(Digest32 hash, reader.ReadNode(id));
    hashes.push_back(hash);
  }
  return hashes;
}

}  // namespace

absl::StatusOr<ProofPlan> PlanInclusion(uint64_t index, uint64_t size) {
  if (index >= size) {
    return absl::OutOfRangeError("inclusion proof: leaf index " + std::to_string(index) +
                                 " is not below tree size " + std::to_string(size));
  }
  // RFC 9162 2.1.3.1 PATH(m, D[a:b]), unrolled: descend towards leaf `index`,
  // recording the subtree on the other side at every split.
  std::vector<LeafRange> ranges;
  uint64_t begin = 0;
  uint64_t end = size;
  while (end - begin > 1) {
    const uint64_t mid = begin + SplitPoint(end - begin);
    if (index < mid) {
      ranges.push_back({mid, end});
      end = mid;
    } else {
      ranges.push_back({begin, mid});
      begin = mid;
    }
  }
  return PlanFromRanges(ranges);
}

absl::StatusOr<ProofPlan> PlanConsistency(uint64_t size1, uint64_t size2) {
  if (size1 > size2) {
    return absl::OutOfRangeError("consistency proof: size1 " + std::to_string(size1) + " exceeds size2 " +
                                 std::to_string(size2));
  }
  if (size1 == 0) {
    return absl::InvalidArgumentError("consistency proof: size1 is 0, want >= 1 (no proof from the empty tree)");
  }
  // RFC 9162 2.1.4.1 SUBPROOF(m, D[a:b], b), unrolled. `m` is relative to `begin`.
  std::vector<LeafRange> ranges;
  uint64_t begin = 0;
  uint64_t end = size2;
  uint64_t m = size1;
  bool whole_old_tree = true;  // the RFC's flag b: [begin, begin+m) is the old tree itself
  while (true) {
    if (m == end - begin) {
      if (!whole_old_tree) ranges.push_back({begin, end});
      break;
    }
    const uint64_t k = SplitPoint(end - begin);
    if (m <= k) {
      ranges.push_back({begin + k, end});
      end = begin + k;
    } else {
      ranges.push_back({begin, begin + k});
      begin += k;
      m -= k;
      whole_old_tree = false;
    }
  }
  return PlanFromRanges(ranges);
}

ProofPlan PlanRoot(uint64_t size) {
  ProofPlan plan;
  plan.nodes = TileRange(0, size);
  if (!plan.nodes.empty()) plan.step_end.push_back(static_cast<uint32_t>(plan.nodes.size()));
  return plan;
}

absl::StatusOr<std::vector<Digest32>> AssembleProof(const ProofPlan& plan, std::span<const Digest32> node_hashes) {
  if (node_hashes.size() != plan.nodes.size()) {
    return absl::InvalidArgumentError("assemble proof: got " + std::to_string(node_hashes.size()) +
                                      " node hashes, want " + std::to_string(plan.nodes.size()));
  }
  std::vector<Digest32> proof;
  proof.reserve(plan.step_end.size());
  size_t step_begin = 0;
  for (uint32_t step_end : plan.step_end) {
    Digest32 hash = node_hashes[step_end - 1];
    for (size_t i = step_end - 1; i-- > step_begin;) hash = HashChildren(node_hashes[i], hash);
    proof.push_back(hash);
    step_begin = step_end;
  }
  return proof;
}

absl::StatusOr<std::vector<Digest32>> InclusionProof(uint64_t index, uint64_t size, const NodeReader& reader) {
  ASSIGN_OR_RETURN(ProofPlan plan, PlanInclusion(index, size));
  ASSIGN_OR_RETURN(std::vector<Digest32> hashes, ReadAll(plan, reader));
  return AssembleProof(plan, hashes);
}

absl::StatusOr<std::vector<Digest32>> ConsistencyProof(uint64_t size1, uint64_t size2, const NodeReader& reader) {
  ASSIGN_OR_RETURN(ProofPlan plan, PlanConsistency(size1, size2));
  ASSIGN_OR_RETURN(std::vector<Digest32> hashes, ReadAll(plan, reader));
  return AssembleProof(plan, hashes);
}

absl::StatusOr<Digest32> RootFromReader(uint64_t size, const NodeReader& reader) {
  if (size == 0) return EmptyRoot();
  const ProofPlan plan = PlanRoot(size);
  ASSIGN_OR_RETURN(std::vector<Digest32> hashes, ReadAll(plan, reader));
  ASSIGN_OR_RETURN(std::vector<Digest32> folded, AssembleProof(plan, hashes));
  return folded.front();
}

}  // namespace attestd::ledger
