#include "ledger/store_checks.h"

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>

#include <memory>
#include <optional>

#include "ledger/log_store.h"
#include "ledger/proof_plan.h"
#include "ledger/rocksdb_status.h"

namespace attestd::ledger {
namespace {

std::string NodeName(const NodeId& id) {
  return "node (level " + std::to_string(id.level) + ", index " + std::to_string(id.index) + ")";
}

// The key of the last entry in `family`, or nullopt-like empty string if the family is empty.
absl::StatusOr<std::optional<std::string>> LastKey(const LogStore& store, rocksdb::ColumnFamilyHandle* family) {
  std::unique_ptr<rocksdb::Iterator> it(store.raw_db()->NewIterator(rocksdb::ReadOptions(), family));
  it->SeekToLast();
  if (!it->status().ok()) return FromRocksDb(it->status(), "ledger: seek last");
  if (!it->Valid()) return std::optional<std::string>();
  return std::optional<std::string>(it->key().ToString());
}

absl::Status CheckLeafCount(const LogStore& store, uint64_t size) {
  ASSIGN_OR_RETURN(std::optional<std::string> last, LastKey(store, store.leaves_family()));
  if (!last.has_value()) {
    if (size == 0) return absl::OkStatus();
    return absl::DataLossError("ledger: head says " + std::to_string(size) +
                               " leaves but no leaf is stored (truncated database?)");
  }
  ASSIGN_OR_RETURN(uint64_t last_index, DecodeIndexKey(*last, "leaf"));
  if (last_index + 1 > size) {
    return absl::DataLossError("ledger: leaf " + std::to_string(last_index) + " is stored beyond head size " +
                               std::to_string(size));
  }
  if (last_index + 1 < size) {
    return absl::DataLossError("ledger: head says " + std::to_string(size) + " leaves but the last stored leaf is " +
                               std::to_string(last_index) + " (truncated database?)");
  }
  return absl::OkStatus();
}

absl::Status CheckFrontier(const LogStore& store, const LogHead& head) {
  std::vector<NodeId> ids = TileRange(0, head.size);
  for (size_t i = 0; i < ids.size(); ++i) {
    absl::StatusOr<Digest32> stored = store.GetNode(ids[i].level, ids[i].index);
    if (!stored.ok()) {
      return absl::DataLossError("ledger: head frontier names " + NodeName(ids[i]) +
                                 " but it cannot be read: " + std::string(stored.status().message()));
    }
    if (*stored != head.frontier[i]) {
      return absl::DataLossError("ledger: head frontier disagrees with stored " + NodeName(ids[i]) + ": head has " +
                                 HexEncode(head.frontier[i]) + ", nodes has " + HexEncode(*stored));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckLastCheckpoint(const LogStore& store, const LogHead& head) {
  ASSIGN_OR_RETURN(std::optional<std::string> last, LastKey(store, store.checkpoints_family()));
  if (!last.has_value()) {
    if (head.last_checkpoint_size == 0) return absl::OkStatus();
    return absl::DataLossError("ledger: head names a checkpoint at size " +
                               std::to_string(head.last_checkpoint_size) + " but none is stored");
  }
  ASSIGN_OR_RETURN(uint64_t last_size, DecodeIndexKey(*last, "checkpoint"));
  if (last_size != head.last_checkpoint_size) {
    return absl::DataLossError("ledger: newest stored checkpoint is at size " + std::to_string(last_size) +
                               ", head says " + std::to_string(head.last_checkpoint_size));
  }
  ASSIGN_OR_RETURN(Digest32 root, RootFromReader(last_size, store));
  if (root != head.last_checkpoint_root) {
    return absl::DataLossError("ledger: root recomputed at checkpoint size " + std::to_string(last_size) + " is " +
                               HexEncode(root) + ", the checkpoint says " + HexEncode(head.last_checkpoint_root));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LogHead> CheckStoredHead(const LogStore& store) {
  std::string value;
  rocksdb::Status s = store.raw_db()->Get(rocksdb::ReadOptions(), store.meta_family(), kHeadKey, &value);
  LogHead head;
  if (s.IsNotFound()) {
    // A fresh database. Anything stored without a head is a torn or foreign database.
    RETURN_IF_ERROR(CheckLeafCount(store, 0));
    ASSIGN_OR_RETURN(std::optional<std::string> last_checkpoint, LastKey(store, store.checkpoints_family()));
    if (last_checkpoint.has_value()) return absl::DataLossError("ledger: checkpoints stored but no head");
    return head;
  }
  if (!s.ok()) return FromRocksDb(s, "ledger: read head");
  ASSIGN_OR_RETURN(head, DecodeHead(value));
  RETURN_IF_ERROR(CheckLeafCount(store, head.size));
  RETURN_IF_ERROR(CheckFrontier(store, head));
  RETURN_IF_ERROR(CheckLastCheckpoint(store, head));
  return head;
}

}  // namespace attestd::ledger
