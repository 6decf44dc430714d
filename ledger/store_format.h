// The on-disk byte format of the ledger database (docs/ledger.md, "Storage layout").
//
// Column families and their keys (all integers big-endian so that RocksDB's
// bytewise order is numeric order):
//   leaves       key: index u64 (8 bytes)            value: the 321-byte leaf
//   nodes        key: level u8 || index u64 (9 bytes) value: 32-byte hash of the
//                perfect subtree covering leaves [index << level, (index+1) << level)
//   checkpoints  key: tree size u64 (8 bytes)         value: signed note text
//   meta         key: "head"                          value: the encoded LogHead
//                key: "request_ids_indexed"           value: u64, leaves [0, n) indexed
//   request_ids  key: requestId [32] || index u64 (40) value: empty; one per leaf
//   anchors      opaque, owned by the chain exporter
//
// Thread safety: every function here is pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "attest/bytes.h"
#include "attest/eip712.h"
#include "base/status.h"
#include "ledger/node_id.h"

namespace attestd::ledger {

// The log stores attest/'s leaves: encodeData(Attestation) (256) || signature (65).
inline constexpr size_t kLeafSize = kAttestationLeafSize;

inline constexpr char kLeavesFamily[] = "leaves";
inline constexpr char kNodesFamily[] = "nodes";
inline constexpr char kCheckpointsFamily[] = "checkpoints";
inline constexpr char kMetaFamily[] = "meta";
inline constexpr char kAnchorsFamily[] = "anchors";
inline constexpr char kRequestIdsFamily[] = "request_ids";
inline constexpr char kHeadKey[] = "head";
inline constexpr char kRequestIdsIndexedKey[] = "request_ids_indexed";

// Where a leaf carries the statement's requestId: the seventh 32-byte word of
// encodeData(Attestation) (typeHash, logId, modelDigest, engineDigest,
// inputCommitment, outputCommitment, requestId, issuedAtMs; SPEC "The ledger").
inline constexpr size_t kLeafRequestIdOffset = 32 * 6;

// The durable head of the log, rewritten in the same write batch as every
// append and every checkpoint.
struct LogHead {
  uint64_t size = 0;
  // The roots of the perfect subtrees that make up [0, size), largest first:
  // one per set bit of size (the compact range of the whole tree).
  std::vector<Digest32> frontier;
  // Size of the newest stored checkpoint (0: none issued yet) and its root.
  uint64_t last_checkpoint_size = 0;
  Digest32 last_checkpoint_root;

  friend bool operator==(const LogHead&, const LogHead&) = default;
};

std::string LeafKey(uint64_t index);
std::string NodeKey(int level, uint64_t index);
std::string CheckpointKey(uint64_t size);
// requestId || index: several leaves may carry one requestId; the smallest
// index sorts first.
std::string RequestIdKey(ByteSpan request_id32, uint64_t index);
// A u64 value (the request_ids_indexed count), big-endian.
std::string EncodeU64Value(uint64_t value);

// Decoders: InvalidArgument-free by design; a malformed stored key or value is
// DataLoss naming what was found ("node key: got 7 bytes, want 9").
[[nodiscard]] absl::StatusOr<uint64_t> DecodeIndexKey(std::string_view key, std::string_view what);
[[nodiscard]] absl::StatusOr<NodeId> DecodeNodeKey(std::string_view key);

// Head value: version u8 (1) || size u64 || last_checkpoint_size u64 ||
// last_checkpoint_root [32] || frontier count u8 || frontier hashes [32 each].
std::string EncodeHead(const LogHead& head);
// DataLoss on a wrong version, a wrong length, or a frontier whose length is
// not popcount(size).
[[nodiscard]] absl::StatusOr<LogHead> DecodeHead(std::string_view value);

}  // namespace attestd::ledger
