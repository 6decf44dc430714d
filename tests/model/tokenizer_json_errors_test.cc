// Malformed or unsupported tokenizer.json files get a precise error, never a
// crash and never a tokenizer that silently tokenizes differently.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "model/tokenizer.h"
#include "tests/model/tiny_tokenizer.h"

namespace attestd::model {
namespace {

using testing::TinyTokenizerJson;

// Expects InvalidArgument whose message contains `needle`.
void ExpectRejected(const std::string& json, std::string_view needle) {
  auto t = Tokenizer::FromJson(json);
  ASSERT_FALSE(t.ok()) << "accepted; wanted an error containing: " << needle;
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << t.status();
  EXPECT_NE(std::string(t.status().message()).find(needle), std::string::npos) << t.status();
}

template <typename Edit>
void ExpectEditRejected(Edit edit, std::string_view needle) {
  nlohmann::json j = TinyTokenizerJson();
  edit(j);
  ExpectRejected(j.dump(), needle);
}

TEST(TokenizerJsonErrors, TinyFixtureIsAccepted) { EXPECT_TRUE(Tokenizer::FromJson(TinyTokenizerJson().dump()).ok()); }

TEST(TokenizerJsonErrors, NotJsonAtAll) {
  ExpectRejected("", "not valid JSON");
  ExpectRejected("{\"model\": ", "not valid JSON");
  ExpectRejected(std::string("\x00\xFF\xFE garbage", 12), "not valid JSON");
  const std::string dumped = TinyTokenizerJson().dump();
  ExpectRejected(dumped.substr(0, dumped.size() / 2), "not valid JSON");
}

TEST(TokenizerJsonErrors, RootOrModelOfTheWrongShape) {
  ExpectRejected("[]", "want an object");
  ExpectRejected("{}", "model");
  ExpectEditRejected([](nlohmann::json& j) { j["model"] = 7; }, "model");
  ExpectEditRejected([](nlohmann::json& j) { j["model"]["type"] = "Unigram"; }, "\"BPE\"");
  ExpectEditRejected([](nlohmann::json& j) { j["model"]["vocab"] = nlohmann::json::array(); }, "model.vocab");
  ExpectEditRejected([](nlohmann::json& j) { j["model"].erase("merges"); }, "model.merges");
}

TEST(TokenizerJsonErrors, UnsupportedNormalizerIsRefusedByName) {
  ExpectEditRejected([](nlohmann::json& j) { j["normalizer"] = {{"type", "NFKC"}}; }, "\"NFKC\"");
  ExpectEditRejected(
      [](nlohmann::json& j) {
        j["normalizer"] = {{"type", "Sequence"}, {"normalizers", {{{"type", "NFC"}}, {{"type", "Lowercase"}}}}};
      },
      "normalizer.normalizers[1]");
}

TEST(TokenizerJsonErrors, UnsupportedPreTokenizerOrDecoderIsRefused) {
  ExpectEditRejected([](nlohmann::json& j) { j["pre_tokenizer"] = nullptr; }, "pre_tokenizer");
  ExpectEditRejected([](nlohmann::json& j) { j["pre_tokenizer"] = {{"type", "Metaspace"}}; }, "\"Metaspace\"");
  ExpectEditRejected([](nlohmann::json& j) { j["pre_tokenizer"]["pretokenizers"][0]["behavior"] = "Removed"; },
                     "behavior");
  ExpectEditRejected([](nlohmann::json& j) { j["pre_tokenizer"]["pretokenizers"][0]["invert"] = true; }, "invert");
  ExpectEditRejected([](nlohmann::json& j) { j["pre_tokenizer"]["pretokenizers"][0]["pattern"] = {{"Regex", "(("}}; },
                     "does not compile");
  ExpectEditRejected([](nlohmann::json& j) { j["pre_tokenizer"]["pretokenizers"][1]["add_prefix_space"] = true; },
                     "add_prefix_space");
  ExpectEditRejected([](nlohmann::json& j) { j["decoder"] = {{"type", "Metaspace"}}; }, "decoder");
}

TEST(TokenizerJsonErrors, RandomOrFallbackBpeOptionsAreRefused) {
  ExpectEditRejected([](nlohmann::json& j) { j["model"]["dropout"] = 0.1; }, "dropout");
  ExpectEditRejected([](nlohmann::json& j) { j["model"]["byte_fallback"] = true; }, "byte_fallback");
  ExpectEditRejected([](nlohmann::json& j) { j["model"]["continuing_subword_prefix"] = "##"; },
                     "continuing_subword_prefix");
}

TEST(TokenizerJsonErrors, BadVocabularyIds) {
  ExpectEditRejected([](nlohmann::json& j) { j["model"]["vocab"]["zz"] = -1; }, "out of range");
  ExpectEditRejected([](nlohmann::json& j) { j["model"]["vocab"]["zz"] = 1u << 30; }, "out of range");
  ExpectEditRejected([](nlohmann::json& j) { j["model"]["vocab"]["zz"] = "7"; }, "want an integer");
  ExpectEditRejected([](nlohmann::json& j) { j["model"]["vocab"]["zz"] = 5; }, "id 5 is used by both");
}

TEST(TokenizerJsonErrors, MissingByteTokenIsRefused) {
  ExpectEditRejected([](nlohmann::json& j) { j["model"]["vocab"].erase("Ġ"); }, "byte 0x20");
}

TEST(TokenizerJsonErrors, MergesNamingUnknownTokensOrMalformedAreRejected) {
  ExpectEditRejected([](nlohmann::json& j) { j["model"]["merges"].push_back("q zz"); }, "\"zz\" is not in model.vocab");
  ExpectEditRejected([](nlohmann::json& j) { j["model"]["merges"].push_back("qz"); }, "model.merges[7]");
  ExpectEditRejected([](nlohmann::json& j) { j["model"]["merges"].push_back(nlohmann::json::array({"a"})); },
                     "model.merges[7]");
  ExpectEditRejected([](nlohmann::json& j) { j["model"]["merges"].push_back("q r"); }, "\"qr\" is not in model.vocab");
}

TEST(TokenizerJsonErrors, DeeplyNestedValueIsRefusedWithoutRecursingIntoIt) {
  nlohmann::json j = TinyTokenizerJson();
  j["model"]["merges"] = nlohmann::json::array({"PLACEHOLDER"});
  std::string text = j.dump();
  const size_t at = text.find("\"PLACEHOLDER\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 13, std::string(200000, '[') + std::string(200000, ']'));
  ExpectRejected(text, "model.merges[0]: got array");
}

TEST(TokenizerJsonErrors, MergesAsPairsAreAccepted) {
  nlohmann::json j = TinyTokenizerJson();
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& [l, r] : testing::TinyMerges()) pairs.push_back({l, r});
  j["model"]["merges"] = pairs;
  auto t = Tokenizer::FromJson(j.dump());
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*(*t)->Encode("hello"), (std::vector<uint32_t>{259}));
}

TEST(TokenizerJsonErrors, BadAddedTokens) {
  ExpectEditRejected([](nlohmann::json& j) { j["added_tokens"][0]["lstrip"] = true; }, "lstrip");
  ExpectEditRejected([](nlohmann::json& j) { j["added_tokens"][0]["content"] = ""; }, "non-empty");
  ExpectEditRejected([](nlohmann::json& j) { j["added_tokens"][0]["id"] = 5; }, "model.vocab gives it to");
  ExpectEditRejected([](nlohmann::json& j) { j["added_tokens"][1]["content"] = "<|end|>"; }, "already has id");
  ExpectEditRejected([](nlohmann::json& j) { j["added_tokens"] = 3; }, "added_tokens");
}

TEST(TokenizerJsonErrors, MissingFileIsNotFound) {
  auto t = Tokenizer::FromFile("model/no_such_tokenizer.json");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(t.status().message().find("no_such_tokenizer.json"), std::string::npos);
}

}  // namespace
}  // namespace attestd::model
