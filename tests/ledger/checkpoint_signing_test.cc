// The Sequencer's checkpoints signed with a real Ed25519 log key verify with
// the log's verifier key, audit clean, and are refused for another origin or
// key.
#include "ledger/checkpoint_signing.h"

#include <gtest/gtest.h>

#include "ledger/checkpoint.h"
#include "tests/testing/store_test_util.h"

namespace attestd::ledger {
namespace {

using testing::TempDir;
using testing::TestLeaf;

constexpr char kOrigin[] = "attestd.test/log";

TEST(CheckpointSigningTest, IssuedCheckpointVerifiesAndAuditsWithTheLogKey) {
  auto key = Ed25519PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  auto vkey = MakeNoteVerifierKey(kOrigin, key->public_key());
  ASSERT_TRUE(vkey.ok());
  auto shared_key = std::make_shared<const Ed25519PrivateKey>(*std::move(key));
  TempDir dir;
  auto store = LogStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  auto sequencer = Sequencer::Start(store->get(), MakeCheckpointSigner(kOrigin, shared_key));
  ASSERT_TRUE(sequencer.ok());
  for (uint64_t i = 0; i < 11; ++i) ASSERT_TRUE((*sequencer)->Append(TestLeaf(i)).ok());
  auto issued = (*sequencer)->IssueCheckpoint();
  ASSERT_TRUE(issued.ok()) << issued.status();

  CheckpointVerifier verify = MakeCheckpointVerifier(kOrigin, {*vkey});
  auto claim = verify(issued->note);
  ASSERT_TRUE(claim.ok()) << claim.status();
  EXPECT_EQ(claim->size, 11u);
  EXPECT_EQ(claim->root, *(*store)->RootAt(11));
  auto parsed = OpenCheckpoint(issued->note, std::vector<NoteVerifierKey>{*vkey});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->origin, kOrigin);

  auto report = AuditLog(**store, verify);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->first_problem->what;
  EXPECT_EQ(report->checkpoints_checked, 1u);

  auto other_key = Ed25519PrivateKey::Generate();
  ASSERT_TRUE(other_key.ok());
  auto other_vkey = MakeNoteVerifierKey(kOrigin, other_key->public_key());
  ASSERT_TRUE(other_vkey.ok());
  EXPECT_FALSE(MakeCheckpointVerifier(kOrigin, {*other_vkey})(issued->note).ok());
  auto wrong_origin = MakeNoteVerifierKey("other.test/log", other_key->public_key());
  ASSERT_TRUE(wrong_origin.ok());
  EXPECT_FALSE(MakeCheckpointVerifier("other.test/log", {*wrong_origin})(issued->note).ok());
  std::string tampered = issued->note;
  tampered[tampered.find('\n') + 1] = '9';  // the size line
  EXPECT_EQ(verify(tampered).status().code(), absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace attestd::ledger
