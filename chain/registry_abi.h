// ABI encoding of the AnchorRegistry calls (deploy/contracts/AnchorRegistry.sol).
// Solidity ABI: 4-byte selector keccak256(signature)[0:4], then each argument
// as a 32-byte word (uint64 right-aligned). Thread safety: pure functions.
#pragma once

#include <cstdint>

#include "attest/bytes.h"

namespace attestd::chain {

// anchor(bytes32 logId, uint64 treeSize, bytes32 root)
[[nodiscard]] Bytes EncodeAnchorCall(const Digest32& log_id, uint64_t tree_size, const Digest32& root);
// rootAt(bytes32 logId, uint64 treeSize) view returns (bytes32)
[[nodiscard]] Bytes EncodeRootAtCall(const Digest32& log_id, uint64_t tree_size);
// latest(bytes32 logId) view returns (uint64 treeSize, bytes32 root)
[[nodiscard]] Bytes EncodeLatestCall(const Digest32& log_id);

// Decoders check the return data's length and that the uint64 word has no
// bits above 64 (InvalidArgument, got vs want).
[[nodiscard]] absl::StatusOr<Digest32> DecodeRootAtResult(ByteSpan data);
struct LatestAnchor {
  uint64_t tree_size = 0;
  Digest32 root;
};
[[nodiscard]] absl::StatusOr<LatestAnchor> DecodeLatestResult(ByteSpan data);

// topic0 of Anchored(bytes32 indexed logId, uint64 treeSize, bytes32 root).
[[nodiscard]] Digest32 AnchoredEventTopic();

}  // namespace attestd::chain
