// The fast tree (CompactRange, proof planning over stored nodes, verifiers)
// against the slow RFC 9162 reference on random sizes up to ~3000, and the
// bad inputs each check must refuse.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

#include "ledger/compact_range.h"
#include "ledger/merkle_hash.h"
#include "ledger/proof_plan.h"
#include "ledger/proof_verify.h"
#include "tests/ledger/reference_tree.h"

namespace attestd::ledger {
namespace {

// Holds every completed node, as a store would.
class MemoryNodes : public NodeReader {
 public:
  void Append(const Digest32& leaf_hash) {
    completed_.clear();
    ASSERT_TRUE(range_.Append(leaf_hash, &completed_).ok());
    for (const NodeHash& n : completed_) nodes_[n.id] = n.hash;
  }
  absl::StatusOr<Digest32> ReadNode(const NodeId& id) const override {
    auto it = nodes_.find(id);
    if (it == nodes_.end()) return absl::NotFoundError("node not stored");
    return it->second;
  }
  const CompactRange& range() const { return range_; }

 private:
  CompactRange range_;
  std::vector<NodeHash> completed_;
  std::map<NodeId, Digest32> nodes_;
};

Digest32 LeafFor(uint64_t i) {
  uint8_t bytes[8];
  PutBigEndian64(i, bytes);
  return HashLeaf(ByteSpan(bytes, 8));
}

class ReferenceTreeTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kMaxSize = 3000;
  void SetUp() override {
    for (uint64_t i = 0; i < kMaxSize; ++i) {
      leaves_.push_back(LeafFor(i));
      store_.Append(leaves_.back());
      ASSERT_FALSE(::testing::Test::HasFatalFailure());
    }
  }
  std::vector<Digest32> leaves_;
  MemoryNodes store_;
};

TEST_F(ReferenceTreeTest, CompactRangeRootMatchesRecursiveMthAtEverySize) {
  CompactRange range;
  for (uint64_t n = 0; n <= 600; ++n) {
    ASSERT_EQ(range.Root(), reference::Mth(leaves_, 0, n)) << "size " << n;
    absl::StatusOr<Digest32> stored = RootFromReader(n, store_);
    ASSERT_TRUE(stored.ok()) << stored.status();
    ASSERT_EQ(*stored, range.Root()) << "size " << n;
    ASSERT_TRUE(range.Append(leaves_[n], nullptr).ok());
  }
  EXPECT_EQ(store_.range().Root(), reference::Mth(leaves_, 0, kMaxSize));
}

TEST_F(ReferenceTreeTest, RandomInclusionProofsEqualRfcPathAndVerify) {
  std::mt19937_64 rng(9162);
  for (int trial = 0; trial < 400; ++trial) {
    const uint64_t size = 1 + rng() % kMaxSize;
    const uint64_t index = rng() % size;
    absl::StatusOr<std::vector<Digest32>> proof = InclusionProof(index, size, store_);
    ASSERT_TRUE(proof.ok()) << proof.status();
    ASSERT_EQ(*proof, reference::Path(leaves_, index, 0, size)) << index << " of " << size;
    const Digest32 root = reference::Mth(leaves_, 0, size);
    ASSERT_TRUE(VerifyInclusion(index, size, leaves_[index], *proof, root).ok()) << index << " of " << size;
    // The same proof must not verify another leaf, index or root.
    if (size > 1) {
      EXPECT_FALSE(VerifyInclusion(index, size, leaves_[(index + 1) % size], *proof, root).ok());
    }
    if (index + 1 < size) {
      EXPECT_FALSE(VerifyInclusion(index + 1, size, leaves_[index], *proof, root).ok());
    }
    Digest32 bad_root = root;
    bad_root[trial % 32] ^= 1;
    EXPECT_EQ(VerifyInclusion(index, size, leaves_[index], *proof, bad_root).code(),
              absl::StatusCode::kUnauthenticated);
  }
}

TEST_F(ReferenceTreeTest, RandomConsistencyProofsEqualRfcProofAndVerify) {
  std::mt19937_64 rng(6962);
  for (int trial = 0; trial < 400; ++trial) {
    const uint64_t size2 = 1 + rng() % kMaxSize;
    const uint64_t size1 = 1 + rng() % size2;
    absl::StatusOr<std::vector<Digest32>> proof = ConsistencyProof(size1, size2, store_);
    ASSERT_TRUE(proof.ok()) << proof.status();
    ASSERT_EQ(*proof, reference::Proof(leaves_, size1, size2)) << size1 << " -> " << size2;
    const Digest32 root1 = reference::Mth(leaves_, 0, size1);
    const Digest32 root2 = reference::Mth(leaves_, 0, size2);
    ASSERT_TRUE(VerifyConsistency(size1, size2, *proof, root1, root2).ok()) << size1 << " -> " << size2;
    if (size1 < size2) {
      EXPECT_FALSE(VerifyConsistency(size1, size2, *proof, root2, root1).ok());
      std::vector<Digest32> flipped = *proof;
      flipped[trial % flipped.size()][0] ^= 0x80;
      EXPECT_FALSE(VerifyConsistency(size1, size2, flipped, root1, root2).ok());
    }
  }
}

TEST_F(ReferenceTreeTest, EveryProofOfSmallTreesMatchesReference) {
  for (uint64_t size = 1; size <= 70; ++size) {
    for (uint64_t i = 0; i < size; ++i) {
      absl::StatusOr<std::vector<Digest32>> proof = InclusionProof(i, size, store_);
      ASSERT_TRUE(proof.ok());
      ASSERT_EQ(*proof, reference::Path(leaves_, i, 0, size)) << i << " of " << size;
      absl::StatusOr<std::vector<Digest32>> consistency = ConsistencyProof(i + 1, size, store_);
      ASSERT_TRUE(consistency.ok());
      ASSERT_EQ(*consistency, reference::Proof(leaves_, i + 1, size)) << i + 1 << " -> " << size;
    }
  }
}

TEST(ProofPlanTest, OutOfRangeIndexAndSizesAreRefusedBeforeAnyRead) {
  EXPECT_EQ(PlanInclusion(0, 0).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(PlanInclusion(5, 5).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(PlanInclusion(UINT64_MAX, 3).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(PlanConsistency(6, 5).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(PlanConsistency(0, 5).status().code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<ProofPlan> same = PlanConsistency(7, 7);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->nodes.empty());
  EXPECT_TRUE(same->step_end.empty());
}

TEST(ProofPlanTest, PlanForHugeTreeHasOnlyPerfectNodesInsideTheTree) {
  const uint64_t size = (uint64_t{1} << 62) + 12345;
  absl::StatusOr<ProofPlan> plan = PlanInclusion(size - 1, size);
  ASSERT_TRUE(plan.ok());
  for (const NodeId& id : plan->nodes) EXPECT_LE(id.end(), size);
  absl::StatusOr<ProofPlan> consistency = PlanConsistency(size - 3, size);
  ASSERT_TRUE(consistency.ok());
  for (const NodeId& id : consistency->nodes) EXPECT_LE(id.end(), size);
}

TEST(ProofPlanTest, AssembleRejectsWrongNodeCount) {
  absl::StatusOr<ProofPlan> plan = PlanInclusion(3, 10);
  ASSERT_TRUE(plan.ok());
  std::vector<Digest32> too_few(plan->nodes.size() - 1);
  absl::StatusOr<std::vector<Digest32>> proof = AssembleProof(*plan, too_few);
  EXPECT_EQ(proof.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(proof.status().message().find("want"), std::string::npos);
}

TEST(ProofPlanTest, StoreErrorsPassThroughUnchanged) {
  class FailingReader : public NodeReader {
   public:
    absl::StatusOr<Digest32> ReadNode(const NodeId&) const override { return absl::DataLossError("node rot"); }
  };
  EXPECT_EQ(InclusionProof(2, 9, FailingReader()).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ConsistencyProof(2, 9, FailingReader()).status().code(), absl::StatusCode::kDataLoss);
}

TEST(ProofVerifyTest, WrongLengthHashesAndProofsAreInvalidArgument) {
  const Digest32 leaf = LeafFor(0);
  const Bytes short_leaf(31, 0);
  EXPECT_EQ(VerifyInclusionRaw(0, 2, short_leaf, std::vector<Bytes>{Bytes(32)}, leaf.span()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyInclusionRaw(0, 2, leaf.span(), std::vector<Bytes>{Bytes(33)}, leaf.span()).code(),
            absl::StatusCode::kInvalidArgument);
  // Too many and too few proof hashes say got vs want.
  const absl::Status too_long = VerifyInclusion(0, 2, leaf, std::vector<Digest32>(2), leaf);
  EXPECT_EQ(too_long.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(too_long.message().find("got 2 hashes, want 1"), std::string::npos) << too_long;
  EXPECT_EQ(VerifyConsistency(3, 7, std::vector<Digest32>(1), leaf, leaf).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyConsistency(3, 7, {}, leaf, leaf).code(), absl::StatusCode::kInvalidArgument);
}

TEST(ProofVerifyTest, OutOfRangeIndexAndZeroSizesAreRefused) {
  const Digest32 h = LeafFor(1);
  EXPECT_EQ(VerifyInclusion(0, 0, h, {}, EmptyRoot()).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(VerifyInclusion(4, 4, h, std::vector<Digest32>(2), h).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(VerifyConsistency(5, 4, {}, h, h).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(VerifyConsistency(0, 4, {}, EmptyRoot(), h).code(), absl::StatusCode::kInvalidArgument);
  // Equal sizes: roots compared, proof must be empty.
  EXPECT_TRUE(VerifyConsistency(4, 4, {}, h, h).ok());
  EXPECT_EQ(VerifyConsistency(4, 4, {}, h, EmptyRoot()).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyConsistency(4, 4, std::vector<Digest32>(1), h, h).code(), absl::StatusCode::kInvalidArgument);
}

TEST(CompactRangeTest, FromFrontierRebuildsAndRejectsWrongCount) {
  CompactRange grown;
  for (uint64_t i = 0; i < 11; ++i) ASSERT_TRUE(grown.Append(LeafFor(i), nullptr).ok());
  absl::StatusOr<CompactRange> rebuilt = CompactRange::FromFrontier(11, grown.frontier());
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(rebuilt->Root(), grown.Root());
  ASSERT_TRUE(rebuilt->Append(LeafFor(11), nullptr).ok());
  ASSERT_TRUE(grown.Append(LeafFor(11), nullptr).ok());
  EXPECT_EQ(rebuilt->Root(), grown.Root());
  EXPECT_EQ(CompactRange::FromFrontier(13, grown.frontier()).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CompactRangeTest, AppendReportsEveryNodeThatBecameComplete) {
  CompactRange range;
  std::vector<NodeHash> completed;
  for (uint64_t i = 0; i < 7; ++i) ASSERT_TRUE(range.Append(LeafFor(i), nullptr).ok());
  ASSERT_TRUE(range.Append(LeafFor(7), &completed).ok());
  ASSERT_EQ(completed.size(), 4u);  // leaf 7, (1,3), (2,1), (3,0)
  EXPECT_EQ(completed[0].id, (NodeId{0, 7}));
  EXPECT_EQ(completed[1].id, (NodeId{1, 3}));
  EXPECT_EQ(completed[2].id, (NodeId{2, 1}));
  EXPECT_EQ(completed[3].id, (NodeId{3, 0}));
  EXPECT_EQ(completed[3].hash, range.Root());
}

TEST(NodeIdTest, TileRangeCoversExactlyTheRangeWithAlignedNodes) {
  for (uint64_t begin = 0; begin < 40; ++begin) {
    for (uint64_t end = begin; end < 80; ++end) {
      uint64_t next = begin;
      for (const NodeId& id : TileRange(begin, end)) {
        ASSERT_EQ(id.begin(), next);
        next = id.end();
      }
      ASSERT_EQ(next, end);
    }
  }
}

}  // namespace
}  // namespace attestd::ledger
