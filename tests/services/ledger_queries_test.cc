// LedgerQueries without a server: tree size 0 means the newest checkpoint,
// proofs verify against the roots they name, errors name the field with got
// and want, and a logged receipt names its recovered signer and its model.
#include "services/ledger_queries.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "attest/ed25519.h"
#include "attest/eip712.h"
#include "attest/secp256k1_signer.h"
#include "attest/sha256.h"
#include "attest/signed_note.h"
#include "ledger/checkpoint_signing.h"
#include "ledger/merkle_hash.h"
#include "services/attestation_service.h"
#include "tests/testing/temp_dir.h"

namespace attestd::service {
namespace {

constexpr char kOrigin[] = "attestd.test/queries";

class LedgerQueriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log_key = Ed25519PrivateKey::Generate();
    ASSERT_TRUE(log_key.ok()) << log_key.status();
    auto shared_key = std::make_shared<const Ed25519PrivateKey>(std::move(*log_key));
    auto backend = LedgerBackend::Open(dir_.Sub("ledger"), kOrigin, ledger::MakeCheckpointSigner(kOrigin, shared_key));
    ASSERT_TRUE(backend.ok()) << backend.status();
    ledger_ = std::move(*backend);
    auto vkey = MakeNoteVerifierKey(kOrigin, shared_key->public_key());
    ASSERT_TRUE(vkey.ok()) << vkey.status();
    ledger_->set_verifier_key(FormatNoteVerifierKey(*vkey));
    model_digest_ = Sha256(std::string_view("model"));
    queries_ = std::make_unique<LedgerQueries>(
        ledger_.get(), std::vector<LedgerQueries::ModelName>{{Sha256(std::string_view("other")), "other"},
                                                             {model_digest_, "tiny-qwen2"}});
  }

  // Appends a receipt for `request_id` signed by attestor_; returns its statement.
  AttestationStatement Append(const std::string& request_id) {
    AttestationStatement stmt;
    stmt.log_id = ledger_->log_id();
    stmt.model_digest = model_digest_;
    stmt.request_id = RequestIdDigest(request_id);
    stmt.issued_at_ms = 1700000000000;
    auto index = ledger_->Append(EncodeLedgerLeaf(stmt, SignAttestation(attestor_, stmt)));
    EXPECT_TRUE(index.ok()) << index.status();
    return stmt;
  }

  void AppendAndCheckpoint(int leaves) {
    for (int i = 0; i < leaves; ++i) Append("req-" + std::to_string(ledger_->Size()));
    ASSERT_TRUE(ledger_->IssueCheckpoint().ok());
  }

  attestd::testing::TempDir dir_{"ledger-queries"};
  SecretKey32 attestor_ = SecretKey32::Generate();
  Digest32 model_digest_;
  std::unique_ptr<LedgerBackend> ledger_;
  std::unique_ptr<LedgerQueries> queries_;
};

TEST_F(LedgerQueriesTest, TreeSizeZeroBeforeAnyCheckpointIsNotFound) {
  Append("req-0");
  EXPECT_TRUE(absl::IsNotFound(queries_->GetCheckpoint(0).status()));
  EXPECT_TRUE(absl::IsNotFound(queries_->GetInclusionProof(0, 0).status()));
  EXPECT_TRUE(absl::IsNotFound(queries_->GetConsistencyProof(1, 0).status()));
}

TEST_F(LedgerQueriesTest, CheckpointOfTreeSizeZeroIsTheNewest) {
  AppendAndCheckpoint(3);
  AppendAndCheckpoint(2);
  auto newest = queries_->GetCheckpoint(0);
  ASSERT_TRUE(newest.ok()) << newest.status();
  EXPECT_EQ(newest->tree_size, 5u);
  EXPECT_EQ(newest->note, *ledger_->store().GetCheckpoint(5));
  EXPECT_EQ(newest->root, *ledger_->store().RootAt(5));
  EXPECT_EQ(newest->verifier_key, ledger_->verifier_key());
  auto older = queries_->GetCheckpoint(3);
  ASSERT_TRUE(older.ok()) << older.status();
  EXPECT_EQ(older->tree_size, 3u);
  EXPECT_EQ(older->root, *ledger_->store().RootAt(3));
}

TEST_F(LedgerQueriesTest, CheckpointAtASizeWithoutOneIsNotFound) {
  AppendAndCheckpoint(3);
  AppendAndCheckpoint(2);
  EXPECT_TRUE(absl::IsNotFound(queries_->GetCheckpoint(4).status()));
}

TEST_F(LedgerQueriesTest, EntryHoldsTheLeafAndItsHash) {
  Append("req-0");
  const AttestationStatement stmt = Append("req-1");
  auto entry = queries_->GetEntry(1);
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(entry->index, 1u);
  ASSERT_EQ(entry->leaf.size(), kAttestationLeafSize);
  auto decoded = DecodeLedgerLeaf(entry->leaf);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->statement, stmt);
  EXPECT_EQ(entry->leaf_hash, ledger::HashLeaf(entry->leaf));
}

