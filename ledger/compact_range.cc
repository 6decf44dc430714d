#include "ledger/compact_range.h"

#include <bit>
#include <string>

#include "ledger/merkle_hash.h"

namespace attestd::ledger {

absl::StatusOr<CompactRange> CompactRange::FromFrontier(uint64_t size, std::span<const Digest32> frontier) {
  const size_t want = static_cast<size_t>(std::popcount(size));
  if (frontier.size() != want) {
    return absl::InvalidArgumentError("compact range for size " + std::to_string(size) + ": got " +
                                      std::to_string(frontier.size()) + " frontier hashes, want " +
                                      std::to_string(want));
  }
  CompactRange range;
  range.size_ = size;
  range.frontier_.assign(frontier.begin(), frontier.end());
  return range;
}

absl::Status CompactRange::Append(const Digest32& leaf_hash, std::vector<NodeHash>* completed) {
  if (size_ >= (uint64_t{1} << kMaxLevel)) {
    return absl::FailedPreconditionError("compact range: log is full at " + std::to_string(size_) + " leaves");
  }
  // Each set low bit of the old size is a left sibling waiting for this leaf's
  // subtree to reach its width: merge while they line up, like a binary carry.
  Digest32 hash = leaf_hash;
  int level = 0;
  if (completed != nullptr) completed->push_back(NodeHash{NodeId{0, size_}, hash});
  while ((size_ >> level) & 1) {
    hash = HashChildren(frontier_.back(), hash);
    frontier_.pop_back();
    ++level;
    if (completed != nullptr) completed->push_back(NodeHash{NodeId{level, size_ >> level}, hash});
  }
  frontier_.push_back(hash);
  ++size_;
  return absl::OkStatus();
}

Digest32 CompactRange::Root() const {
  if (frontier_.empty()) return EmptyRoot();
  Digest32 root = frontier_.back();
  for (size_t i = frontier_.size() - 1; i-- > 0;) root = HashChildren(frontier_[i], root);
  return root;
}

}  // namespace attestd::ledger
