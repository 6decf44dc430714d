// Recovery checks at open: a head that disagrees with the stored data, or a
// database RocksDB finds truncated, is refused with DataLoss naming what
// disagrees. The damage is written through RocksDB directly, as a bad disk,
// a bad restore or a hand edit would leave it.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <filesystem>

#include "ledger/log_store.h"
#include "ledger/sequencer.h"
#include "tests/testing/store_test_util.h"

namespace attestd::ledger {
namespace {

using testing::TempDir;
using testing::TestLeaf;

CheckpointSigner TextSigner() {
  return [](uint64_t size, const Digest32& root) -> absl::StatusOr<std::string> {
    return "test.example/log\n" + std::to_string(size) + "\n" + Base64Encode(root.span()) + "\n";
  };
}

// Builds a log of 10 leaves with checkpoints at 4 and 10, then lets `damage`
// write to the open database, closes it, and returns the status of reopening.
template <typename Damage>
absl::Status ReopenAfter(const TempDir& dir, Damage damage) {
  {
    auto store = LogStore::Open(dir.path());
    if (!store.ok()) return store.status();
    auto sequencer = Sequencer::Start(store->get(), TextSigner());
    if (!sequencer.ok()) return sequencer.status();
    for (uint64_t i = 0; i < 10; ++i) {
      if (!(*sequencer)->Append(TestLeaf(i)).ok()) return absl::InternalError("append");
      if (i == 3 && !(*sequencer)->IssueCheckpoint().ok()) return absl::InternalError("checkpoint");
    }
    if (!(*sequencer)->IssueCheckpoint().ok()) return absl::InternalError("checkpoint");
    sequencer->reset();
    damage(**store);
  }
  return LogStore::Open(dir.path()).status();
}

void ExpectDataLoss(const absl::Status& status, const std::string& fragment) {
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  EXPECT_NE(status.message().find(fragment), std::string::npos) << "message: " << status.message();
}

rocksdb::WriteOptions Sync() {
  rocksdb::WriteOptions o;
  o.sync = true;
  return o;
}

TEST(StoreRecoveryTest, UndamagedLogReopens) {
  TempDir dir;
  EXPECT_TRUE(ReopenAfter(dir, [](LogStore&) {}).ok());
}

TEST(StoreRecoveryTest, HeadBeyondLastStoredLeafRefused) {
  TempDir dir;
  auto status = ReopenAfter(dir, [](LogStore& s) {
    ASSERT_TRUE(s.raw_db()->Delete(Sync(), s.leaves_family(), LeafKey(9)).ok());
  });
  ExpectDataLoss(status, "head says 10 leaves but the last stored leaf is 8");
}

TEST(StoreRecoveryTest, LeafStoredBeyondHeadRefused) {
  TempDir dir;
  auto status = ReopenAfter(dir, [](LogStore& s) {
    Bytes leaf = TestLeaf(10);
    ASSERT_TRUE(s.raw_db()->Put(Sync(), s.leaves_family(), LeafKey(10),
                                rocksdb::Slice(reinterpret_cast<const char*>(leaf.data()), leaf.size())).ok());
  });
  ExpectDataLoss(status, "leaf 10 is stored beyond head size 10");
}

TEST(StoreRecoveryTest, FrontierNodeChangedRefused) {
  TempDir dir;
  // Size 10 = 8 + 2: the frontier is node (3, 0) then node (1, 4).
  auto status = ReopenAfter(dir, [](LogStore& s) {
    ASSERT_TRUE(s.raw_db()->Put(Sync(), s.nodes_family(), NodeKey(1, 4), std::string(32, 'x')).ok());
  });
  ExpectDataLoss(status, "head frontier disagrees with stored node (level 1, index 4)");
}

TEST(StoreRecoveryTest, CheckpointRootMismatchRefused) {
  TempDir dir;
  // The newest checkpoint is at 10; change the head's copy of its root.
  auto status = ReopenAfter(dir, [](LogStore& s) {
    LogHead head = s.Head();
    head.last_checkpoint_root[0] ^= 1;
    ASSERT_TRUE(s.raw_db()->Put(Sync(), s.meta_family(), kHeadKey, EncodeHead(head)).ok());
  });
  ExpectDataLoss(status, "root recomputed at checkpoint size 10");
}

TEST(StoreRecoveryTest, NewestCheckpointMissingRefused) {
  TempDir dir;
  auto status = ReopenAfter(dir, [](LogStore& s) {
    ASSERT_TRUE(s.raw_db()->Delete(Sync(), s.checkpoints_family(), CheckpointKey(10)).ok());
  });
  ExpectDataLoss(status, "newest stored checkpoint is at size 4, head says 10");
}

TEST(StoreRecoveryTest, MalformedHeadRefused) {
  TempDir dir;
  auto status = ReopenAfter(dir, [](LogStore& s) {
    ASSERT_TRUE(s.raw_db()->Put(Sync(), s.meta_family(), kHeadKey, "garbage").ok());
  });
  ExpectDataLoss(status, "head: got 7 bytes");
}

TEST(StoreRecoveryTest, LeavesWithoutHeadRefused) {
  TempDir dir;
  auto status = ReopenAfter(dir, [](LogStore& s) {
    ASSERT_TRUE(s.raw_db()->Delete(Sync(), s.meta_family(), kHeadKey).ok());
  });
  ExpectDataLoss(status, "leaf 9 is stored beyond head size 0");
}

// Flushes everything to table files, then cuts the largest one in half.
TEST(StoreRecoveryTest, TruncatedTableFileRefusedAtOpen) {
  TempDir dir;
  auto status = ReopenAfter(dir, [](LogStore& s) {
    rocksdb::FlushOptions flush;
    flush.wait = true;
    for (auto* family : {s.leaves_family(), s.nodes_family(), s.checkpoints_family(), s.meta_family()}) {
      ASSERT_TRUE(s.raw_db()->Flush(flush, family).ok());
    }
  });
  ASSERT_TRUE(status.ok()) << status;
  std::filesystem::path largest;
  uintmax_t largest_size = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (entry.path().extension() == ".sst" && entry.file_size() > largest_size) {
      largest = entry.path();
      largest_size = entry.file_size();
    }
  }
  ASSERT_GT(largest_size, 0u);
  std::filesystem::resize_file(largest, largest_size / 2);
  auto reopened = LogStore::Open(dir.path());
  EXPECT_EQ(reopened.status().code(), absl::StatusCode::kDataLoss) << reopened.status();
  EXPECT_NE(reopened.status().message().find("ledger: open"), std::string::npos) << reopened.status();
  auto read_only = LogStore::Open(dir.path(), [] {
    LogStoreOptions o;
    o.mode = OpenMode::kReadOnly;
    return o;
  }());
  EXPECT_EQ(read_only.status().code(), absl::StatusCode::kDataLoss) << read_only.status();
}

// A clean close flushes everything into table files, so no acknowledged
// leaf is left only in the WAL, where a cut would look like a crash.
TEST(StoreRecoveryTest, CleanCloseLeavesEveryLeafInSizeCheckedTableFiles) {
  TempDir dir;
  ASSERT_TRUE(ReopenAfter(dir, [](LogStore&) {}).ok());
  std::filesystem::path largest;
  uintmax_t largest_size = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (entry.path().extension() == ".sst" && entry.file_size() > largest_size) {
      largest = entry.path();
      largest_size = entry.file_size();
    }
  }
  ASSERT_GT(largest_size, 0u) << "no table file after a clean close";
  std::filesystem::resize_file(largest, largest_size - 1);
  EXPECT_EQ(LogStore::Open(dir.path()).status().code(), absl::StatusCode::kDataLoss);
}

TEST(StoreRecoveryTest, DeletedTableFileRefusedAtOpen) {
  TempDir dir;
  ASSERT_TRUE(ReopenAfter(dir, [](LogStore& s) {
                ASSERT_TRUE(s.raw_db()->Flush(rocksdb::FlushOptions(), s.leaves_family()).ok());
              }).ok());
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (entry.path().extension() == ".sst") std::filesystem::remove(entry.path());
  }
  auto reopened = LogStore::Open(dir.path());
  EXPECT_EQ(reopened.status().code(), absl::StatusCode::kDataLoss) << reopened.status();
}

}  // namespace
}  // namespace attestd::ledger
