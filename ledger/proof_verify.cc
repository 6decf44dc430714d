#include "ledger/proof_verify.h"

#include <algorithm>
#include <bit>
#include <string>

#include "ledger/merkle_hash.h"

namespace attestd::ledger {
namespace {

std::string Str(uint64_t v) { return std::to_string(v); }

bool SameBytes(const Digest32& computed, ByteSpan want) {
  return want.size() == kHashSize && std::equal(want.begin(), want.end(), computed.begin());
}

absl::Status RootMismatch(std::string_view what, const Digest32& computed, ByteSpan want) {
  return absl::UnauthenticatedError(std::string(what) + ": computed root " + HexEncode(computed) +
                                    ", want " + HexEncode(want));
}

// Length of the RFC 9162 PATH for leaf `index` in a tree of `size` leaves:
// one hash per split on the way down. Requires index < size.
size_t InclusionPathLength(uint64_t index, uint64_t size) {
  size_t length = 0;
  uint64_t begin = 0;
  uint64_t end = size;
  while (end - begin > 1) {
    const uint64_t mid = begin + std::bit_floor(end - begin - 1);
    if (index < mid) {
      end = mid;
    } else {
      begin = mid;
    }
    ++length;
  }
  return length;
}

// Length of the RFC 9162 PROOF(m, D[n]) for 0 < m < n (SUBPROOF, counted).
size_t ConsistencyProofLength(uint64_t m, uint64_t n) {
  size_t length = 0;
  bool whole_old_tree = true;
  while (m != n) {
    const uint64_t k = std::bit_floor(n - 1);
    if (m <= k) {
      n = k;
    } else {
      m -= k;
      n -= k;
      whole_old_tree = false;
    }
    ++length;
  }
  return length + (whole_old_tree ? 0 : 1);
}

absl::StatusOr<std::vector<Digest32>> ToDigests(std::span<const Bytes> proof) {
  std::vector<Digest32> out;
  out.reserve(proof.size());
  for (size_t i = 0; i < proof.size(); ++i) {
    ASSIGN_OR_RETURN(Digest32 hash, Digest32::FromSpan(proof[i], "proof[" + std::to_string(i) + "]"));
    out.push_back(hash);
  }
  return out;
}

absl::Status CheckConsistencyShape(uint64_t size1, uint64_t size2, size_t proof_size) {
  if (size1 > size2) {
    return absl::OutOfRangeError("consistency proof: size1 " + Str(size1) + " exceeds size2 " + Str(size2));
  }
  // Size 0 first: even 0 -> 0 is refused (the shared vectors pin this).
  if (size1 == 0) {
    return absl::InvalidArgumentError("consistency proof: size1 is 0, want >= 1 (no proof from the empty tree)");
  }
  if (size1 == size2) {
    if (proof_size != 0) {
      return absl::InvalidArgumentError("consistency proof between equal sizes " + Str(size1) + ": got " +
                                        Str(proof_size) + " hashes, want 0");
    }
    return absl::OkStatus();
  }
  const size_t want = ConsistencyProofLength(size1, size2);
  if (proof_size != want) {
    return absl::InvalidArgumentError("consistency proof " + Str(size1) + " -> " + Str(size2) + ": got " +
                                      Str(proof_size) + " hashes, want " + Str(want));
  }
  return absl::OkStatus();
}

// RFC 9162 2.1.4.2 for 0 < size1 < size2 and a proof of the right length.
absl::Status VerifyConsistencyChecked(uint64_t size1, uint64_t size2, std::span<const Digest32> proof,
                                      const Digest32& root1, ByteSpan root2) {
  // Step 2: when the old tree is a perfect subtree, the proof omits its hash
  // because the verifier already holds it as root1.
  std::span<const Digest32> rest = proof;
  Digest32 seed;
  if (std::has_single_bit(size1)) {
    seed = root1;
  } else {
    seed = rest.front();
    rest = rest.subspan(1);
  }
  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Digest32 fr = seed;
  Digest32 sr = seed;
  for (const Digest32& c : rest) {
    if (sn == 0) return absl::InvalidArgumentError("consistency proof: more hashes than tree levels");
    if ((fn & 1) || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return absl::InvalidArgumentError("consistency proof: fewer hashes than tree levels");
  if (fr != root1) return RootMismatch("consistency proof, old tree", fr, root1.span());
  if (!SameBytes(sr, root2)) return RootMismatch("consistency proof, new tree", sr, root2);
  return absl::OkStatus();
}

absl::Status VerifyConsistencyCore(uint64_t size1, uint64_t size2, std::span<const Digest32> proof,
                                   ByteSpan root1, ByteSpan root2) {
  RETURN_IF_ERROR(CheckConsistencyShape(size1, size2, proof.size()));
  if (size1 == size2) {
    if (!std::equal(root1.begin(), root1.end(), root2.begin(), root2.end())) {
      return absl::UnauthenticatedError("consistency proof between equal sizes: root1 " + HexEncode(root1) +
                                        " differs from root2 " + HexEncode(root2));
    }
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(Digest32 typed_root1, Digest32::FromSpan(root1, "root1"));
  return VerifyConsistencyChecked(size1, size2, proof, typed_root1, root2);
}

}  // namespace

absl::StatusOr<Digest32> RootFromInclusionProof(uint64_t index, uint64_t size, const Digest32& leaf_hash,
                                                std::span<const Digest32> proof) {
  if (index >= size) {
    return absl::OutOfRangeError("inclusion proof: leaf index " + Str(index) + " is not below tree size " +
                                 Str(size));
  }
  const size_t want = InclusionPathLength(index, size);
  if (proof.size() != want) {
    return absl::InvalidArgumentError("inclusion proof for leaf " + Str(index) + " of " + Str(size) + ": got " +
                                      Str(proof.size()) + " hashes, want " + Str(want));
  }
  // RFC 9162 2.1.3.2: fn walks the leaf's path, sn the tree's last leaf; where
  // they meet on the right edge, levels with no sibling are skipped.
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Digest32 r = leaf_hash;
  for (const Digest32& p : proof) {
    if (sn == 0) return absl::InvalidArgumentError("inclusion proof: more hashes than tree levels");
    if ((fn & 1) || fn == sn) {
      r = HashChildren(p, r);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return absl::InvalidArgumentError("inclusion proof: fewer hashes than tree levels");
  return r;
}

absl::Status VerifyInclusion(uint64_t index, uint64_t size, const Digest32& leaf_hash,
                             std::span<const Digest32> proof, const Digest32& root) {
  ASSIGN_OR_RETURN(Digest32 computed, RootFromInclusionProof(index, size, leaf_hash, proof));
  if (computed != root) return RootMismatch("inclusion proof", computed, root.span());
  return absl::OkStatus();
}

absl::Status VerifyInclusionRaw(uint64_t index, uint64_t size, ByteSpan leaf_hash, std::span<const Bytes> proof,
                                ByteSpan root) {
  ASSIGN_OR_RETURN(Digest32 leaf, Digest32::FromSpan(leaf_hash, "leaf hash"));
  ASSIGN_OR_RETURN(std::vector<Digest32> path, ToDigests(proof));
  ASSIGN_OR_RETURN(Digest32 computed, RootFromInclusionProof(index, size, leaf, path));
  if (!SameBytes(computed, root)) return RootMismatch("inclusion proof", computed, root);
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Digest32> proof,
                               const Digest32& root1, const Digest32& root2) {
  return VerifyConsistencyCore(size1, size2, proof, root1.span(), root2.span());
}

absl::Status VerifyConsistencyRaw(uint64_t size1, uint64_t size2, std::span<const Bytes> proof, ByteSpan root1,
                                  ByteSpan root2) {
  ASSIGN_OR_RETURN(std::vector<Digest32> path, ToDigests(proof));
  return VerifyConsistencyCore(size1, size2, path, root1, root2);
}

bool IsValidSubtree(uint64_t start, uint64_t end) {
  if (start >= end) return false;
  const uint64_t width = end - start;
  // bit_ceil(width) would be 2^64 here; only start 0 is a multiple of it.
  if (width > (uint64_t{1} << 63)) return start == 0;
  return start % std::bit_ceil(width) == 0;
}

absl::Status VerifySubtreeInclusionRaw(uint64_t index, uint64_t start, uint64_t end, ByteSpan leaf_hash,
                                       std::span<const Bytes> proof, ByteSpan subtree_root) {
  if (!IsValidSubtree(start, end)) {
    return absl::InvalidArgumentError("subtree [" + Str(start) + ", " + Str(end) + ") is not a valid subtree");
  }
  if (index < start || index >= end) {
    return absl::OutOfRangeError("subtree inclusion: leaf index " + Str(index) + " is outside [" + Str(start) +
                                 ", " + Str(end) + ")");
  }
  // An aligned subtree's hash is MTH of its leaves, so this is an ordinary
  // inclusion proof in a tree of end - start leaves.
  return VerifyInclusionRaw(index - start, end - start, leaf_hash, proof, subtree_root);
}

absl::Status VerifySubtreeConsistencyRaw(uint64_t start, uint64_t end, uint64_t size, std::span<const Bytes> proof,
                                         ByteSpan subtree_root, ByteSpan root) {
  if (start == end && end <= size) {
    // The empty subtree is part of every tree; its hash must be MTH({}).
    if (!proof.empty()) {
      return absl::InvalidArgumentError("subtree consistency for an empty subtree: got " + Str(proof.size()) +
                                        " hashes, want 0");
    }
    if (!SameBytes(EmptyRoot(), subtree_root)) {
      return absl::UnauthenticatedError("subtree consistency: empty subtree hash " + HexEncode(subtree_root) +
                                        ", want " + HexEncode(EmptyRoot()));
    }
    return absl::OkStatus();
  }
  if (start == 0 && end == size) {
    // The subtree is the whole tree: as for equal sizes, compare the roots.
    if (!proof.empty()) {
      return absl::InvalidArgumentError("subtree consistency for the whole tree: got " + Str(proof.size()) +
                                        " hashes, want 0");
    }
    if (!std::equal(subtree_root.begin(), subtree_root.end(), root.begin(), root.end())) {
      return absl::UnauthenticatedError("subtree consistency for the whole tree: subtree root " +
                                        HexEncode(subtree_root) + " differs from root " + HexEncode(root));
    }
    return absl::OkStatus();
  }
  if (!IsValidSubtree(start, end)) {
    return absl::InvalidArgumentError("subtree [" + Str(start) + ", " + Str(end) + ") is not a valid subtree");
  }
  if (end > size) {
    return absl::OutOfRangeError("subtree consistency: subtree end " + Str(end) + " exceeds tree size " + Str(size));
  }
  ASSIGN_OR_RETURN(std::vector<Digest32> path, ToDigests(proof));
  ASSIGN_OR_RETURN(Digest32 node, Digest32::FromSpan(subtree_root, "subtree root"));
  // Three cursors climb together: fn and sn the subtree's first and last
  // leaf, tn the tree's last leaf. fr rebuilds the subtree hash from the
  // proof, sr the tree root; both start from the same seed.
  uint64_t fn = start;
  uint64_t sn = end - 1;
  uint64_t tn = size - 1;
  auto climb = [&] {
    fn >>= 1;
    sn >>= 1;
    tn >>= 1;
  };
  // Levels inside the subtree that need no proof hash: all of them when the
  // subtree ends at the tree's edge, else while sn is a right child.
  if (sn == tn) {
    while (fn != sn) climb();
  } else {
    while (fn != sn && (sn & 1)) climb();
  }
  std::span<const Digest32> rest = path;
  Digest32 fr = node;
  if (fn != sn) {
    if (rest.empty()) return absl::InvalidArgumentError("subtree consistency: empty proof, want at least 1 hash");
    fr = rest.front();
    rest = rest.subspan(1);
  }
  Digest32 sr = fr;
  for (const Digest32& c : rest) {
    if (tn == 0) return absl::InvalidArgumentError("subtree consistency: more hashes than tree levels");
    if ((sn & 1) || sn == tn) {
      // fr stops folding once it covers the whole subtree, so the final
      // comparison with the subtree hash is meaningful.
      if (fn < sn) fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      while (!(sn & 1) && sn != 0) climb();
    } else {
      sr = HashChildren(sr, c);
    }
    climb();
  }
  if (tn != 0) return absl::InvalidArgumentError("subtree consistency: fewer hashes than tree levels");
  if (fr != node) return RootMismatch("subtree consistency, subtree", fr, node.span());
  if (!SameBytes(sr, root)) return RootMismatch("subtree consistency, tree", sr, root);
  return absl::OkStatus();
}

}  // namespace attestd::ledger
