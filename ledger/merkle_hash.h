// RFC 9162 section 2.1 Merkle tree hashing with SHA-256.
//
//   MTH({})      = SHA-256("")
//   leaf hash    = SHA-256(0x00 || leaf bytes)
//   node hash    = SHA-256(0x01 || left || right)
//
// The 0x00 / 0x01 prefixes separate leaves from interior nodes, so no leaf can
// be presented as a node (second-preimage resistance across levels).
//
// Thread safety: every function is pure and safe to call concurrently.
#pragma once

#include "attest/bytes.h"

namespace attestd::ledger {

// SHA-256(0x00 || leaf). Any length is accepted (attestd leaves are 321 bytes;
// the length is checked by the store, not here, so test vectors can be hashed).
[[nodiscard]] Digest32 HashLeaf(ByteSpan leaf);

// SHA-256(0x01 || left || right).
[[nodiscard]] Digest32 HashChildren(const Digest32& left, const Digest32& right);

// The root of the empty tree, SHA-256("") = e3b0c442...b855.
[[nodiscard]] const Digest32& EmptyRoot();

}  // namespace attestd::ledger
