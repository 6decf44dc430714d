// NodeId: the address of a perfect (full) subtree of the Merkle log.
//
// Node (level, index) covers the half-open leaf range
//   [index * 2^level, (index + 1) * 2^level).
// Level 0 nodes are leaves (their hash is HashLeaf of the leaf bytes). A node
// exists in a tree of size n only when its whole range is below n; ranges
// that end inside a node ("ephemeral" nodes of RFC 9162's unbalanced right
// edge) are never addressed by a NodeId; they are rebuilt from the perfect
// nodes that tile them (see compact_range.h and proof_plan.h).
//
// Value type; all functions are constexpr and thread safe.
#pragma once

#include <bit>
#include <compare>
#include <cstdint>
#include <vector>

namespace attestd::ledger {

// Levels above 63 cannot be addressed with 64-bit leaf indices.
inline constexpr int kMaxLevel = 63;

struct NodeId {
  int level = 0;
  uint64_t index = 0;

  // First leaf covered, inclusive.
  constexpr uint64_t begin() const { return index << level; }
  // One past the last leaf covered. Valid while begin() + 2^level fits in 64 bits.
  constexpr uint64_t end() const { return (index + 1) << level; }
  constexpr uint64_t width() const { return uint64_t{1} << level; }
  constexpr NodeId Parent() const { return NodeId{level + 1, index >> 1}; }
  constexpr NodeId Sibling() const { return NodeId{level, index ^ 1}; }

  friend constexpr bool operator==(const NodeId&, const NodeId&) = default;
  friend constexpr auto operator<=>(const NodeId&, const NodeId&) = default;
};

// The perfect subtrees that tile the half-open leaf range [begin, end), left
// to right, each as large as its alignment allows. For [0, n) these are the
// roots of the "frontier" whose right-to-left fold is MTH(D[0:n]) (one node
// per set bit of n, largest first). Requires begin <= end; empty when equal.
inline std::vector<NodeId> TileRange(uint64_t begin, uint64_t end) {
  std::vector<NodeId> out;
  while (begin < end) {
    // Largest power of two that both divides `begin` (alignment) and fits in
    // what is left of the range.
    int level = begin == 0 ? kMaxLevel : std::countr_zero(begin);
    const int fits = std::bit_width(end - begin) - 1;
    if (fits < level) level = fits;
    out.push_back(NodeId{level, begin >> level});
    begin += uint64_t{1} << level;
  }
  return out;
}

}  // namespace attestd::ledger
