// LogStore: the RocksDB database that holds the append-only Merkle log
// (leaves, every full subtree hash, checkpoints, head; docs/ledger.md).
//
// Ownership and lifetime: Open() returns the sole owner of the database
// handle; destroying the LogStore closes it. A Sequencer (sequencer.h) that
// writes to it must be destroyed first.
//
// Thread safety: every const method may be called from any thread, concurrently
// with the one Sequencer that writes. Readers see the published size: the
// leaves and nodes below it are immutable once published, so reads need no
// lock and never block the writer.
//
// Failure behaviour: Open() checks the durable head against the stored data
// (recovery.h) and refuses, with DataLoss naming the first disagreement, to
// return a store that is inconsistent. It never repairs anything.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "attest/bytes.h"
#include "base/status.h"
#include "ledger/proof_plan.h"
#include "ledger/store_format.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class WriteBatch;
}  // namespace rocksdb

namespace attestd::ledger {

enum class OpenMode {
  kReadWrite,  // one process at a time (RocksDB's LOCK file enforces it)
  kReadOnly,   // a copy, or a stopped server's directory
  kSecondary,  // a live server's directory: follows the primary without locking it
};

struct LogStoreOptions {
  OpenMode mode = OpenMode::kReadWrite;
  // kReadWrite only: create the database if the directory holds none.
  bool create_if_missing = true;
  // kSecondary only: where RocksDB keeps the secondary's own info log. Empty:
  // a fresh temporary directory, removed when the store is destroyed.
  std::string secondary_dir;
  // Run the recovery checks (store_checks.h) at open. Only the offline audit
  // turns this off, to report every disagreement itself; a store opened
  // without the checks publishes whatever head it could decode (size 0 if
  // none) and must not be written to.
  bool check_head = true;
  // kReadWrite: called after each batch when Open indexes the request ids
  // of a ledger written before the index existed (indexed, total leaves),
  // so a caller can report progress on a large log. May be empty.
  std::function<void(uint64_t indexed, uint64_t total)> index_progress;
};

class LogStore final : public NodeReader {
 public:
  // Opens (or creates, in kReadWrite with create_if_missing) the database in
  // `dir` and runs the recovery checks. Errors: NotFound when there is no
  // database and it may not be created; DataLoss for a database RocksDB
  // reports corrupt or truncated, or whose head disagrees with its data;
  // Unavailable when another process holds it read-write.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<LogStore>> Open(const std::string& dir,
                                                                      const LogStoreOptions& options = {});
  ~LogStore() override;
  LogStore(const LogStore&) = delete;
  LogStore& operator=(const LogStore&) = delete;

  OpenMode mode() const { return mode_; }
  const std::string& dir() const { return dir_; }

  // Number of leaves published to readers (all durable).
  uint64_t Size() const { return size_.load(std::memory_order_acquire); }
  // A copy of the published head.
  LogHead Head() const;

  // The leaf at `index`. OutOfRange if index >= Size(); DataLoss if the
  // stored value is missing or not 321 bytes.
  [[nodiscard]] absl::StatusOr<Bytes> GetLeaf(uint64_t index) const;
  // The stored hash of the perfect subtree (level, index). NotFound if it is
  // not stored (the subtree is incomplete); DataLoss if it is not 32 bytes.
  [[nodiscard]] absl::StatusOr<Digest32> GetNode(int level, uint64_t index) const;
  // NodeReader, for proof_plan.h: GetNode(id.level, id.index).
  [[nodiscard]] absl::StatusOr<Digest32> ReadNode(const NodeId& id) const override {
    return GetNode(id.level, id.index);
  }
  // The RFC 9162 root of the first `size` leaves, from O(log size) stored
  // nodes. OutOfRange if size > Size(). Size 0 gives SHA-256("").
  [[nodiscard]] absl::StatusOr<Digest32> RootAt(uint64_t size) const;

  // The signed checkpoint note stored for tree size `size`; NotFound if none
  // was issued at exactly that size.
  [[nodiscard]] absl::StatusOr<std::string> GetCheckpoint(uint64_t size) const;
  // The newest checkpoint note; NotFound if none has been issued.
  [[nodiscard]] absl::StatusOr<std::string> LatestCheckpoint() const;
  // Every tree size with a stored checkpoint, ascending (reads the whole
  // column family's keys; for audit and listings).
  [[nodiscard]] absl::StatusOr<std::vector<uint64_t>> CheckpointSizes() const;

  // The smallest published leaf index whose statement carries `request_id`
  // (bytes kLeafRequestIdOffset.. of the leaf), from the request_ids family:
  // one seek, no scan. NotFound if no published leaf has it;
  // FailedPrecondition for a database written before the index existed and
  // opened without write access (opening it read-write builds the index).
  [[nodiscard]] absl::StatusOr<uint64_t> FindRequestId(const Digest32& request_id) const;

  // kSecondary: replays what the primary has written since and republishes
  // the head (with the recovery checks). A no-op OK in the other modes.
  [[nodiscard]] absl::Status CatchUp();

  // For the chain exporter only (chain/), which owns the `anchors` column
  // family's contents: the raw database and that family's handle. Both live
  // as long as this LogStore. Writing to any other family through them
  // corrupts the log; audit would report it.
  rocksdb::DB* raw_db() const { return db_; }
  rocksdb::ColumnFamilyHandle* anchors_family() const { return anchors_; }

  // --- Used by the Sequencer (the single writer) and by tests. ---
  // Writes `batch` with WriteOptions.sync (the WAL is fsync'd before return)
  // and then publishes `new_head`. FailedPrecondition unless kReadWrite.
  [[nodiscard]] absl::Status CommitAndPublish(rocksdb::WriteBatch& batch, const LogHead& new_head);
  rocksdb::ColumnFamilyHandle* leaves_family() const { return leaves_; }
  rocksdb::ColumnFamilyHandle* nodes_family() const { return nodes_; }
  rocksdb::ColumnFamilyHandle* checkpoints_family() const { return checkpoints_; }
  rocksdb::ColumnFamilyHandle* meta_family() const { return meta_; }
  // Null only for a pre-index database opened kReadOnly or kSecondary.
  rocksdb::ColumnFamilyHandle* request_ids_family() const { return request_ids_; }

 private:
  LogStore() = default;
  [[nodiscard]] absl::Status LoadAndCheckHead();
  // kReadWrite: indexes the leaves the request_ids family does not cover yet
  // (a database from before the index, or one whose indexing was cut short),
  // in synced batches that also advance request_ids_indexed.
  [[nodiscard]] absl::Status IndexMissingRequestIds(const std::function<void(uint64_t, uint64_t)>& progress);
  [[nodiscard]] absl::StatusOr<std::string> GetRaw(rocksdb::ColumnFamilyHandle* family, const std::string& key,
                                                   std::string_view what) const;

  OpenMode mode_ = OpenMode::kReadWrite;
  std::string dir_;
  std::string secondary_dir_;
  bool remove_secondary_dir_ = false;
  bool check_head_ = true;
  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* leaves_ = nullptr;
  rocksdb::ColumnFamilyHandle* nodes_ = nullptr;
  rocksdb::ColumnFamilyHandle* checkpoints_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* anchors_ = nullptr;
  rocksdb::ColumnFamilyHandle* request_ids_ = nullptr;

  std::atomic<uint64_t> size_{0};
  mutable std::mutex head_mu_;  // guards head_ (readers copy it; the writer replaces it)
  LogHead head_;
};

}  // namespace attestd::ledger
