// The persistent request id index (request_ids family): written with each
// leaf, first leaf wins, survives reopen, and is built at open for a ledger
// written before it existed.
#include <rocksdb/db.h>

#include <gtest/gtest.h>

#include "ledger/log_store.h"
#include "ledger/sequencer.h"
#include "tests/testing/store_test_util.h"

namespace attestd::ledger {
namespace {

using testing::TempDir;
using testing::TestLeaf;

// A test leaf whose requestId word is `id` repeated.
Bytes LeafWithRequestId(uint64_t seed, uint8_t id) {
  Bytes leaf = TestLeaf(seed);
  std::fill(leaf.begin() + kLeafRequestIdOffset, leaf.begin() + kLeafRequestIdOffset + 32, id);
  return leaf;
}

Digest32 RequestId(uint8_t id) {
  Digest32 d;
  d.bytes.fill(id);
  return d;
}

void AppendAll(const std::string& dir, const std::vector<Bytes>& leaves) {
  auto store = LogStore::Open(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  auto sequencer = Sequencer::Start(store->get(), nullptr);
  ASSERT_TRUE(sequencer.ok()) << sequencer.status();
  auto first = (*sequencer)->AppendBatch(leaves);  // one group commit, one fsync
  ASSERT_TRUE(first.ok()) << first.status();
}

TEST(RequestIndexTest, LookupGivesTheFirstLeafWithTheIdAndSurvivesReopen) {
  TempDir dir;
  AppendAll(dir.path(), {LeafWithRequestId(0, 0xaa), LeafWithRequestId(1, 0xbb), LeafWithRequestId(2, 0xaa)});
  for (int pass = 0; pass < 2; ++pass) {  // as written, then after a reopen
    auto store = LogStore::Open(dir.path());
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ(*(*store)->FindRequestId(RequestId(0xaa)), 0u);
    EXPECT_EQ(*(*store)->FindRequestId(RequestId(0xbb)), 1u);
    EXPECT_EQ((*store)->FindRequestId(RequestId(0xcc)).status().code(), absl::StatusCode::kNotFound);
  }
}

TEST(RequestIndexTest, IdSharingAPrefixWithAnIndexedIdIsNotFound) {
  TempDir dir;
  AppendAll(dir.path(), {LeafWithRequestId(0, 0xaa)});
  auto store = LogStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  Digest32 almost = RequestId(0xaa);
  almost[31] = 0xab;  // sorts right after every 0xaa.. key
  EXPECT_EQ((*store)->FindRequestId(almost).status().code(), absl::StatusCode::kNotFound);
  almost[31] = 0xa9;  // sorts right before
  EXPECT_EQ((*store)->FindRequestId(almost).status().code(), absl::StatusCode::kNotFound);
}

// Turns `dir` into a ledger as written before the index existed: no
// request_ids family and no request_ids_indexed count.
void RemoveTheIndex(const std::string& dir) {
  auto store = LogStore::Open(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  rocksdb::DB* db = (*store)->raw_db();
  ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), (*store)->meta_family(), kRequestIdsIndexedKey).ok());
  ASSERT_TRUE(db->DropColumnFamily((*store)->request_ids_family()).ok());
}

TEST(RequestIndexTest, LedgerWrittenBeforeTheIndexIsIndexedWhenOpenedReadWrite) {
  TempDir dir;
  std::vector<Bytes> leaves;
  for (uint64_t i = 0; i < 5000; ++i) leaves.push_back(LeafWithRequestId(i, static_cast<uint8_t>(i % 251)));
  AppendAll(dir.path(), leaves);
  RemoveTheIndex(dir.path());

  LogStoreOptions read_only;
  read_only.mode = OpenMode::kReadOnly;
  {
    auto store = LogStore::Open(dir.path(), read_only);
    ASSERT_TRUE(store.ok()) << store.status();
    auto found = (*store)->FindRequestId(RequestId(7));
    EXPECT_EQ(found.status().code(), absl::StatusCode::kFailedPrecondition) << found.status();
    EXPECT_NE(found.status().message().find("open it read-write once"), std::string_view::npos) << found.status();
  }
  {
    std::vector<std::pair<uint64_t, uint64_t>> progress;
    LogStoreOptions read_write;
    read_write.index_progress = [&progress](uint64_t indexed, uint64_t total) { progress.emplace_back(indexed, total); };
    ASSERT_TRUE(LogStore::Open(dir.path(), read_write).ok());  // builds the index, in more than one batch
    ASSERT_GE(progress.size(), 2u);
    EXPECT_EQ(progress.back(), std::make_pair(uint64_t{5000}, uint64_t{5000}));
    for (size_t i = 1; i < progress.size(); ++i) EXPECT_GT(progress[i].first, progress[i - 1].first);
  }
  auto store = LogStore::Open(dir.path(), read_only);
  ASSERT_TRUE(store.ok()) << store.status();
  for (uint8_t id : {0, 7, 250}) {
    auto found = (*store)->FindRequestId(RequestId(id));
    ASSERT_TRUE(found.ok()) << found.status();
    EXPECT_EQ(*found, id);
  }
}

TEST(RequestIndexTest, IndexCountBeyondTheHeadIsRefusedAsDataLoss) {
  TempDir dir;
  AppendAll(dir.path(), {LeafWithRequestId(0, 1), LeafWithRequestId(1, 2)});
  {
    auto store = LogStore::Open(dir.path());
    ASSERT_TRUE(store.ok());
    rocksdb::WriteOptions synced;
    synced.sync = true;
    ASSERT_TRUE((*store)
                    ->raw_db()
                    ->Put(synced, (*store)->meta_family(), kRequestIdsIndexedKey, EncodeU64Value(3))
                    .ok());
  }
  auto reopened = LogStore::Open(dir.path());
  EXPECT_EQ(reopened.status().code(), absl::StatusCode::kDataLoss) << reopened.status();
}

}  // namespace
}  // namespace attestd::ledger
