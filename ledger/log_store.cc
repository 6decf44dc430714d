#include "ledger/log_store.h"

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "ledger/rocksdb_status.h"
#include "ledger/store_checks.h"

namespace attestd::ledger {
namespace {

rocksdb::DBOptions MakeDbOptions(const LogStoreOptions& options) {
  rocksdb::DBOptions db;
  db.create_if_missing = options.mode == OpenMode::kReadWrite && options.create_if_missing;
  db.create_missing_column_families = options.mode == OpenMode::kReadWrite;
  db.paranoid_checks = true;
  // Recover to the last consistent point of the WAL; every acknowledged write
  // was fsync'd, so only an unacknowledged torn tail can be dropped.
  db.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  if (options.mode == OpenMode::kSecondary) db.max_open_files = -1;  // required by secondaries
  db.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db.keep_log_file_num = 4;
  return db;
}

// The families in handle order; request_ids last, and left out when a
// database written before it existed is opened without write access (RocksDB
// can only create a family read-write).
std::vector<rocksdb::ColumnFamilyDescriptor> FamilyDescriptors(bool with_request_ids) {
  rocksdb::ColumnFamilyOptions cf;
  std::vector<rocksdb::ColumnFamilyDescriptor> out;
  for (const char* name : {rocksdb::kDefaultColumnFamilyName.c_str(), kLeavesFamily, kNodesFamily,
                           kCheckpointsFamily, kMetaFamily, kAnchorsFamily}) {
    out.emplace_back(name, cf);
  }
  if (with_request_ids) out.emplace_back(kRequestIdsFamily, cf);
  return out;
}

bool HasFamily(const rocksdb::DBOptions& options, const std::string& dir, const std::string& family) {
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(options, dir, &names).ok()) return true;  // let Open report it
  return std::find(names.begin(), names.end(), family) != names.end();
}

absl::StatusOr<std::string> MakeTempDir() {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (ec) return absl::InternalError("temp directory: " + ec.message());
  std::string pattern = (base / "attest-ledger-secondary-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return absl::InternalError("mkdtemp failed for " + pattern);
  return pattern;
}

}  // namespace

absl::StatusOr<std::unique_ptr<LogStore>> LogStore::Open(const std::string& dir, const LogStoreOptions& options) {
  std::error_code ec;
  bool has_db = std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", ec);
  if (!has_db && !(options.mode == OpenMode::kReadWrite && options.create_if_missing)) {
    return absl::NotFoundError("ledger: no database in " + dir + " (no CURRENT file)");
  }
  std::unique_ptr<LogStore> store(new LogStore());
  store->mode_ = options.mode;
  store->dir_ = dir;
  store->check_head_ = options.check_head;
  if (!has_db) std::filesystem::create_directories(dir, ec);

  rocksdb::DBOptions db_options = MakeDbOptions(options);
  const bool with_request_ids =
      !has_db || options.mode == OpenMode::kReadWrite || HasFamily(db_options, dir, kRequestIdsFamily);
  auto families = FamilyDescriptors(with_request_ids);
  rocksdb::Status s;
  switch (options.mode) {
    case OpenMode::kReadWrite:
      s = rocksdb::DB::Open(db_options, dir, families, &store->handles_, &store->db_);
      break;
    case OpenMode::kReadOnly:
      s = rocksdb::DB::OpenForReadOnly(db_options, dir, families, &store->handles_, &store->db_);
      break;
    case OpenMode::kSecondary: {
      store->secondary_dir_ = options.secondary_dir;
      if (store->secondary_dir_.empty()) {
        ASSIGN_OR_RETURN(store->secondary_dir_, MakeTempDir());
        store->remove_secondary_dir_ = true;
      }
      s = rocksdb::DB::OpenAsSecondary(db_options, dir, store->secondary_dir_, families, &store->handles_,
                                       &store->db_);
      break;
    }
  }
  if (!s.ok()) {
    absl::Status status = FromRocksDb(s, "ledger: open " + dir);
    if (status.code() != absl::StatusCode::kUnavailable) return status;
    return absl::UnavailableError("ledger: " + dir +
                                  " is in use by another process (attestd or an exporter holds its LOCK file); "
                                  "stop it, read through the CLI's read-only commands, or work on a copy from "
                                  "`attest backup` (" + s.ToString() + ")");
  }
  store->leaves_ = store->handles_[1];
  store->nodes_ = store->handles_[2];
  store->checkpoints_ = store->handles_[3];
  store->meta_ = store->handles_[4];
  store->anchors_ = store->handles_[5];
  if (with_request_ids) store->request_ids_ = store->handles_[6];
  RETURN_IF_ERROR(store->LoadAndCheckHead());
  if (options.mode == OpenMode::kReadWrite && options.check_head) RETURN_IF_ERROR(store->IndexMissingRequestIds(options.index_progress));
  return store;
}

LogStore::~LogStore() {
  if (db_ != nullptr && mode_ == OpenMode::kReadWrite) {
    // After a clean close everything lives in table files, whose sizes the
    // MANIFEST records, so a later truncation of any file is refused at open.
    // (A WAL cut short is indistinguishable from a crash before the lost
    // writes; only what was flushed is protected this way.)
    rocksdb::FlushOptions flush;
    flush.wait = true;
    db_->Flush(flush, handles_).PermitUncheckedError();
  }
  if (db_ != nullptr) {
    for (rocksdb::ColumnFamilyHandle* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
    delete db_;
  }
  if (remove_secondary_dir_) {
    std::error_code ec;
    std::filesystem::remove_all(secondary_dir_, ec);
  }
}

absl::Status LogStore::LoadAndCheckHead() {
  LogHead head;
  if (check_head_) {
    ASSIGN_OR_RETURN(head, CheckStoredHead(*this));
  } else {
    std::string value;
    if (db_->Get(rocksdb::ReadOptions(), meta_, kHeadKey, &value).ok()) {
      absl::StatusOr<LogHead> decoded = DecodeHead(value);
      if (decoded.ok()) head = *std::move(decoded);
    }
  }
  std::lock_guard<std::mutex> lock(head_mu_);
  head_ = std::move(head);
  size_.store(head_.size, std::memory_order_release);
  return absl::OkStatus();
}

absl::Status LogStore::IndexMissingRequestIds(const std::function<void(uint64_t, uint64_t)>& progress) {
  uint64_t indexed = 0;
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_, kRequestIdsIndexedKey, &value);
  if (s.ok()) {
    ASSIGN_OR_RETURN(indexed, DecodeIndexKey(value, "request_ids_indexed"));
  } else if (!s.IsNotFound()) {
    return FromRocksDb(s, "ledger: read request_ids_indexed");
  }
  const uint64_t size = Size();
  if (indexed > size) {
    return absl::DataLossError("ledger: request_ids_indexed is " + std::to_string(indexed) +
                               ", beyond the head's size " + std::to_string(size));
  }
  // One sequential pass over the leaves (an iterator, not a point read each).
  constexpr uint64_t kLeavesPerBatch = 4096;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), leaves_));
  it->Seek(LeafKey(indexed));
  while (indexed < size) {
    rocksdb::WriteBatch batch;
    const uint64_t end = std::min(size, indexed + kLeavesPerBatch);
    for (uint64_t i = indexed; i < end; ++i, it->Next()) {
      if (!it->Valid()) {
        if (!it->status().ok()) return FromRocksDb(it->status(), "ledger: read leaves to index request ids");
        return absl::DataLossError("leaf " + std::to_string(i) + " is missing below tree size " + std::to_string(size));
      }
      ASSIGN_OR_RETURN(uint64_t key, DecodeIndexKey(it->key().ToStringView(), "leaf"));
      if (key != i) return absl::DataLossError("leaf " + std::to_string(i) + " is missing below tree size " +
                                               std::to_string(size) + " (next stored: " + std::to_string(key) + ")");
      if (it->value().size() != kLeafSize) {
        return absl::DataLossError("leaf " + std::to_string(i) + ": got " + std::to_string(it->value().size()) +
                                   " bytes, want 321");
      }
      batch.Put(request_ids_, RequestIdKey(AsBytes(it->value().ToStringView()).subspan(kLeafRequestIdOffset, 32), i),
                rocksdb::Slice());
    }
    batch.Put(meta_, kRequestIdsIndexedKey, EncodeU64Value(end));
    rocksdb::WriteOptions synced;
    synced.sync = true;
    s = db_->Write(synced, &batch);
    if (!s.ok()) return FromRocksDb(s, "ledger: write the request id index");
    indexed = end;
    if (progress) progress(indexed, size);
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> LogStore::FindRequestId(const Digest32& request_id) const {
  if (request_ids_ == nullptr) {
    return absl::FailedPreconditionError(
        "ledger: this database predates the request id index; open it read-write once (start attestd on it) "
        "to build the index");
  }
  const uint64_t published = Size();
  const std::string prefix(reinterpret_cast<const char*>(request_id.data()), 32);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), request_ids_));
  it->Seek(prefix);
  if (it->Valid() && it->key().starts_with(prefix)) {
    ASSIGN_OR_RETURN(uint64_t index, DecodeIndexKey(it->key().ToStringView().substr(32), "request id index"));
    // Larger indices sort later, so if the first is not yet published none is.
    if (index < published) return index;
  }
  if (!it->status().ok()) return FromRocksDb(it->status(), "ledger: read the request id index");
  return absl::NotFoundError("ledger: no leaf carries request id " + HexEncode(request_id));
}

