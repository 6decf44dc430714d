// LogStore + Sequencer: round trips, group commit, roots and proofs from
// storage against the RFC 9162 reference, read-only and secondary opens.
#include "ledger/log_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "ledger/proof_plan.h"
#include "ledger/sequencer.h"
#include "tests/testing/store_test_util.h"

namespace attestd::ledger {
namespace {

using testing::ReferenceInclusion;
using testing::ReferenceRoot;
using testing::ReferenceSubproof;
using testing::TempDir;
using testing::TestLeaf;

// Records what it signed so tests can check the stored note is the signer's.
CheckpointSigner TextSigner() {
  return [](uint64_t size, const Digest32& root) -> absl::StatusOr<std::string> {
    return "test.example/log\n" + std::to_string(size) + "\n" + Base64Encode(root.span()) + "\n";
  };
}

LogStoreOptions ModeOptions(OpenMode mode) {
  LogStoreOptions options;
  options.mode = mode;
  return options;
}

struct OpenLog {
  std::unique_ptr<LogStore> store;
  std::unique_ptr<Sequencer> sequencer;
};

OpenLog OpenReadWrite(const std::string& dir) {
  OpenLog log;
  auto store = LogStore::Open(dir);
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return log;
  log.store = *std::move(store);
  auto sequencer = Sequencer::Start(log.store.get(), TextSigner());
  EXPECT_TRUE(sequencer.ok()) << sequencer.status();
  if (sequencer.ok()) log.sequencer = *std::move(sequencer);
  return log;
}

TEST(LogStoreTest, AppendedLeavesReadBackByIndexAfterReopen) {
  TempDir dir;
  {
    OpenLog log = OpenReadWrite(dir.path());
    for (uint64_t i = 0; i < 20; ++i) {
      auto index = log.sequencer->Append(TestLeaf(i));
      ASSERT_TRUE(index.ok()) << index.status();
      EXPECT_EQ(*index, i);
    }
    EXPECT_EQ(log.store->Size(), 20u);
  }
  OpenLog log = OpenReadWrite(dir.path());
  ASSERT_EQ(log.store->Size(), 20u);
  for (uint64_t i = 0; i < 20; ++i) {
    auto leaf = log.store->GetLeaf(i);
    ASSERT_TRUE(leaf.ok()) << leaf.status();
    EXPECT_EQ(*leaf, TestLeaf(i));
  }
  auto next = log.sequencer->Append(TestLeaf(20));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, 20u);
}

TEST(LogStoreTest, WrongLeafSizeRejectedAndNothingWritten) {
  TempDir dir;
  OpenLog log = OpenReadWrite(dir.path());
  Bytes short_leaf(320), long_leaf(322);
  auto a = log.sequencer->Append(short_leaf);
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(a.status().message().find("got 320 bytes, want 321"), std::string::npos) << a.status();
  std::vector<Bytes> batch = {TestLeaf(0), long_leaf};
  auto b = log.sequencer->AppendBatch(batch);
  EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(b.status().message().find("leaf 1 of batch"), std::string::npos) << b.status();
  EXPECT_EQ(log.sequencer->AppendBatch({}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log.store->Size(), 0u);
}

TEST(LogStoreTest, OutOfRangeIndexAndSizeRejected) {
  TempDir dir;
  OpenLog log = OpenReadWrite(dir.path());
  EXPECT_EQ(log.store->GetLeaf(0).status().code(), absl::StatusCode::kOutOfRange);
  ASSERT_TRUE(log.sequencer->Append(TestLeaf(0)).ok());
  auto leaf = log.store->GetLeaf(1);
  EXPECT_EQ(leaf.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_NE(leaf.status().message().find("tree size is 1"), std::string::npos) << leaf.status();
  EXPECT_EQ(log.store->GetLeaf(UINT64_MAX).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(log.store->RootAt(2).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(log.store->GetNode(64, 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log.store->GetNode(1, 0).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(log.store->GetCheckpoint(1).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(log.store->LatestCheckpoint().status().code(), absl::StatusCode::kNotFound);
}

TEST(LogStoreTest, RootAtEverySizeMatchesReferenceTree) {
  TempDir dir;
  OpenLog log = OpenReadWrite(dir.path());
  std::vector<Digest32> hashes;
  auto empty = log.store->RootAt(0);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, ReferenceRoot(hashes, 0, 0));
  for (uint64_t i = 0; i < 70; ++i) {
    ASSERT_TRUE(log.sequencer->Append(TestLeaf(i)).ok());
    hashes.push_back(HashLeaf(TestLeaf(i)));
  }
  for (uint64_t size = 0; size <= 70; ++size) {
    auto root = log.store->RootAt(size);
    ASSERT_TRUE(root.ok()) << root.status();
    EXPECT_EQ(*root, ReferenceRoot(hashes, 0, size)) << "size " << size;
  }
}

TEST(LogStoreTest, ProofsFromStorageMatchReference) {
  TempDir dir;
  OpenLog log = OpenReadWrite(dir.path());
  std::vector<Bytes> leaves;
  std::vector<Digest32> hashes;
  for (uint64_t i = 0; i < 37; ++i) {
    leaves.push_back(TestLeaf(i));
    hashes.push_back(HashLeaf(leaves.back()));
  }
  // Mixed batch sizes exercise node completion across batch boundaries.
  ASSERT_TRUE(log.sequencer->AppendBatch(std::span(leaves).subspan(0, 5)).ok());
  for (size_t i = 5; i < 12; ++i) ASSERT_TRUE(log.sequencer->Append(leaves[i]).ok());
  ASSERT_TRUE(log.sequencer->AppendBatch(std::span(leaves).subspan(12)).ok());
  for (uint64_t size = 1; size <= 37; ++size) {
    for (uint64_t index = 0; index < size; ++index) {
      auto proof = InclusionProof(index, size, *log.store);
      ASSERT_TRUE(proof.ok()) << proof.status();
      std::vector<Digest32> want;
      ReferenceInclusion(hashes, index, 0, size, want);
      EXPECT_EQ(*proof, want) << "index " << index << " size " << size;
    }
    for (uint64_t size1 = 1; size1 <= size; ++size1) {
      auto proof = ConsistencyProof(size1, size, *log.store);
      ASSERT_TRUE(proof.ok()) << proof.status();
      std::vector<Digest32> want;
      if (size1 < size) ReferenceSubproof(hashes, size1, 0, size, true, want);
      EXPECT_EQ(*proof, want) << size1 << " -> " << size;
    }
  }
}

TEST(LogStoreTest, SixtyFourThreadsGetUniqueDenseIndices) {
  TempDir dir;
  OpenLog log = OpenReadWrite(dir.path());
  constexpr int kThreads = 64;
  constexpr int kPerThread = 20;
  std::vector<std::vector<uint64_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        uint64_t seed = static_cast<uint64_t>(t) * 1000 + static_cast<uint64_t>(i);
        auto index = log.sequencer->Append(TestLeaf(seed));
        ASSERT_TRUE(index.ok()) << index.status();
        // The index is durable and published when Append returns.
        EXPECT_GT(log.store->Size(), *index);
        auto leaf = log.store->GetLeaf(*index);
        ASSERT_TRUE(leaf.ok());
        EXPECT_EQ(*leaf, TestLeaf(seed));
        got[t].push_back(*index);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> all;
  for (const auto& v : got) {
    EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));  // one thread's appends keep their order
    all.insert(v.begin(), v.end());
  }
  ASSERT_EQ(all.size(), size_t{kThreads * kPerThread});
  EXPECT_EQ(*all.begin(), 0u);
  EXPECT_EQ(*all.rbegin(), uint64_t{kThreads * kPerThread - 1});
  EXPECT_EQ(log.store->Size(), uint64_t{kThreads * kPerThread});
}

TEST(LogStoreTest, CheckpointIsStoredAndServedAfterReopen) {
  TempDir dir;
  std::string first_note;
  {
    OpenLog log = OpenReadWrite(dir.path());
    auto empty = log.sequencer->IssueCheckpoint();
    EXPECT_EQ(empty.status().code(), absl::StatusCode::kFailedPrecondition);
    for (uint64_t i = 0; i < 5; ++i) ASSERT_TRUE(log.sequencer->Append(TestLeaf(i)).ok());
    auto first = log.sequencer->IssueCheckpoint();
    ASSERT_TRUE(first.ok()) << first.status();
    EXPECT_EQ(first->size, 5u);
    EXPECT_EQ(first->root, *log.store->RootAt(5));
    first_note = first->note;
    auto again = log.sequencer->IssueCheckpoint();  // same size: the stored one, not a new one
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->note, first_note);
    for (uint64_t i = 5; i < 9; ++i) ASSERT_TRUE(log.sequencer->Append(TestLeaf(i)).ok());
    ASSERT_TRUE(log.sequencer->IssueCheckpoint().ok());
  }
  OpenLog log = OpenReadWrite(dir.path());
  auto old_note = log.store->GetCheckpoint(5);
  ASSERT_TRUE(old_note.ok());
  EXPECT_EQ(*old_note, first_note);
  auto latest = log.store->LatestCheckpoint();
  ASSERT_TRUE(latest.ok());
  EXPECT_NE(latest->find("\n9\n"), std::string::npos);
  auto sizes = log.store->CheckpointSizes();
  ASSERT_TRUE(sizes.ok());
  EXPECT_EQ(*sizes, (std::vector<uint64_t>{5, 9}));
  EXPECT_EQ(log.store->Head().last_checkpoint_size, 9u);
}

TEST(LogStoreTest, SignerFailureFailsOnlyTheCheckpointNotTheLeaves) {
  TempDir dir;
  auto store = LogStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  auto sequencer = Sequencer::Start(store->get(), [](uint64_t, const Digest32&) -> absl::StatusOr<std::string> {
    return absl::UnavailableError("key offline");
  });
  ASSERT_TRUE(sequencer.ok());
  ASSERT_TRUE((*sequencer)->Append(TestLeaf(0)).ok());
  auto checkpoint = (*sequencer)->IssueCheckpoint();
  EXPECT_EQ(checkpoint.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ((*store)->Head().last_checkpoint_size, 0u);
  EXPECT_TRUE((*sequencer)->Append(TestLeaf(1)).ok());
}

TEST(LogStoreTest, ReadOnlyAndSecondaryOpensFollowTheWriter) {
  TempDir dir;
  OpenLog log = OpenReadWrite(dir.path());
  for (uint64_t i = 0; i < 10; ++i) ASSERT_TRUE(log.sequencer->Append(TestLeaf(i)).ok());

  auto second_writer = LogStore::Open(dir.path());
  EXPECT_EQ(second_writer.status().code(), absl::StatusCode::kUnavailable) << second_writer.status();
  EXPECT_NE(second_writer.status().message().find("is in use by another process"), std::string::npos)
      << second_writer.status();

  auto secondary = LogStore::Open(dir.path(), ModeOptions(OpenMode::kSecondary));
  ASSERT_TRUE(secondary.ok()) << secondary.status();
  EXPECT_EQ((*secondary)->Size(), 10u);
  EXPECT_EQ(Sequencer::Start(secondary->get(), TextSigner()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  for (uint64_t i = 10; i < 15; ++i) ASSERT_TRUE(log.sequencer->Append(TestLeaf(i)).ok());
  ASSERT_TRUE((*secondary)->CatchUp().ok());
  EXPECT_EQ((*secondary)->Size(), 15u);
  EXPECT_EQ(*(*secondary)->RootAt(15), *log.store->RootAt(15));

  log.sequencer.reset();
  log.store.reset();
  auto read_only = LogStore::Open(dir.path(), ModeOptions(OpenMode::kReadOnly));
  ASSERT_TRUE(read_only.ok()) << read_only.status();
  EXPECT_EQ((*read_only)->Size(), 15u);
  auto leaf = (*read_only)->GetLeaf(14);
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(*leaf, TestLeaf(14));
}

TEST(LogStoreTest, MissingDatabaseIsNotFoundInReadOnlyModes) {
  TempDir dir;
  auto read_only = LogStore::Open(dir.Sub("absent"), ModeOptions(OpenMode::kReadOnly));
  EXPECT_EQ(read_only.status().code(), absl::StatusCode::kNotFound);
  LogStoreOptions no_create_options;
  no_create_options.create_if_missing = false;
  auto no_create = LogStore::Open(dir.Sub("absent"), no_create_options);
  EXPECT_EQ(no_create.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace attestd::ledger
