// Helpers for the ledger store tests: scratch directories, deterministic
// leaves, and a reference Merkle tree written straight from RFC 9162 2.1.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "attest/bytes.h"
#include "attest/sha256.h"
#include "ledger/merkle_hash.h"
#include "ledger/store_format.h"
#include "tests/testing/temp_dir.h"

namespace attestd::ledger::testing {

using ::attestd::testing::TempDir;

// A 321-byte leaf whose bytes are derived from `seed`, distinct per seed.
inline Bytes TestLeaf(uint64_t seed) {
  Bytes leaf(kLeafSize);
  uint8_t be[8];
  PutBigEndian64(seed, be);
  Digest32 block = Sha256(ByteSpan(be, 8));
  for (size_t i = 0; i < leaf.size(); ++i) {
    if (i % 32 == 0 && i > 0) block = Sha256(block.span());
    leaf[i] = block[i % 32];
  }
  return leaf;
}

// MTH(D[begin:end]) by the RFC's recursive definition.
inline Digest32 ReferenceRoot(const std::vector<Digest32>& leaf_hashes, uint64_t begin, uint64_t end) {
  uint64_t n = end - begin;
  if (n == 0) return Sha256(ByteSpan());
  if (n == 1) return leaf_hashes[begin];
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return HashChildren(ReferenceRoot(leaf_hashes, begin, begin + k), ReferenceRoot(leaf_hashes, begin + k, end));
}

// PATH(m, D[begin:end]) of RFC 9162 2.1.3.1.
inline void ReferenceInclusion(const std::vector<Digest32>& h, uint64_t m, uint64_t begin, uint64_t end,
                               std::vector<Digest32>& out) {
  uint64_t n = end - begin;
  if (n <= 1) return;
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  if (m < k) {
    ReferenceInclusion(h, m, begin, begin + k, out);
    out.push_back(ReferenceRoot(h, begin + k, end));
  } else {
    ReferenceInclusion(h, m - k, begin + k, end, out);
    out.push_back(ReferenceRoot(h, begin, begin + k));
  }
}

// SUBPROOF(m, D[begin:end], b) of RFC 9162 2.1.4.1.
inline void ReferenceSubproof(const std::vector<Digest32>& h, uint64_t m, uint64_t begin, uint64_t end, bool b,
                              std::vector<Digest32>& out) {
  uint64_t n = end - begin;
  if (m == n) {
    if (!b) out.push_back(ReferenceRoot(h, begin, end));
    return;
  }
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  if (m <= k) {
    ReferenceSubproof(h, m, begin, begin + k, b, out);
    out.push_back(ReferenceRoot(h, begin + k, end));
  } else {
    ReferenceSubproof(h, m - k, begin + k, end, false, out);
    out.push_back(ReferenceRoot(h, begin, begin + k));
  }
}

}  // namespace attestd::ledger::testing