LogHead LogStore::Head() const {
  std::lock_guard<std::mutex> lock(head_mu_);
  return head_;
}

absl::StatusOr<std::string> LogStore::GetRaw(rocksdb::ColumnFamilyHandle* family, const std::string& key,
                                             std::string_view what) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), family, key, &value);
  if (s.IsNotFound()) return absl::NotFoundError(std::string(what) + " is not stored");
  if (!s.ok()) return FromRocksDb(s, std::string("ledger: read ") + std::string(what));
  return value;
}

absl::StatusOr<Bytes> LogStore::GetLeaf(uint64_t index) const {
  uint64_t size = Size();
  if (index >= size) {
    return absl::OutOfRangeError("leaf index " + std::to_string(index) + " out of range: tree size is " +
                                 std::to_string(size));
  }
  std::string what = "leaf " + std::to_string(index);
  absl::StatusOr<std::string> value = GetRaw(leaves_, LeafKey(index), what);
  if (absl::IsNotFound(value.status())) {
    return absl::DataLossError(what + " is missing below tree size " + std::to_string(size));
  }
  if (!value.ok()) return value.status();
  if (value->size() != kLeafSize) {
    return absl::DataLossError(what + ": got " + std::to_string(value->size()) + " bytes, want 321");
  }
  return Bytes(value->begin(), value->end());
}

