// `attest ledger ...` end to end: the commands read a ledger written by the
// Sequencer, their proofs verify, audit exits 0 on a clean log and 1 naming
// the index of a flipped byte or of an anchor record that disagrees with the
// log, and bad input exits 2.
#include <sys/wait.h>

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <cstdio>
#include <string>

#include "attest/sha256.h"
#include "chain/anchor_record.h"
#include "ledger/checkpoint_signing.h"
#include "ledger/proof_json.h"
#include "tests/testing/store_test_util.h"

namespace attestd::ledger {
namespace {

using testing::TempDir;
using testing::TestLeaf;

struct Result {
  int exit_code = -1;
  std::string out;  // stdout and stderr
};

Result Attest(const std::string& args) {
  Result r;
  std::string command = std::string(ATTEST_CLI_PATH) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), pipe)) > 0;) r.out.append(buf, n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class LedgerCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = Ed25519PrivateKey::Generate();
    ASSERT_TRUE(key.ok());
    auto vkey = MakeNoteVerifierKey("attestd.test/cli", key->public_key());
    ASSERT_TRUE(vkey.ok());
    vkey_ = FormatNoteVerifierKey(*vkey);
    auto store = LogStore::Open(dir_.path());
    ASSERT_TRUE(store.ok());
    auto sequencer = Sequencer::Start(
        store->get(),
        MakeCheckpointSigner("attestd.test/cli", std::make_shared<const Ed25519PrivateKey>(*std::move(key))));
    ASSERT_TRUE(sequencer.ok());
    for (uint64_t i = 0; i < 13; ++i) {
      ASSERT_TRUE((*sequencer)->Append(TestLeaf(i)).ok());
      if (i == 5) {
        ASSERT_TRUE((*sequencer)->IssueCheckpoint().ok());
      }
    }
    ASSERT_TRUE((*sequencer)->IssueCheckpoint().ok());
  }

  TempDir dir_;
  std::string vkey_;
};

TEST_F(LedgerCliTest, InfoGetAndCheckpointReadTheLog) {
  Result info = Attest("ledger info " + dir_.path() + " --json");
  ASSERT_EQ(info.exit_code, 0) << info.out;
  EXPECT_NE(info.out.find("\"tree_size\":13"), std::string::npos) << info.out;
  Result get = Attest("ledger get " + dir_.path() + " --index 7");
  ASSERT_EQ(get.exit_code, 0) << get.out;
  EXPECT_EQ(get.out, HexEncode(TestLeaf(7)) + "\n");
  Result cp = Attest("ledger checkpoint " + dir_.path() + " --size 6");
  ASSERT_EQ(cp.exit_code, 0) << cp.out;
  EXPECT_EQ(cp.out.rfind("attestd.test/cli\n6\n", 0), 0u) << cp.out;
}

TEST_F(LedgerCliTest, ProofsPrintedAsJsonVerify) {
  Result prove = Attest("ledger prove " + dir_.path() + " --index 4 --size 11 --json");
  ASSERT_EQ(prove.exit_code, 0) << prove.out;
  auto inclusion = ParseInclusionProofJson(prove.out.substr(0, prove.out.size() - 1));
  ASSERT_TRUE(inclusion.ok()) << inclusion.status() << prove.out;
  EXPECT_EQ(inclusion->leaf_hash, HashLeaf(TestLeaf(4)));
  EXPECT_TRUE(VerifyInclusionRecord(*inclusion).ok());
  Result cons = Attest("ledger consistency " + dir_.path() + " --from 6 --to 13 --json");
  ASSERT_EQ(cons.exit_code, 0) << cons.out;
  auto consistency = ParseConsistencyProofJson(cons.out.substr(0, cons.out.size() - 1));
  ASSERT_TRUE(consistency.ok()) << consistency.status();
  EXPECT_TRUE(VerifyConsistencyRecord(*consistency).ok());
}

