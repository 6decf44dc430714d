// A slow Merkle tree written straight from RFC 9162 section 2.1: recursive
// MTH, PATH (2.1.3.1) and PROOF/SUBPROOF (2.1.4.1) over the list of leaf
// hashes. No shortcuts, no caching; tests compare the fast code with it.
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

#include "attest/bytes.h"
#include "ledger/merkle_hash.h"

namespace attestd::ledger::reference {

// Largest power of two strictly less than n (n > 1).
inline uint64_t K(uint64_t n) {
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// MTH(D[begin:end]) given leaf hashes.
inline Digest32 Mth(const std::vector<Digest32>& leaf_hashes, uint64_t begin, uint64_t end) {
  const uint64_t n = end - begin;
  if (n == 0) return EmptyRoot();
  if (n == 1) return leaf_hashes[begin];
  const uint64_t k = K(n);
  return HashChildren(Mth(leaf_hashes, begin, begin + k), Mth(leaf_hashes, begin + k, end));
}

// PATH(m, D[begin:end]), m absolute.
inline std::vector<Digest32> Path(const std::vector<Digest32>& d, uint64_t m, uint64_t begin, uint64_t end) {
  const uint64_t n = end - begin;
  if (n == 1) return {};
  const uint64_t k = K(n);
  std::vector<Digest32> out;
  if (m - begin < k) {
    out = Path(d, m, begin, begin + k);
    out.push_back(Mth(d, begin + k, end));
  } else {
    out = Path(d, m, begin + k, end);
    out.push_back(Mth(d, begin, begin + k));
  }
  return out;
}

// SUBPROOF(m, D[begin:end], b), m relative to begin.
inline std::vector<Digest32> Subproof(const std::vector<Digest32>& d, uint64_t m, uint64_t begin, uint64_t end,
                                      bool b) {
  const uint64_t n = end - begin;
  if (m == n) {
    if (b) return {};
    return {Mth(d, begin, end)};
  }
  const uint64_t k = K(n);
  std::vector<Digest32> out;
  if (m <= k) {
    out = Subproof(d, m, begin, begin + k, b);
    out.push_back(Mth(d, begin + k, end));
  } else {
    out = Subproof(d, m - k, begin + k, end, false);
    out.push_back(Mth(d, begin, begin + k));
  }
  return out;
}

// PROOF(m, D[n]) = SUBPROOF(m, D[n], true).
inline std::vector<Digest32> Proof(const std::vector<Digest32>& d, uint64_t m, uint64_t n) {
  return Subproof(d, m, 0, n, true);
}

}  // namespace attestd::ledger::reference
