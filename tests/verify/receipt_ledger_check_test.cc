// The verifier's ledger checks: a receipt whose leaf sits at index 2 of a
// 3-leaf tree with a checkpoint signed by the log key verifies; a wrong
// proof, index, tree size, origin, key or note signature each fails the
// check that guards it.
#include <gtest/gtest.h>

#include "verify/receipt_verifier.h"
#include "attest/signed_note.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle_hash.h"
#include "tests/testing/receipt_test_util.h"

namespace attestd {
namespace {

using namespace testing_receipts;

constexpr char kOrigin[] = "example.com/attestd-log";

Ed25519PrivateKey LogKey(uint8_t fill = 7) {
  Bytes seed(32, fill);
  return *Ed25519PrivateKey::FromSeed(seed);
}

std::string LogVerifierKey(const Ed25519PrivateKey& key, std::string_view name = kOrigin) {
  return FormatNoteVerifierKey(*MakeNoteVerifierKey(name, key.public_key()));
}

// Tree of three leaves: two other leaves, then this receipt's leaf.
//   root = H(1, H(1, h0, h1), h2); the audit path of leaf 2 is [H(1, h0, h1)].
struct LedgerFixture {
  Receipt receipt = SignedDocReceipt();
  Digest32 root;
  Digest32 left_subtree;