TEST_F(LedgerCliTest, OutOfRangeAndZeroSizesExitTwo) {
  EXPECT_EQ(Attest("ledger get " + dir_.path() + " --index 13").exit_code, 2);
  EXPECT_EQ(Attest("ledger prove " + dir_.path() + " --index 0 --size 0").exit_code, 2);
  EXPECT_EQ(Attest("ledger prove " + dir_.path() + " --index 3 --size 14").exit_code, 2);
  EXPECT_EQ(Attest("ledger consistency " + dir_.path() + " --from 0 --to 5").exit_code, 2);
  EXPECT_EQ(Attest("ledger consistency " + dir_.path() + " --from 9 --to 5").exit_code, 2);
  EXPECT_EQ(Attest("ledger checkpoint " + dir_.path() + " --size 0").exit_code, 2);
  EXPECT_EQ(Attest("ledger checkpoint " + dir_.path() + " --size 7").exit_code, 2);
  EXPECT_EQ(Attest("ledger info " + dir_.Sub("absent")).exit_code, 2);
  EXPECT_EQ(Attest("ledger audit " + dir_.path() + " --log-key not-a-key").exit_code, 2);
}

TEST_F(LedgerCliTest, AuditExitsZeroCleanAndOneNamingTheFlippedLeaf) {
  Result clean = Attest("ledger audit " + dir_.path() + " --log-key " + vkey_ + " --json");
  ASSERT_EQ(clean.exit_code, 0) << clean.out;
  EXPECT_NE(clean.out.find("\"checkpoints_checked\":2"), std::string::npos) << clean.out;
  {
    auto store = LogStore::Open(dir_.path());
    ASSERT_TRUE(store.ok());
    std::string value;
    ASSERT_TRUE((*store)->raw_db()->Get(rocksdb::ReadOptions(), (*store)->leaves_family(), LeafKey(9), &value).ok());
    value[100] = static_cast<char>(value[100] ^ 0x80);
    ASSERT_TRUE((*store)->raw_db()->Put(rocksdb::WriteOptions(), (*store)->leaves_family(), LeafKey(9), value).ok());
  }
  Result bad = Attest("ledger audit " + dir_.path() + " --log-key " + vkey_);
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
  EXPECT_NE(bad.out.find("audit FAILED at index 9"), std::string::npos) << bad.out;
}

// The audit reads the exporter's anchor records: a record whose root is not
// the log's root at its size, or whose logId is another log's, fails it.
TEST_F(LedgerCliTest, AuditFailsOnAnAnchorRecordWithAWrongRootOrLogId) {
  chain::AnchorRecord record;
  record.tree_size = 6;
  record.log_id = Sha256(std::string_view("attestd.test/cli"));
  record.state = chain::AnchorState::kConfirmed;
  {
    auto store = LogStore::Open(dir_.path());
    ASSERT_TRUE(store.ok());
    record.root = *(*store)->RootAt(6);
    ASSERT_TRUE(chain::AnchorLedger((*store)->raw_db(), (*store)->anchors_family()).Put(record).ok());
  }
  Result clean = Attest("ledger audit " + dir_.path() + " --log-key " + vkey_ + " --json");
  ASSERT_EQ(clean.exit_code, 0) << clean.out;
  EXPECT_NE(clean.out.find("\"anchor_roots_checked\":1"), std::string::npos) << clean.out;

  record.root = Sha256(std::string_view("not the root"));
  {
    auto store = LogStore::Open(dir_.path());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(chain::AnchorLedger((*store)->raw_db(), (*store)->anchors_family()).Put(record).ok());
  }
  Result wrong_root = Attest("ledger audit " + dir_.path() + " --log-key " + vkey_);
  EXPECT_EQ(wrong_root.exit_code, 1) << wrong_root.out;
  EXPECT_NE(wrong_root.out.find("audit FAILED at index 6: anchor record at size 6"), std::string::npos)
      << wrong_root.out;

  {
    auto store = LogStore::Open(dir_.path());
    ASSERT_TRUE(store.ok());
    record.root = *(*store)->RootAt(6);
    record.log_id = Sha256(std::string_view("another.example/log"));
    ASSERT_TRUE(chain::AnchorLedger((*store)->raw_db(), (*store)->anchors_family()).Put(record).ok());
  }
  Result wrong_log = Attest("ledger audit " + dir_.path() + " --log-key " + vkey_);
  EXPECT_EQ(wrong_log.exit_code, 1) << wrong_log.out;
  EXPECT_NE(wrong_log.out.find("names logId"), std::string::npos) << wrong_log.out;
}

}  // namespace
}  // namespace attestd::ledger
