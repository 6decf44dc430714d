// Commitment encodings: the known-answer vector from docs/receipt-format.md,
// sensitivity to every field and to the salt, and the strict JSON forms.
#include "attest/commitment.h"

#include <gtest/gtest.h>

#include <functional>

#include "tests/testing/receipt_test_util.h"

namespace attestd {
namespace {

// The worked example of docs/receipt-format.md.
using testing_receipts::DocRequest;
using testing_receipts::DocResponse;
using testing_receipts::DocSalt;

TEST(CommitmentTest, RequestEncodingMatchesDocumentedBytes) {
  EXPECT_EQ(HexEncode(EncodeRequest(DocRequest())),
            "0000000a64656d6f2d6d6f64656c0000000548656c6c6f00000002000025eb0000000b3f333333000000283f666666"
            "00000000000000080000000100000003454e44000000000000002a");
}

TEST(CommitmentTest, ResponseEncodingMatchesDocumentedBytes) {
  EXPECT_EQ(HexEncode(EncodeResponse(DocResponse())),
            "0000000200000757000000000000000620776f726c64000000066c656e677468");
}

TEST(CommitmentTest, InputCommitmentMatchesDocumentedVector) {
  EXPECT_EQ(HexEncode(InputCommitment(DocSalt(), DocRequest())),
            "5fbf05e4c6ca49a110474f17f94c5ce4a21b017e3a03b329129f6f5a1582830e");
}

TEST(CommitmentTest, OutputCommitmentMatchesDocumentedVector) {
  EXPECT_EQ(HexEncode(OutputCommitment(DocSalt(), DocResponse())),
            "8a3c3763ce56e8d4969041647c2b33468fcd5e28440c114304bb58fc693a1228");
}

TEST(CommitmentTest, TagsIncludeTheirTrailingNul) {
  EXPECT_EQ(kInputCommitmentTag.size(), 28u);
  EXPECT_EQ(kInputCommitmentTag.back(), '\0');
  EXPECT_EQ(kOutputCommitmentTag.size(), 29u);
  EXPECT_EQ(kOutputCommitmentTag.back(), '\0');
}

TEST(CommitmentTest, EveryRequestFieldChangesTheInputCommitment) {
  const Digest32 base = InputCommitment(DocSalt(), DocRequest());
  std::vector<std::pair<const char*, std::function<void(CommittedRequest&)>>> edits = {
      {"model_name", [](CommittedRequest& r) { r.model_name += "x"; }},
      {"prompt_text", [](CommittedRequest& r) { r.prompt_text = "Hellp"; }},
      {"prompt_token_ids value", [](CommittedRequest& r) { r.prompt_token_ids[1] = 12; }},
      {"prompt_token_ids length", [](CommittedRequest& r) { r.prompt_token_ids.push_back(0); }},
      {"temperature", [](CommittedRequest& r) { r.sampling.temperature = 0.70000005f; }},
      {"temperature sign of zero", [](CommittedRequest& r) { r.sampling.temperature = -0.0f; }},
      {"top_k", [](CommittedRequest& r) { r.sampling.top_k = 41; }},
      {"top_p", [](CommittedRequest& r) { r.sampling.top_p = 1.0f; }},
      {"max_tokens", [](CommittedRequest& r) { r.sampling.max_tokens = 9; }},
      {"stop value", [](CommittedRequest& r) { r.sampling.stop[0] = "ENE"; }},
      {"stop count", [](CommittedRequest& r) { r.sampling.stop.push_back(""); }},
      {"seed", [](CommittedRequest& r) { r.seed = 43; }},
  };
  for (auto& [name, edit] : edits) {
    CommittedRequest r = DocRequest();
    edit(r);
    EXPECT_NE(InputCommitment(DocSalt(), r), base) << name;
  }
}

TEST(CommitmentTest, EveryResponseFieldChangesTheOutputCommitment) {
  const Digest32 base = OutputCommitment(DocSalt(), DocResponse());
  std::vector<std::pair<const char*, std::function<void(CommittedResponse&)>>> edits = {
      {"token value", [](CommittedResponse& r) { r.output_token_ids[0] = 1880; }},
      {"token count", [](CommittedResponse& r) { r.output_token_ids.pop_back(); }},
      {"text", [](CommittedResponse& r) { r.text = " World"; }},
      {"finish_reason", [](CommittedResponse& r) { r.finish_reason = "stop"; }},
  };
  for (auto& [name, edit] : edits) {
    CommittedResponse r = DocResponse();
    edit(r);
    EXPECT_NE(OutputCommitment(DocSalt(), r), base) << name;
  }
}

// Length prefixes make field boundaries unambiguous: moving bytes from one
// string to the next must not produce the same encoding.
TEST(CommitmentTest, ShiftingBytesBetweenAdjacentStringsChangesTheCommitment) {
  CommittedRequest a = DocRequest();
  CommittedRequest b = DocRequest();
  a.model_name = "demo";
  a.prompt_text = "-modelHello";
  b.model_name = "demo-model";
  b.prompt_text = "Hello";
  EXPECT_NE(InputCommitment(DocSalt(), a), InputCommitment(DocSalt(), b));
  CommittedResponse c = DocResponse();
  CommittedResponse d = DocResponse();
  c.text = " worldlength";
  c.finish_reason = "";
  EXPECT_NE(OutputCommitment(DocSalt(), c), OutputCommitment(DocSalt(), d));
}

TEST(CommitmentTest, SaltChangesBothCommitments) {
  Salt32 other = DocSalt();
  other[31] ^= 1;
  EXPECT_NE(InputCommitment(other, DocRequest()), InputCommitment(DocSalt(), DocRequest()));
  EXPECT_NE(OutputCommitment(other, DocResponse()), OutputCommitment(DocSalt(), DocResponse()));
}

TEST(CommitmentTest, InputAndOutputTagsSeparateDomains) {
  // The same bytes hashed under the two tags must differ; otherwise an
  // encoding valid as both could be passed off as the other.
  CommittedRequest empty_request;
  CommittedResponse empty_response;
  EXPECT_NE(InputCommitment(DocSalt(), empty_request), OutputCommitment(DocSalt(), empty_response));
}

TEST(CommitmentTest, NewSaltIsNotRepeatedOrZero) {
  Salt32 a = NewSalt();
  Salt32 b = NewSalt();
  EXPECT_NE(a, b);
  EXPECT_NE(a, Salt32{});
}

TEST(CommitmentJsonTest, RequestRoundTripsThroughJson) {
  std::string text = RequestToJson(DocRequest()).dump();
  auto parsed = ParseRequestJson(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, DocRequest());
  EXPECT_NE(text.find("\"temperature\":0.7,"), std::string::npos) << text;
}

TEST(CommitmentJsonTest, ResponseRoundTripsThroughJson) {
  auto parsed = ParseResponseJson(ResponseToJson(DocResponse()).dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, DocResponse());
}

TEST(CommitmentJsonTest, DocumentedRequestFileGivesTheDocumentedCommitment) {
  auto parsed = ParseRequestJson(
      R"({"model":"demo-model","prompt":"Hello","prompt_token_ids":[9707,11],"temperature":0.7,)"
      R"("top_k":40,"top_p":0.9,"max_tokens":8,"stop":["END"],"seed":42})");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(HexEncode(InputCommitment(DocSalt(), *parsed)),
            "5fbf05e4c6ca49a110474f17f94c5ce4a21b017e3a03b329129f6f5a1582830e");
}

std::string RequestWith(const std::string& key, const std::string& value) {
  json::Json j = RequestToJson(DocRequest());
  j[key] = json::Json::parse(value);
  return j.dump();
}

void ExpectRequestRejected(const std::string& text, const std::string& want_in_message) {
  auto parsed = ParseRequestJson(text);
  ASSERT_FALSE(parsed.ok()) << text;
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find(want_in_message), std::string::npos)
      << "message: " << parsed.status().message() << "\nwant substring: " << want_in_message;
}

TEST(CommitmentJsonTest, RejectsInvalidUtf8InPrompt) {
  std::string text = RequestToJson(DocRequest()).dump();
  size_t at = text.find("Hello");
  text.replace(at, 5, "He\xff\xfeo");
  ExpectRequestRejected(text, "not valid JSON");
}

TEST(CommitmentJsonTest, RejectsUnpairedSurrogateEscape) {
  std::string text = RequestToJson(DocRequest()).dump();
  text.replace(text.find("Hello"), 5, "\\ud800");
  ExpectRequestRejected(text, "not valid JSON");
}

TEST(CommitmentJsonTest, RejectsMissingField) {
  json::Json j = RequestToJson(DocRequest());
  j.erase("seed");
  ExpectRequestRejected(j.dump(), "request.seed: missing");
}

TEST(CommitmentJsonTest, RejectsUnknownField) { ExpectRequestRejected(RequestWith("sed", "1"), "request.sed: unknown field"); }

TEST(CommitmentJsonTest, RejectsDuplicateKey) {
  std::string text = RequestToJson(DocRequest()).dump();
  text.insert(1, "\"seed\":1,");
  ExpectRequestRejected(text, "\"seed\" appears twice");
}

TEST(CommitmentJsonTest, RejectsNegativeTokenId) {
  ExpectRequestRejected(RequestWith("prompt_token_ids", "[1,-2]"), "request.prompt_token_ids[1]: got -2");
}

TEST(CommitmentJsonTest, RejectsTokenIdAbove32Bits) {
  ExpectRequestRejected(RequestWith("prompt_token_ids", "[4294967296]"), "want at most 4294967295");
}

TEST(CommitmentJsonTest, RejectsFractionalSeed) { ExpectRequestRejected(RequestWith("seed", "1.5"), "request.seed"); }

TEST(CommitmentJsonTest, RejectsSeedAsString) { ExpectRequestRejected(RequestWith("seed", "\"42\""), "request.seed: got JSON string"); }

TEST(CommitmentJsonTest, RejectsTemperatureBeyondBinary32) {
  ExpectRequestRejected(RequestWith("temperature", "1e39"), "request.temperature");
}

TEST(CommitmentJsonTest, RejectsTrailingGarbage) {
  ExpectRequestRejected(RequestToJson(DocRequest()).dump() + "x", "not valid JSON");
}

TEST(CommitmentJsonTest, RejectsResponseWithTokenIdsAsObject) {
  auto parsed = ParseResponseJson(R"({"token_ids":{},"text":"","finish_reason":"stop"})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("response.token_ids: got JSON object"), std::string::npos)
      << parsed.status().message();
}

}  // namespace
}  // namespace attestd
