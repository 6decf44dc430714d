// Receipt JSON: round trip, canonical bytes, and one strict-parse failure per
// malformation, each naming its field.
#include "attest/receipt.h"

#include <gtest/gtest.h>

#include "attest/strict_json.h"
#include "tests/testing/receipt_test_util.h"

namespace attestd {
namespace {

using testing_receipts::SignedDocReceipt;

Receipt WithLedger() {
  Receipt r = SignedDocReceipt();
  LedgerPosition pos;
  pos.leaf_index = 5;
  LedgerInclusion inc;
  inc.tree_size = 8;
  inc.inclusion_proof = {Sha256(std::string_view("a")), Sha256(std::string_view("b")), Sha256(std::string_view("c"))};
  inc.checkpoint = "example.com/attestd-log\n8\nAAAA\n\n\xe2\x80\x94 example.com/attestd-log AAAA\n";
  pos.inclusion = inc;
  r.ledger = pos;
  return r;
}

json::Json AsJson(const Receipt& r) { return json::Json::parse(ReceiptToJson(r)); }

void ExpectRejected(const std::string& text, const std::string& want_in_message) {
  auto parsed = ParseReceiptJson(text);
  ASSERT_FALSE(parsed.ok()) << text;
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find(want_in_message), std::string::npos)
      << "message: " << parsed.status().message() << "\nwant substring: " << want_in_message;
}

TEST(ReceiptJsonTest, RoundTripsWithoutLedger) {
  Receipt r = SignedDocReceipt();
  auto parsed = ParseReceiptJson(ReceiptToJson(r));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, r);
}

TEST(ReceiptJsonTest, RoundTripsWithLedgerEvidence) {
  Receipt r = WithLedger();
  auto parsed = ParseReceiptJson(ReceiptToJson(r));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, r);
}

TEST(ReceiptJsonTest, RoundTripsWithoutSaltOrProof) {
  Receipt r = SignedDocReceipt();
  r.salt.reset();
  r.ledger = LedgerPosition{3, std::nullopt};
  auto parsed = ParseReceiptJson(ReceiptToJson(r));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, r);
}

TEST(ReceiptJsonTest, SerialisationIsCanonicalSortedAndCompact) {
  std::string text = ReceiptToJson(SignedDocReceipt());
  EXPECT_EQ(text.rfind("{\"attestor\":\"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\",\"model\":\"demo-model\","
                       "\"salt\":\"000102",
                       0),
            0u)
      << text;
  EXPECT_EQ(text.find(' '), std::string::npos);
  EXPECT_NE(text.find("\"version\":1}"), std::string::npos);
  // Re-serialising a parsed receipt gives the same bytes.
  EXPECT_EQ(ReceiptToJson(*ParseReceiptJson(text)), text);
}

TEST(ReceiptJsonTest, RejectsUnknownVersion) {
  json::Json j = AsJson(SignedDocReceipt());
  j["version"] = 2;
  ExpectRejected(j.dump(), "receipt.version: got 2, want 1 (unknown receipt version)");
}

TEST(ReceiptJsonTest, RejectsMissingVersion) {
  json::Json j = AsJson(SignedDocReceipt());
  j.erase("version");
  ExpectRejected(j.dump(), "receipt.version: missing");
}

TEST(ReceiptJsonTest, RejectsWrongLengthHash) {
  json::Json j = AsJson(SignedDocReceipt());
  std::string h = j["statement"]["request_id"];
  j["statement"]["request_id"] = h.substr(2);
  ExpectRejected(j.dump(), "receipt.statement.request_id: got 62 hex digits, want 64");
}

TEST(ReceiptJsonTest, RejectsUppercaseHex) {
  json::Json j = AsJson(SignedDocReceipt());
  std::string h = j["statement"]["model_digest"];
  h[0] = 'A';
  j["statement"]["model_digest"] = h;
  ExpectRejected(j.dump(), "receipt.statement.model_digest: character 'A' at offset 0");
}

TEST(ReceiptJsonTest, RejectsHexWith0xPrefix) {
  json::Json j = AsJson(SignedDocReceipt());
  std::string h = j["salt"];
  j["salt"] = "0x" + h.substr(2);
  ExpectRejected(j.dump(), "receipt.salt: character 'x' at offset 1");
}

TEST(ReceiptJsonTest, RejectsNonHexCharacter) {
  json::Json j = AsJson(SignedDocReceipt());
  std::string h = j["signature"];
  h[100] = 'g';
  j["signature"] = h;
  ExpectRejected(j.dump(), "receipt.signature: character 'g' at offset 100");
}

TEST(ReceiptJsonTest, RejectsShortSignature) {
  json::Json j = AsJson(SignedDocReceipt());
  std::string h = j["signature"];
  j["signature"] = h.substr(0, 128);
  ExpectRejected(j.dump(), "receipt.signature: got 128 hex digits, want 130");
}

TEST(ReceiptJsonTest, RejectsBadAddressChecksum) {
  json::Json j = AsJson(SignedDocReceipt());
  j["attestor"] = "0x70997970c51812dc3A010C7d01b50e0d17dc79C8";
  ExpectRejected(j.dump(), "receipt.attestor:");
}

TEST(ReceiptJsonTest, RejectsUnknownField) {
  json::Json j = AsJson(SignedDocReceipt());
  j["statement"]["chain_id"] = 1;
  ExpectRejected(j.dump(), "receipt.statement.chain_id: unknown field");
}

TEST(ReceiptJsonTest, RejectsMissingStatementField) {
  json::Json j = AsJson(SignedDocReceipt());
  j["statement"].erase("issued_at_ms");
  ExpectRejected(j.dump(), "receipt.statement.issued_at_ms: missing");
}

TEST(ReceiptJsonTest, RejectsNegativeIssuedAt) {
  json::Json j = AsJson(SignedDocReceipt());
  j["statement"]["issued_at_ms"] = -1;
  ExpectRejected(j.dump(), "receipt.statement.issued_at_ms: got -1");
}

TEST(ReceiptJsonTest, RejectsLeafIndexOutsideTree) {
  json::Json j = AsJson(WithLedger());
  j["ledger"]["leaf_index"] = 8;
  ExpectRejected(j.dump(), "receipt.ledger.leaf_index: got 8, want < tree_size 8");
}

TEST(ReceiptJsonTest, RejectsPartialLedgerEvidence) {
  json::Json j = AsJson(WithLedger());
  j["ledger"].erase("checkpoint");
  ExpectRejected(j.dump(), "tree_size, inclusion_proof and checkpoint go together; got 2 of the 3");
}

TEST(ReceiptJsonTest, RejectsWrongLengthProofHash) {
  json::Json j = AsJson(WithLedger());
  j["ledger"]["inclusion_proof"][1] = "00";
  ExpectRejected(j.dump(), "receipt.ledger.inclusion_proof[1]: got 2 hex digits, want 64");
}

TEST(ReceiptJsonTest, RejectsDuplicateKey) {
  std::string text = ReceiptToJson(SignedDocReceipt());
  text.insert(1, "\"model\":\"other\",");
  ExpectRejected(text, "\"model\" appears twice");
}

TEST(ReceiptJsonTest, RejectsNonObject) { ExpectRejected("[1,2]", "receipt: want a JSON object"); }

TEST(ReceiptJsonTest, RejectsTruncatedDocument) {
  std::string text = ReceiptToJson(SignedDocReceipt());
  ExpectRejected(text.substr(0, text.size() / 2), "not valid JSON");
}

}  // namespace
}  // namespace attestd
