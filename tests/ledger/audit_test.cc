// Offline audit: a clean log passes; a flipped byte in a leaf, a stored
// subtree hash or a checkpoint note is found and named by index; a head that
// disagrees with the data is reported rather than refused.
#include "ledger/audit.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "ledger/sequencer.h"
#include "tests/testing/store_test_util.h"
#include "tests/ledger/test_checkpoints.h"

namespace attestd::ledger {
namespace {

using testing::TempDir;
using testing::TestCheckpointSigner;
using testing::TestCheckpointVerifier;
using testing::TestLeaf;

constexpr uint64_t kLeaves = 21;

// A log of 21 leaves with checkpoints at 8 and 21.
void BuildLog(const std::string& dir) {
  auto store = LogStore::Open(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  auto sequencer = Sequencer::Start(store->get(), TestCheckpointSigner());
  ASSERT_TRUE(sequencer.ok());
  for (uint64_t i = 0; i < kLeaves; ++i) {
    ASSERT_TRUE((*sequencer)->Append(TestLeaf(i)).ok());
    if (i == 7) {
      ASSERT_TRUE((*sequencer)->IssueCheckpoint().ok());
    }
  }
  ASSERT_TRUE((*sequencer)->IssueCheckpoint().ok());
}

// Flips one byte of the value stored under `key` in the family `family_of` picks.
template <typename FamilyOf>
void FlipByte(const std::string& dir, FamilyOf family_of, const std::string& key, size_t offset) {
  auto store = LogStore::Open(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  rocksdb::ColumnFamilyHandle* family = family_of(**store);
  std::string value;
  ASSERT_TRUE((*store)->raw_db()->Get(rocksdb::ReadOptions(), family, key, &value).ok());
  ASSERT_LT(offset, value.size());
  value[offset] = static_cast<char>(value[offset] ^ 0x01);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  ASSERT_TRUE((*store)->raw_db()->Put(sync, family, key, value).ok());
}

AuditReport Audit(const std::string& dir, OpenMode mode = OpenMode::kReadOnly) {
  LogStoreOptions options;
  options.mode = mode;
  options.check_head = false;
  auto store = LogStore::Open(dir, options);
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return {};
  auto report = AuditLog(**store, TestCheckpointVerifier());
  EXPECT_TRUE(report.ok()) << report.status();
  return report.ok() ? *report : AuditReport{};
}

void ExpectFinding(const AuditReport& report, uint64_t index, const std::string& fragment) {
  ASSERT_FALSE(report.ok()) << "audit passed, want a finding at " << index;
  EXPECT_EQ(report.first_problem->index, index) << report.first_problem->what;
  EXPECT_NE(report.first_problem->what.find(fragment), std::string::npos) << report.first_problem->what;
}

TEST(AuditTest, CleanLogPassesAndCountsEverything) {
  TempDir dir;
  BuildLog(dir.path());
  AuditReport report = Audit(dir.path());
  EXPECT_TRUE(report.ok()) << report.first_problem->what;
  EXPECT_EQ(report.head_size, kLeaves);
  EXPECT_EQ(report.leaves_checked, kLeaves);
  EXPECT_EQ(report.nodes_checked, 2 * kLeaves - 3);  // 2n - popcount(n) perfect subtrees; popcount(21) = 3
  EXPECT_EQ(report.checkpoints_checked, 2u);
}

TEST(AuditTest, FlippedByteInLeafNamesItsIndex) {
  TempDir dir;
  BuildLog(dir.path());
  FlipByte(dir.path(), [](LogStore& s) { return s.leaves_family(); }, LeafKey(13), 300);
  ExpectFinding(Audit(dir.path()), 13, "leaf 13: stored leaf hash");
}

TEST(AuditTest, FlippedByteInSubtreeHashNamesItsFirstLeaf) {
  TempDir dir;
  BuildLog(dir.path());
  FlipByte(dir.path(), [](LogStore& s) { return s.nodes_family(); }, NodeKey(2, 3), 0);
  ExpectFinding(Audit(dir.path()), 12, "node (level 2, index 3) covering leaves [12, 16)");
}

TEST(AuditTest, FlippedByteInStoredLeafHashNamesItsIndex) {
  TempDir dir;
  BuildLog(dir.path());
  FlipByte(dir.path(), [](LogStore& s) { return s.nodes_family(); }, NodeKey(0, 5), 31);
  ExpectFinding(Audit(dir.path()), 5, "leaf 5");
}

TEST(AuditTest, FlippedByteInCheckpointNamesItsSize) {
  TempDir dir;
  BuildLog(dir.path());
  FlipByte(dir.path(), [](LogStore& s) { return s.checkpoints_family(); }, CheckpointKey(8), 20);
  ExpectFinding(Audit(dir.path()), 8, "checkpoint at size 8 does not verify");
}

TEST(AuditTest, HeadDisagreeingWithDataIsReportedNotRefused) {
  TempDir dir;
  BuildLog(dir.path());
  {
    auto store = LogStore::Open(dir.path());
    ASSERT_TRUE(store.ok());
    LogHead head = (*store)->Head();
    head.frontier[1][0] ^= 1;
    rocksdb::WriteOptions sync;
    sync.sync = true;
    ASSERT_TRUE((*store)->raw_db()->Put(sync, (*store)->meta_family(), kHeadKey, EncodeHead(head)).ok());
  }
  ExpectFinding(Audit(dir.path()), kLeaves, "head frontier disagrees");
}

TEST(AuditTest, MissingLeafNamesItsIndex) {
  TempDir dir;
  BuildLog(dir.path());
  {
    auto store = LogStore::Open(dir.path());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->raw_db()->Delete(rocksdb::WriteOptions(), (*store)->leaves_family(), LeafKey(6)).ok());
  }
  ExpectFinding(Audit(dir.path()), 6, "leaf 6 is missing");
}

TEST(AuditTest, LiveDatabaseAuditsThroughSecondaryWhileWriterRuns) {
  TempDir dir;
  auto store = LogStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  auto sequencer = Sequencer::Start(store->get(), TestCheckpointSigner());
  ASSERT_TRUE(sequencer.ok());
  for (uint64_t i = 0; i < 9; ++i) ASSERT_TRUE((*sequencer)->Append(TestLeaf(i)).ok());
  ASSERT_TRUE((*sequencer)->IssueCheckpoint().ok());
  AuditReport report = Audit(dir.path(), OpenMode::kSecondary);
  EXPECT_TRUE(report.ok()) << report.first_problem->what;
  EXPECT_EQ(report.leaves_checked, 9u);
  EXPECT_TRUE((*sequencer)->Append(TestLeaf(9)).ok());  // the writer was not disturbed
}

// Anchor records keep the roots the exporter sent to the chain; one that is
// not the log's root at its size (or names a size the log never reached)
// must fail the audit at that size.
TEST(AuditTest, AuditFailsOnAnchoredRootThatDisagrees) {
  TempDir dir;
  BuildLog(dir.path());
  Digest32 root8, root21;
  {
    auto store = LogStore::Open(dir.path());
    ASSERT_TRUE(store.ok()) << store.status();
    root8 = *(*store)->RootAt(8);
    root21 = *(*store)->RootAt(21);
  }
  LogStoreOptions options;
  options.mode = OpenMode::kReadOnly;
  options.check_head = false;
  auto store = LogStore::Open(dir.path(), options);
  ASSERT_TRUE(store.ok()) << store.status();

  auto good = AuditLog(**store, TestCheckpointVerifier(), {{21, root21, "anchor record"}, {8, root8, "anchor record"}});
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_TRUE(good->ok()) << good->first_problem->what;
  EXPECT_EQ(good->stored_roots_checked, 2u);

  auto wrong = AuditLog(**store, TestCheckpointVerifier(), {{21, root21, "anchor record"}, {8, root21, "anchor record"}});
  ASSERT_TRUE(wrong.ok()) << wrong.status();
  ExpectFinding(*wrong, 8, "anchor record at size 8: root");

  auto beyond = AuditLog(**store, TestCheckpointVerifier(), {{22, root21, "anchor record"}});
  ASSERT_TRUE(beyond.ok()) << beyond.status();
  ExpectFinding(*beyond, 22, "beyond the 21 stored leaves");

  auto empty = AuditLog(**store, TestCheckpointVerifier(), {{0, root21, "anchor record"}});
  ASSERT_TRUE(empty.ok()) << empty.status();
  ExpectFinding(*empty, 0, "anchor record at size 0");
}

TEST(AuditTest, MissingVerifierIsAnError) {
  TempDir dir;
  BuildLog(dir.path());
  auto store = LogStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(AuditLog(**store, nullptr).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace attestd::ledger
