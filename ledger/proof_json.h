// The JSON forms of proofs, documented in docs/ledger.md so any language can
// check them. Hashes are 64 lowercase hex digits; sizes are JSON integers.
//
//   inclusion:   {"index": 5, "tree_size": 8, "leaf_hash": "<hex>", "root": "<hex>", "proof": ["<hex>", ...]}
//   consistency: {"from": 6, "to": 8, "root_from": "<hex>", "root_to": "<hex>", "proof": ["<hex>", ...]}
//
// Printing emits the keys in that order, no whitespace. Parsing is strict:
// one JSON object with exactly these keys (no others, no duplicates),
// non-negative integers that fit in 64 bits, and hashes of exactly 32 bytes
// in lowercase hex. Parsing checks the form, not the proof: call Verify*.
//
// Thread safety: pure functions. Failure: InvalidArgument naming the field.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "attest/bytes.h"
#include "base/status.h"

namespace attestd::ledger {

struct InclusionProofRecord {
  uint64_t index = 0;
  uint64_t tree_size = 0;
  Digest32 leaf_hash;
  Digest32 root;
  std::vector<Digest32> proof;
  friend bool operator==(const InclusionProofRecord&, const InclusionProofRecord&) = default;
};

struct ConsistencyProofRecord {
  uint64_t from = 0;
  uint64_t to = 0;
  Digest32 root_from;
  Digest32 root_to;
  std::vector<Digest32> proof;
  friend bool operator==(const ConsistencyProofRecord&, const ConsistencyProofRecord&) = default;
};

[[nodiscard]] std::string InclusionProofToJson(const InclusionProofRecord& record);
[[nodiscard]] std::string ConsistencyProofToJson(const ConsistencyProofRecord& record);

[[nodiscard]] absl::StatusOr<InclusionProofRecord> ParseInclusionProofJson(std::string_view json);
[[nodiscard]] absl::StatusOr<ConsistencyProofRecord> ParseConsistencyProofJson(std::string_view json);

// VerifyInclusion / VerifyConsistency (proof_verify.h) on a record.
[[nodiscard]] absl::Status VerifyInclusionRecord(const InclusionProofRecord& record);
[[nodiscard]] absl::Status VerifyConsistencyRecord(const ConsistencyProofRecord& record);

}  // namespace attestd::ledger