absl::StatusOr<Digest32> LogStore::GetNode(int level, uint64_t index) const {
  if (level < 0 || level > kMaxLevel) {
    return absl::InvalidArgumentError("node level: got " + std::to_string(level) + ", want 0..63");
  }
  ASSIGN_OR_RETURN(std::string value, GetRaw(nodes_, NodeKey(level, index),
                                             "node (level " + std::to_string(level) + ", index " +
                                                 std::to_string(index) + ")"));
  if (value.size() != 32) {
    return absl::DataLossError("node (level " + std::to_string(level) + ", index " + std::to_string(index) +
                               "): got " + std::to_string(value.size()) + " bytes, want 32");
  }
  return Digest32::FromSpan(AsBytes(value), "node");
}

absl::StatusOr<Digest32> LogStore::RootAt(uint64_t size) const {
  uint64_t published = Size();
  if (size > published) {
    return absl::OutOfRangeError("tree size " + std::to_string(size) + " out of range: log has " +
                                 std::to_string(published) + " leaves");
  }
  return RootFromReader(size, *this);
}

absl::StatusOr<std::string> LogStore::GetCheckpoint(uint64_t size) const {
  return GetRaw(checkpoints_, CheckpointKey(size), "checkpoint at size " + std::to_string(size));
}

absl::StatusOr<std::string> LogStore::LatestCheckpoint() const {
  uint64_t last = Head().last_checkpoint_size;
  if (last == 0) return absl::NotFoundError("no checkpoint has been issued");
  return GetCheckpoint(last);
}

absl::StatusOr<std::vector<uint64_t>> LogStore::CheckpointSizes() const {
  std::vector<uint64_t> sizes;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), checkpoints_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ASSIGN_OR_RETURN(uint64_t size, DecodeIndexKey(it->key().ToStringView(), "checkpoint"));
    sizes.push_back(size);
  }
  if (!it->status().ok()) return FromRocksDb(it->status(), "ledger: list checkpoints");
  return sizes;
}

absl::Status LogStore::CatchUp() {
  if (mode_ != OpenMode::kSecondary) return absl::OkStatus();
  rocksdb::Status s = db_->TryCatchUpWithPrimary();
  if (!s.ok()) return FromRocksDb(s, "ledger: catch up with primary");
  return LoadAndCheckHead();
}

absl::Status LogStore::CommitAndPublish(rocksdb::WriteBatch& batch, const LogHead& new_head) {
  if (mode_ != OpenMode::kReadWrite || !check_head_) {
    return absl::FailedPreconditionError("ledger: store is open read-only or unchecked; appends need read-write");
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  rocksdb::Status s = db_->Write(write_options, &batch);
  if (!s.ok()) return FromRocksDb(s, "ledger: durable write");
  std::lock_guard<std::mutex> lock(head_mu_);
  head_ = new_head;
  size_.store(new_head.size, std::memory_order_release);
  return absl::OkStatus();
}

}  // namespace attestd::ledger
