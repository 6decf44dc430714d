// RFC 9162 proof verifiers (section 2.1.3.2 inclusion, 2.1.4.2 consistency)
// and the subtree variants of draft-ietf-plants-merkle-tree-certs (an
// aligned subtree [start, end) instead of a whole tree). No storage, no
// RocksDB: an auditor links only ledger_proof.
//
// Result codes (every function returns a [[nodiscard]] Status):
//   OK               the proof verifies
//   OutOfRange       index >= size, size1 > size2, end > size
//   InvalidArgument  a hash that is not 32 bytes, a proof of the wrong
//                    length, size1 == 0, an unaligned subtree
//   Unauthenticated  well formed, but the recomputed root differs (the
//                    message gives the computed and the expected root in hex)
// Thread safety: pure functions, safe to call concurrently.
//
// Edge behaviours, pinned by the shared vectors (docs/ledger.md):
//   * a consistency proof from size 0 is an error, even with an empty proof;
//   * size1 == size2 with an empty proof only compares root1 and root2 byte
//     for byte (they may have any length);
//   * the inclusion leaf hash must be exactly 32 bytes.
// Roots are taken as raw bytes for that reason; a root of the wrong length
// never verifies except in the equal-sizes case above.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "attest/bytes.h"
#include "base/status.h"

namespace attestd::ledger {

inline constexpr size_t kHashSize = 32;

// Typed forms: what proofs from our own log and JSON look like.
[[nodiscard]] absl::Status VerifyInclusion(uint64_t index, uint64_t size, const Digest32& leaf_hash,
                                           std::span<const Digest32> proof, const Digest32& root);
[[nodiscard]] absl::Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Digest32> proof,
                                             const Digest32& root1, const Digest32& root2);

// Raw forms, for proofs from elsewhere whose hashes may have any length.
// Every proof element and the inclusion leaf hash must be 32 bytes.
[[nodiscard]] absl::Status VerifyInclusionRaw(uint64_t index, uint64_t size, ByteSpan leaf_hash,
                                              std::span<const Bytes> proof, ByteSpan root);
[[nodiscard]] absl::Status VerifyConsistencyRaw(uint64_t size1, uint64_t size2, std::span<const Bytes> proof,
                                                ByteSpan root1, ByteSpan root2);

// The root that an inclusion proof implies, for callers that compare it with
// a signed checkpoint themselves. Same checks as VerifyInclusion minus the root.
[[nodiscard]] absl::StatusOr<Digest32> RootFromInclusionProof(uint64_t index, uint64_t size,
                                                              const Digest32& leaf_hash,
                                                              std::span<const Digest32> proof);

// Subtrees (draft-ietf-plants-merkle-tree-certs). [start, end) is valid when
// start < end and start is a multiple of the smallest power of two >= end - start.
[[nodiscard]] bool IsValidSubtree(uint64_t start, uint64_t end);
// Leaf `index` (absolute) is in subtree [start, end) whose hash is subtree_root.
[[nodiscard]] absl::Status VerifySubtreeInclusionRaw(uint64_t index, uint64_t start, uint64_t end,
                                                     ByteSpan leaf_hash, std::span<const Bytes> proof,
                                                     ByteSpan subtree_root);
// The subtree [start, end) with hash subtree_root is part of the tree of
// `size` leaves with root `root`.
[[nodiscard]] absl::Status VerifySubtreeConsistencyRaw(uint64_t start, uint64_t end, uint64_t size,
                                                       std::span<const Bytes> proof, ByteSpan subtree_root,
                                                       ByteSpan root);

}  // namespace attestd::ledger