  explicit LedgerFixture(const Ed25519PrivateKey& key, std::string origin = kOrigin) {
    Digest32 h0 = ledger::HashLeaf(AsBytes("leaf zero"));
    Digest32 h1 = ledger::HashLeaf(AsBytes("leaf one"));
    Digest32 h2 = ledger::HashLeaf(EncodeLedgerLeaf(receipt.statement, receipt.signature).span());
    left_subtree = ledger::HashChildren(h0, h1);
    root = ledger::HashChildren(left_subtree, h2);
    ledger::Checkpoint cp;
    cp.origin = origin;
    cp.size = 3;
    cp.root = root;
    LedgerInclusion inc;
    inc.tree_size = 3;
    inc.inclusion_proof = {left_subtree};
    inc.checkpoint = *ledger::SignCheckpoint(cp, key);
    receipt.ledger = LedgerPosition{2, inc};
  }
};

ReceiptVerifyInputs WithKey(const std::string& vkey) {
  ReceiptVerifyInputs in;
  in.expected_attestor = *ParseAddress(kAttestorAddress);
  in.log_verifier_key = vkey;
  return in;
}

void ExpectCheck(const VerificationReport& report, const std::string& name, CheckOutcome want,
                 const std::string& want_in_detail = "") {
  const CheckResult* c = report.find(name);
  ASSERT_NE(c, nullptr) << name;
  EXPECT_EQ(c->outcome, want) << report.ToText();
  EXPECT_NE(c->detail.find(want_in_detail), std::string::npos)
      << "detail: " << c->detail << "\nwant substring: " << want_in_detail;
}

TEST(ReceiptLedgerCheckTest, IncludedReceiptWithSignedCheckpointVerifies) {
  Ed25519PrivateKey key = LogKey();
  LedgerFixture f(key);
  VerificationReport report = VerifyReceipt(f.receipt, WithKey(LogVerifierKey(key)));
  EXPECT_TRUE(report.verified()) << report.ToText();
  ExpectCheck(report, "ledger_inclusion", CheckOutcome::kPass, "leaf 2 of 3 is under root " + HexEncode(f.root));
  ExpectCheck(report, "log_id", CheckOutcome::kPass);
  ExpectCheck(report, "checkpoint_signature", CheckOutcome::kPass, kOrigin);
}

TEST(ReceiptLedgerCheckTest, SurvivesTheJsonRoundTrip) {
  Ed25519PrivateKey key = LogKey();
  LedgerFixture f(key);
  auto parsed = ParseReceiptJson(ReceiptToJson(f.receipt));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(VerifyReceipt(*parsed, WithKey(LogVerifierKey(key))).verified());
}

TEST(ReceiptLedgerCheckTest, WithoutLogKeyTheSignatureCheckIsSkipped) {
  Ed25519PrivateKey key = LogKey();
  LedgerFixture f(key);
  VerificationReport report = VerifyReceipt(f.receipt, {});
  EXPECT_TRUE(report.verified()) << report.ToText();
  ExpectCheck(report, "checkpoint_signature", CheckOutcome::kSkipped, "no log verifier key given");
}

TEST(ReceiptLedgerCheckTest, ReceiptWithoutLedgerSkipsAllThree) {
  VerificationReport report = VerifyReceipt(SignedDocReceipt(), {});
  for (const char* name : {"ledger_inclusion", "log_id", "checkpoint_signature"}) {
    ExpectCheck(report, name, CheckOutcome::kSkipped, "no ledger position");
  }
}

TEST(ReceiptLedgerCheckTest, TamperedProofHashFailsInclusion) {
  Ed25519PrivateKey key = LogKey();
  LedgerFixture f(key);
  f.receipt.ledger->inclusion->inclusion_proof[0][5] ^= 1;
  VerificationReport report = VerifyReceipt(f.receipt, WithKey(LogVerifierKey(key)));
  EXPECT_FALSE(report.verified());
  ExpectCheck(report, "ledger_inclusion", CheckOutcome::kFail, "leaf 2 (hash ");
  ExpectCheck(report, "checkpoint_signature", CheckOutcome::kPass);
}

TEST(ReceiptLedgerCheckTest, WrongLeafIndexFailsInclusion) {
  Ed25519PrivateKey key = LogKey();
  LedgerFixture f(key);
  f.receipt.ledger->leaf_index = 1;
  ExpectCheck(VerifyReceipt(f.receipt, WithKey(LogVerifierKey(key))), "ledger_inclusion", CheckOutcome::kFail);
}

TEST(ReceiptLedgerCheckTest, TruncatedProofFailsInclusion) {
  Ed25519PrivateKey key = LogKey();
  LedgerFixture f(key);
  f.receipt.ledger->inclusion->inclusion_proof.clear();
  ExpectCheck(VerifyReceipt(f.receipt, WithKey(LogVerifierKey(key))), "ledger_inclusion", CheckOutcome::kFail);
}

TEST(ReceiptLedgerCheckTest, TreeSizeDifferentFromCheckpointFails) {
  Ed25519PrivateKey key = LogKey();
  LedgerFixture f(key);
  f.receipt.ledger->inclusion->tree_size = 4;
  ExpectCheck(VerifyReceipt(f.receipt, WithKey(LogVerifierKey(key))), "ledger_inclusion", CheckOutcome::kFail,
              "checkpoint is for tree size 3, receipt's proof is for tree size 4");
}

TEST(ReceiptLedgerCheckTest, TamperedStatementFailsInclusionToo) {
  // The leaf hash covers the statement: even if a forger re-signed a changed
  // statement with the attestor's key, the old proof would not cover it.
  Ed25519PrivateKey key = LogKey();
  LedgerFixture f(key);
  f.receipt.statement.issued_at_ms += 1;
  f.receipt.signature = SignAttestation(AttestorKey(), f.receipt.statement);
  VerificationReport report = VerifyReceipt(f.receipt, WithKey(LogVerifierKey(key)));
  ExpectCheck(report, "signature", CheckOutcome::kPass);
  ExpectCheck(report, "ledger_inclusion", CheckOutcome::kFail);
}

TEST(ReceiptLedgerCheckTest, CheckpointOfAnotherLogFailsLogId) {
  Ed25519PrivateKey key = LogKey();
  LedgerFixture f(key, "example.com/other-log");
  VerificationReport report = VerifyReceipt(f.receipt, WithKey(LogVerifierKey(key, "example.com/other-log")));
  ExpectCheck(report, "log_id", CheckOutcome::kFail,
              "SHA-256 of checkpoint origin \"example.com/other-log\" is " +
                  HexEncode(ledger::LogIdOf("example.com/other-log")) + ", statement has " +
                  HexEncode(f.receipt.statement.log_id));
  ExpectCheck(report, "ledger_inclusion", CheckOutcome::kPass);
}

TEST(ReceiptLedgerCheckTest, CheckpointSignedByAnotherKeyFails) {
  Ed25519PrivateKey log_key = LogKey(7);
  Ed25519PrivateKey impostor = LogKey(9);
  LedgerFixture f(impostor);
  VerificationReport report = VerifyReceipt(f.receipt, WithKey(LogVerifierKey(log_key)));
  EXPECT_FALSE(report.verified());
  ExpectCheck(report, "checkpoint_signature", CheckOutcome::kFail);
}

TEST(ReceiptLedgerCheckTest, EditedCheckpointRootFailsSignatureAndInclusion) {
  Ed25519PrivateKey key = LogKey();
  LedgerFixture f(key);
  std::string& note = f.receipt.ledger->inclusion->checkpoint;
  std::string old_root = Base64Encode(f.root.span());
  Digest32 other = f.root;
  other[0] ^= 1;
  note.replace(note.find(old_root), old_root.size(), Base64Encode(other.span()));
  VerificationReport report = VerifyReceipt(f.receipt, WithKey(LogVerifierKey(key)));
  ExpectCheck(report, "ledger_inclusion", CheckOutcome::kFail);
  ExpectCheck(report, "checkpoint_signature", CheckOutcome::kFail);
}

TEST(ReceiptLedgerCheckTest, MalformedCheckpointFailsAllThree) {
  Ed25519PrivateKey key = LogKey();
  LedgerFixture f(key);
  f.receipt.ledger->inclusion->checkpoint = "not a note";
  VerificationReport report = VerifyReceipt(f.receipt, WithKey(LogVerifierKey(key)));
  for (const char* name : {"ledger_inclusion", "log_id", "checkpoint_signature"}) {
    ExpectCheck(report, name, CheckOutcome::kFail, "checkpoint does not parse");
  }
}

TEST(ReceiptLedgerCheckTest, MalformedLogKeyFailsTheSignatureCheck) {
  Ed25519PrivateKey key = LogKey();
  LedgerFixture f(key);
  ExpectCheck(VerifyReceipt(f.receipt, WithKey("not-a-key")), "checkpoint_signature", CheckOutcome::kFail,
              "log verifier key: ");
}

}  // namespace
}  // namespace attestd
