#include "ledger/audit.h"

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>

#include <algorithm>
#include <memory>

#include "ledger/compact_range.h"
#include "ledger/merkle_hash.h"
#include "ledger/rocksdb_status.h"
#include "ledger/store_checks.h"

namespace attestd::ledger {
namespace {

std::string Range(const NodeId& id) {
  return "[" + std::to_string(id.begin()) + ", " + std::to_string(id.end()) + ")";
}

// Compares one recomputed node with the stored one. Empty string: they agree.
absl::StatusOr<std::string> CompareNode(const LogStore& store, const NodeHash& node) {
  absl::StatusOr<Digest32> stored = store.GetNode(node.id.level, node.id.index);
  std::string name = node.id.level == 0 ? "leaf " + std::to_string(node.id.index)
                                        : "node (level " + std::to_string(node.id.level) + ", index " +
                                              std::to_string(node.id.index) + ") covering leaves " + Range(node.id);
  if (absl::IsNotFound(stored.status())) return name + ": its hash is not stored";
  if (absl::IsDataLoss(stored.status())) return name + ": " + std::string(stored.status().message());
  if (!stored.ok()) return stored.status();
  if (*stored == node.hash) return std::string();
  if (node.id.level == 0) {
    return name + ": stored leaf hash " + HexEncode(*stored) + " but the stored leaf hashes to " +
           HexEncode(node.hash);
  }
  return name + ": stored hash " + HexEncode(*stored) + ", recomputed " + HexEncode(node.hash);
}

std::string CheckCheckpoint(const LogStore& store, const CheckpointVerifier& verify, uint64_t size,
                            const Digest32& recomputed_root) {
  std::string name = "checkpoint at size " + std::to_string(size);
  absl::StatusOr<std::string> note = store.GetCheckpoint(size);
  if (!note.ok()) return name + ": " + std::string(note.status().message());
  absl::StatusOr<CheckpointClaim> claim = verify(*note);
  if (!claim.ok()) return name + " does not verify: " + std::string(claim.status().message());
  if (claim->size != size) return name + ": the note says size " + std::to_string(claim->size);
  if (claim->root != recomputed_root) {
    return name + ": the note's root " + HexEncode(claim->root) + " differs from the recomputed root " +
           HexEncode(recomputed_root);
  }
  return std::string();
}

}  // namespace

absl::StatusOr<AuditReport> AuditLog(const LogStore& store, const CheckpointVerifier& verify_checkpoint,
                                     std::vector<StoredRoot> stored_roots) {
  if (!verify_checkpoint) return absl::InvalidArgumentError("audit: a checkpoint verifier (log key) is required");
  AuditReport report;
  report.head_size = store.Head().size;
  auto found = [&report](uint64_t index, std::string what) {
    report.first_problem = AuditFinding{index, std::move(what)};
    return report;
  };

  absl::StatusOr<std::vector<uint64_t>> checkpoint_sizes = store.CheckpointSizes();
  if (absl::IsDataLoss(checkpoint_sizes.status())) {
    return found(0, std::string(checkpoint_sizes.status().message()));
  }
  if (!checkpoint_sizes.ok()) return checkpoint_sizes.status();
  size_t next_checkpoint = 0;
  if (!checkpoint_sizes->empty() && checkpoint_sizes->front() == 0) {
    return found(0, "a checkpoint is stored at size 0");
  }
  std::stable_sort(stored_roots.begin(), stored_roots.end(),
                   [](const StoredRoot& a, const StoredRoot& b) { return a.tree_size < b.tree_size; });
  size_t next_root = 0;
  if (!stored_roots.empty() && stored_roots.front().tree_size == 0) {
    return found(0, stored_roots.front().name + " at size 0");
  }

  CompactRange range;
  std::vector<NodeHash> completed;
  std::unique_ptr<rocksdb::Iterator> it(store.raw_db()->NewIterator(rocksdb::ReadOptions(), store.leaves_family()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const uint64_t expected = range.size();
    absl::StatusOr<uint64_t> index = DecodeIndexKey(it->key().ToStringView(), "leaf");
    if (!index.ok()) return found(expected, std::string(index.status().message()));
    if (*index != expected) {
      return found(expected, "leaf " + std::to_string(expected) + " is missing (the next stored leaf is " +
                                 std::to_string(*index) + ")");
    }
    if (it->value().size() != kLeafSize) {
      return found(expected, "leaf " + std::to_string(expected) + ": got " + std::to_string(it->value().size()) +
                                 " bytes, want 321");
    }
    completed.clear();
    RETURN_IF_ERROR(range.Append(
        HashLeaf(ByteSpan(reinterpret_cast<const uint8_t*>(it->value().data()), it->value().size())), &completed));
    for (const NodeHash& node : completed) {
      ASSIGN_OR_RETURN(std::string problem, CompareNode(store, node));
      if (!problem.empty()) return found(node.id.begin(), problem);
    }
    report.nodes_checked += completed.size();
    report.leaves_checked = range.size();
    while (next_checkpoint < checkpoint_sizes->size() && (*checkpoint_sizes)[next_checkpoint] == range.size()) {
      std::string problem = CheckCheckpoint(store, verify_checkpoint, range.size(), range.Root());
      if (!problem.empty()) return found(range.size(), problem);
      ++next_checkpoint;
      ++report.checkpoints_checked;
    }
    while (next_root < stored_roots.size() && stored_roots[next_root].tree_size == range.size()) {
      const StoredRoot& stored = stored_roots[next_root];
      const Digest32 root = range.Root();
      if (stored.root != root) {
        return found(range.size(), stored.name + " at size " + std::to_string(range.size()) + ": root " +
                                       HexEncode(stored.root) + ", recomputed " + HexEncode(root));
      }
      ++next_root;
      ++report.stored_roots_checked;
    }
  }
  if (!it->status().ok()) return FromRocksDb(it->status(), "audit: scan leaves");
  if (next_checkpoint < checkpoint_sizes->size()) {
    uint64_t size = (*checkpoint_sizes)[next_checkpoint];
    return found(size, "checkpoint at size " + std::to_string(size) + " is beyond the " +
                           std::to_string(range.size()) + " stored leaves");
  }

  if (next_root < stored_roots.size()) {
    const StoredRoot& stored = stored_roots[next_root];
    return found(stored.tree_size, stored.name + " at size " + std::to_string(stored.tree_size) +
                                       " is beyond the " + std::to_string(range.size()) + " stored leaves");
  }

  // Nothing may be stored that the leaves do not account for.
  uint64_t stored_nodes = 0;
  std::unique_ptr<rocksdb::Iterator> nodes(store.raw_db()->NewIterator(rocksdb::ReadOptions(), store.nodes_family()));
  for (nodes->SeekToFirst(); nodes->Valid(); nodes->Next()) {
    ++stored_nodes;
    absl::StatusOr<NodeId> id = DecodeNodeKey(nodes->key().ToStringView());
    if (!id.ok()) return found(range.size(), std::string(id.status().message()));
    if (id->end() > range.size() || id->end() <= id->begin()) {
      return found(id->begin(), "node (level " + std::to_string(id->level) + ", index " + std::to_string(id->index) +
                                    ") covering leaves " + Range(*id) + " is stored beyond the " +
                                    std::to_string(range.size()) + " stored leaves");
    }
  }
  if (!nodes->status().ok()) return FromRocksDb(nodes->status(), "audit: scan nodes");
  if (stored_nodes != report.nodes_checked) {
    return found(range.size(), "nodes: " + std::to_string(stored_nodes) + " stored, want " +
                                   std::to_string(report.nodes_checked));
  }

  absl::StatusOr<LogHead> head = CheckStoredHead(store);
  if (!head.ok()) return found(range.size(), std::string(head.status().message()));
  report.head_size = head->size;
  if (head->size != range.size() || head->frontier != range.frontier()) {
    return found(range.size(), "head: size " + std::to_string(head->size) + ", recomputed " +
                                   std::to_string(range.size()));
  }
  return report;
}

}  // namespace attestd::ledger