TEST_F(LedgerQueriesTest, EntryBeyondTheLogIsOutOfRange) {
  Append("req-0");
  EXPECT_TRUE(absl::IsOutOfRange(queries_->GetEntry(1).status()));
}

TEST_F(LedgerQueriesTest, InclusionProofAtTreeSizeZeroVerifiesAgainstTheNewestCheckpoint) {
  AppendAndCheckpoint(5);
  Append("req-after");
  auto record = queries_->GetInclusionProof(2, 0);
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->index, 2u);
  EXPECT_EQ(record->tree_size, 5u);
  EXPECT_EQ(record->root, queries_->GetCheckpoint(0)->root);
  EXPECT_EQ(record->leaf_hash, ledger::HashLeaf(*ledger_->store().GetLeaf(2)));
  EXPECT_TRUE(ledger::VerifyInclusionRecord(*record).ok());
}

TEST_F(LedgerQueriesTest, InclusionProofBeyondTheLogIsOutOfRangeSayingGot) {
  AppendAndCheckpoint(3);
  absl::Status size = queries_->GetInclusionProof(0, 4).status();
  EXPECT_TRUE(absl::IsOutOfRange(size)) << size;
  EXPECT_NE(size.message().find("got"), std::string::npos) << size;
  absl::Status index = queries_->GetInclusionProof(3, 3).status();
  EXPECT_TRUE(absl::IsOutOfRange(index)) << index;
}

TEST_F(LedgerQueriesTest, ConsistencyProofToTreeSizeZeroVerifiesToTheNewestCheckpoint) {
  AppendAndCheckpoint(3);
  AppendAndCheckpoint(4);
  auto record = queries_->GetConsistencyProof(3, 0);
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->from, 3u);
  EXPECT_EQ(record->to, 7u);
  EXPECT_EQ(record->root_from, *ledger_->store().RootAt(3));
  EXPECT_EQ(record->root_to, *ledger_->store().RootAt(7));
  EXPECT_TRUE(ledger::VerifyConsistencyRecord(*record).ok());
}

TEST_F(LedgerQueriesTest, ConsistencyFromZeroOrPastToSizeIsInvalidArgument) {
  AppendAndCheckpoint(4);
  EXPECT_TRUE(absl::IsInvalidArgument(queries_->GetConsistencyProof(0, 4).status()));
  absl::Status backwards = queries_->GetConsistencyProof(4, 2).status();
  EXPECT_TRUE(absl::IsInvalidArgument(backwards)) << backwards;
  EXPECT_EQ(backwards.message(), "from_size: got 4, want 1..2");
}

TEST_F(LedgerQueriesTest, ConsistencyToBeyondTheLogIsOutOfRangeEvenWhenFromIsPastIt) {
  AppendAndCheckpoint(4);
  EXPECT_TRUE(absl::IsOutOfRange(queries_->GetConsistencyProof(1, 5).status()));
  EXPECT_TRUE(absl::IsOutOfRange(queries_->GetConsistencyProof(9, 5).status()));
}

TEST_F(LedgerQueriesTest, ReceiptNamesItsRecoveredSignerModelAndLeafWithoutSalt) {
  Append("req-0");
  const AttestationStatement stmt = Append("the-request");
  auto receipt = queries_->GetReceipt("the-request");
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_EQ(receipt->statement, stmt);
  EXPECT_EQ(receipt->attestor, AddressOf(attestor_));
  EXPECT_EQ(receipt->model_name, "tiny-qwen2");
  EXPECT_FALSE(receipt->salt.has_value());
  ASSERT_TRUE(receipt->ledger.has_value());
  EXPECT_EQ(receipt->ledger->leaf_index, 1u);
  EXPECT_FALSE(receipt->ledger->inclusion.has_value());
  EXPECT_TRUE(VerifyAttestation(receipt->statement, receipt->signature, receipt->attestor).ok());
  EXPECT_EQ(queries_->origin(), kOrigin);
}

TEST_F(LedgerQueriesTest, ReceiptForAnUnknownRequestIdIsNotFoundNamingIt) {
  Append("req-0");
  absl::Status s = queries_->GetReceipt("never-issued").status();
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
  EXPECT_NE(s.message().find("never-issued"), std::string::npos) << s;
}

TEST_F(LedgerQueriesTest, ReceiptForAnEmptyRequestIdIsInvalidArgument) {
  EXPECT_TRUE(absl::IsInvalidArgument(queries_->GetReceipt("").status()));
}

TEST_F(LedgerQueriesTest, AnchorsListTheExporterRecordsBySize) {
  AppendAndCheckpoint(2);
  auto none = queries_->ListAnchors();
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
  chain::AnchorLedger records(*ledger_->mutable_store());
  for (uint64_t size : {2u, 1u}) {
    chain::AnchorRecord r;
    r.tree_size = size;
    r.root = *ledger_->store().RootAt(size);
    r.log_id = ledger_->log_id();
    ASSERT_TRUE(records.Put(r).ok());
  }
  auto listed = queries_->ListAnchors();
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].tree_size, 1u);
  EXPECT_EQ((*listed)[1].tree_size, 2u);
}

}  // namespace
}  // namespace attestd::service
