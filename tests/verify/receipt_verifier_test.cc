// The offline verifier: a genuine receipt passes; every tampered field fails
// the check that guards it, and the detail says what did not match.
#include "verify/receipt_verifier.h"

#include <gtest/gtest.h>

#include <functional>

#include "tests/testing/receipt_test_util.h"

namespace attestd {
namespace {

using namespace testing_receipts;

Address20 ExpectedAttestor() { return *ParseAddress(kAttestorAddress); }

struct Plaintext {
  CommittedRequest request = DocRequest();
  CommittedResponse response = DocResponse();
  ReceiptVerifyInputs Inputs() {
    ReceiptVerifyInputs in;
    in.expected_attestor = ExpectedAttestor();
    in.request = &request;
    in.response = &response;
    return in;
  }
};

void ExpectFailure(const VerificationReport& report, const std::string& check, const std::string& want_in_detail) {
  EXPECT_FALSE(report.verified()) << report.ToText();
  const CheckResult* c = report.find(check);
  ASSERT_NE(c, nullptr) << check;
  EXPECT_EQ(c->outcome, CheckOutcome::kFail) << report.ToText();
  EXPECT_NE(c->detail.find(want_in_detail), std::string::npos)
      << "detail: " << c->detail << "\nwant substring: " << want_in_detail;
}

TEST(ReceiptVerifierTest, GenuineReceiptWithPlaintextVerifies) {
  Plaintext p;
  VerificationReport report = VerifyReceipt(SignedDocReceipt(), p.Inputs());
  EXPECT_TRUE(report.verified()) << report.ToText();
  for (const char* name : {"signature", "attestor", "input_commitment", "output_commitment", "model_name"}) {
    ASSERT_NE(report.find(name), nullptr) << name;
    EXPECT_EQ(report.find(name)->outcome, CheckOutcome::kPass) << name << "\n" << report.ToText();
  }
}

TEST(ReceiptVerifierTest, WithoutPlaintextCommitmentChecksAreSkippedNotPassed) {
  VerificationReport report = VerifyReceipt(SignedDocReceipt(), {});
  EXPECT_TRUE(report.verified()) << report.ToText();
  EXPECT_EQ(report.find("input_commitment")->outcome, CheckOutcome::kSkipped);
  EXPECT_EQ(report.find("output_commitment")->outcome, CheckOutcome::kSkipped);
  EXPECT_EQ(report.find("attestor")->outcome, CheckOutcome::kSkipped);
  EXPECT_NE(report.ToText().find("SKIP input_commitment: no request given"), std::string::npos) << report.ToText();
}

TEST(ReceiptVerifierTest, EveryTamperedStatementFieldBreaksTheSignature) {
  std::vector<std::pair<const char*, std::function<void(AttestationStatement&)>>> edits = {
      {"log_id", [](AttestationStatement& s) { s.log_id[0] ^= 1; }},
      {"model_digest", [](AttestationStatement& s) { s.model_digest[31] ^= 1; }},
      {"engine_digest", [](AttestationStatement& s) { s.engine_digest[7] ^= 0x80; }},
      {"input_commitment", [](AttestationStatement& s) { s.input_commitment[1] ^= 1; }},
      {"output_commitment", [](AttestationStatement& s) { s.output_commitment[2] ^= 1; }},
      {"request_id", [](AttestationStatement& s) { s.request_id[3] ^= 1; }},
      {"issued_at_ms", [](AttestationStatement& s) { s.issued_at_ms += 1; }},
  };
  for (auto& [name, edit] : edits) {
    Receipt r = SignedDocReceipt();
    edit(r.statement);
    VerificationReport report = VerifyReceipt(r, {});
    SCOPED_TRACE(name);
    ExpectFailure(report, "signature", "expected " + std::string(kAttestorAddress));
  }
}

TEST(ReceiptVerifierTest, TamperedSignatureByteFails) {
  Receipt r = SignedDocReceipt();
  r.signature[10] ^= 1;
  VerificationReport report = VerifyReceipt(r, {});
  EXPECT_FALSE(report.verified());
  EXPECT_EQ(report.find("signature")->outcome, CheckOutcome::kFail);
}

TEST(ReceiptVerifierTest, SignatureWithVOutsideRangeFails) {
  Receipt r = SignedDocReceipt();
  r.signature[64] = 29;
  EXPECT_EQ(VerifyReceipt(r, {}).find("signature")->outcome, CheckOutcome::kFail);
}

TEST(ReceiptVerifierTest, ReceiptClaimingAnotherAttestorFailsTheSignature) {
  Receipt r = SignedDocReceipt();
  r.attestor[0] ^= 1;
  VerificationReport report = VerifyReceipt(r, {});
  ExpectFailure(report, "signature", "signed by " + std::string(kAttestorAddress));
}

TEST(ReceiptVerifierTest, GenuineReceiptFromAnUnexpectedAttestorFails) {
  Plaintext p;
  ReceiptVerifyInputs in = p.Inputs();
  in.expected_attestor = *ParseAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
  VerificationReport report = VerifyReceipt(SignedDocReceipt(), in);
  EXPECT_EQ(report.find("signature")->outcome, CheckOutcome::kPass);
  ExpectFailure(report, "attestor",
                "receipt names 0x70997970C51812dc3A010C7d01b50e0d17dc79C8, expected "
                "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
}

TEST(ReceiptVerifierTest, TamperedRequestFailsTheInputCommitment) {
  Plaintext p;
  p.request.prompt_text = "Hellp";
  VerificationReport report = VerifyReceipt(SignedDocReceipt(), p.Inputs());
  ExpectFailure(report, "input_commitment", "recomputed from the request: got ");
  EXPECT_NE(report.find("input_commitment")->detail.find(
                "statement has 5fbf05e4c6ca49a110474f17f94c5ce4a21b017e3a03b329129f6f5a1582830e"),
            std::string::npos);
  EXPECT_EQ(report.find("output_commitment")->outcome, CheckOutcome::kPass);
}

TEST(ReceiptVerifierTest, TamperedResponseFailsTheOutputCommitment) {
  Plaintext p;
  p.response.finish_reason = "stop";
  VerificationReport report = VerifyReceipt(SignedDocReceipt(), p.Inputs());
  ExpectFailure(report, "output_commitment", "recomputed from the response: got ");
  EXPECT_EQ(report.find("input_commitment")->outcome, CheckOutcome::kPass);
}

TEST(ReceiptVerifierTest, TamperedSaltFailsBothCommitments) {
  Plaintext p;
  Receipt r = SignedDocReceipt();
  (*r.salt)[0] ^= 1;
  VerificationReport report = VerifyReceipt(r, p.Inputs());
  ExpectFailure(report, "input_commitment", "recomputed from the request");
  ExpectFailure(report, "output_commitment", "recomputed from the response");
}

TEST(ReceiptVerifierTest, PlaintextWithoutSaltFails) {
  Plaintext p;
  Receipt r = SignedDocReceipt();
  r.salt.reset();
  VerificationReport report = VerifyReceipt(r, p.Inputs());
  ExpectFailure(report, "input_commitment", "the receipt has no salt");
}

TEST(ReceiptVerifierTest, ModelNameMismatchFails) {
  Plaintext p;
  Receipt r = SignedDocReceipt();
  r.model_name = "other-model";  // not signed; caught against the request
  VerificationReport report = VerifyReceipt(r, p.Inputs());
  ExpectFailure(report, "model_name", "request names \"demo-model\", receipt names \"other-model\"");
}

TEST(ReceiptVerifierTest, ReportTextListsEveryCheckOnce) {
  Plaintext p;
  std::string text = VerifyReceipt(SignedDocReceipt(), p.Inputs()).ToText();
  EXPECT_EQ(text.rfind("PASS signature: signed by 0x70997970C51812dc3A010C7d01b50e0d17dc79C8\n", 0), 0u) << text;
}

}  // namespace
}  // namespace attestd
