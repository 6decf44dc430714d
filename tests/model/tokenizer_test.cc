// Encode/decode behaviour of the tokenizer on a tiny hand-written
// tokenizer.json whose every answer can be worked out by hand.
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "model/tokenizer.h"
#include "tests/model/tiny_tokenizer.h"

namespace attestd::model {
namespace {

using testing::TinyTokenizerJson;

std::unique_ptr<Tokenizer> Load(const nlohmann::json& j) {
  auto t = Tokenizer::FromJson(j.dump());
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *std::move(t) : nullptr;
}

std::vector<uint32_t> Enc(const Tokenizer& t, std::string_view text, bool allow_special = true) {
  auto ids = t.Encode(text, allow_special);
  EXPECT_TRUE(ids.ok()) << ids.status();
  return ids.ok() ? *ids : std::vector<uint32_t>{};
}

TEST(Tokenizer, MergesApplyInRankOrderToASingleToken) {
  auto t = Load(TinyTokenizerJson());
  EXPECT_EQ(Enc(*t, "hello"), (std::vector<uint32_t>{259}));  // he, ll, hell, hello
  EXPECT_EQ(Enc(*t, "hell"), (std::vector<uint32_t>{258}));
  EXPECT_EQ(Enc(*t, " wo"), (std::vector<uint32_t>{262}));
  EXPECT_EQ(Enc(*t, "hello wo"), (std::vector<uint32_t>{259, 262}));
}

TEST(Tokenizer, EqualRankPairsMergeLeftmostFirst) {
  auto t = Load(TinyTokenizerJson());
  EXPECT_EQ(Enc(*t, "aaa"), (std::vector<uint32_t>{260, 'a'}));
  EXPECT_EQ(Enc(*t, "aaaa"), (std::vector<uint32_t>{260, 260}));
}

TEST(Tokenizer, WordInVocabIsNotUsedWholeUnlessIgnoreMerges) {
  nlohmann::json j = TinyTokenizerJson();
  auto plain = Load(j);
  EXPECT_EQ(Enc(*plain, "xyz"), (std::vector<uint32_t>{'x', 'y', 'z'}));
  j["model"]["ignore_merges"] = true;
  auto llama_style = Load(j);
  EXPECT_EQ(Enc(*llama_style, "xyz"), (std::vector<uint32_t>{*llama_style->TokenId("xyz")}));
}

TEST(Tokenizer, SpecialTokensAreSingleIdsOnlyWhenAllowed) {
  auto t = Load(TinyTokenizerJson());
  EXPECT_EQ(Enc(*t, "a<|end|>a"), (std::vector<uint32_t>{'a', 300, 'a'}));
  const auto as_text = Enc(*t, "<|end|>", /*allow_special=*/false);
  EXPECT_GT(as_text.size(), 1u);
  EXPECT_EQ(std::find(as_text.begin(), as_text.end(), 300u), as_text.end());
  auto back = t->Decode(as_text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "<|end|>");
}

TEST(Tokenizer, NonSpecialAddedTokensMatchEvenWithoutAllowSpecial) {
  auto t = Load(TinyTokenizerJson());
  EXPECT_EQ(Enc(*t, "<think>hello", false), (std::vector<uint32_t>{302, 259}));
  EXPECT_FALSE(t->IsSpecial(302));
  EXPECT_TRUE(t->IsSpecial(300));
}

TEST(Tokenizer, LongestAddedTokenWinsAtTheSamePosition) {
  auto t = Load(TinyTokenizerJson());
  EXPECT_EQ(Enc(*t, "<|end|>!"), (std::vector<uint32_t>{301}));
  EXPECT_EQ(Enc(*t, "<|end|>?"), (std::vector<uint32_t>{300, '?'}));
}

TEST(Tokenizer, InvalidUtf8IsRejectedWithItsByteOffset) {
  auto t = Load(TinyTokenizerJson());
  auto ids = t->Encode(std::string("ab\xFF" "cd"));
  ASSERT_FALSE(ids.ok());
  EXPECT_EQ(ids.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(ids.status().message().find("byte offset 2"), std::string::npos) << ids.status();
  auto truncated = t->Encode(std::string("hello \xE2\x82"));
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.status().message().find("offset 6"), std::string::npos) << truncated.status();
}

TEST(Tokenizer, NfcNormalizerComposesBeforeSplitting) {
  auto t = Load(TinyTokenizerJson());
  EXPECT_EQ(Enc(*t, "e\xCC\x81"), Enc(*t, "\xC3\xA9"));  // e + U+0301 == U+00E9
  nlohmann::json j = TinyTokenizerJson();
  j["normalizer"] = nullptr;
  auto raw = Load(j);
  EXPECT_NE(Enc(*raw, "e\xCC\x81"), Enc(*raw, "\xC3\xA9"));
}

TEST(Tokenizer, EveryByteRoundTripsThroughDecodeBytes) {
  auto t = Load(TinyTokenizerJson());
  for (int b = 0; b < 256; ++b) {
    const uint32_t id = static_cast<uint32_t>(b);
    auto bytes = t->DecodeBytes(std::span<const uint32_t>(&id, 1));
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(*bytes, std::string(1, static_cast<char>(b)));
  }
}

TEST(Tokenizer, MultilingualAndEmojiTextRoundTrips) {
  auto t = Load(TinyTokenizerJson());
  for (std::string_view text : {"hello world", "Grüße aus Köln", "日本語のテキスト", "😀👍🏽👩‍💻🇩🇪", "  \n\t\r\n ",
                                "مرحبا بالعالم", "it's 12345 <|end|> done", ""}) {
    auto back = t->Decode(Enc(*t, text));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, text);
  }
}

TEST(Tokenizer, DecodeOfUnknownIdIsOutOfRange) {
  auto t = Load(TinyTokenizerJson());
  const std::vector<uint32_t> ids = {1, 1000000};
  auto text = t->Decode(ids);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), absl::StatusCode::kOutOfRange);
  const std::vector<uint32_t> hole = {299};  // between the vocab and the added tokens
  EXPECT_EQ(t->Decode(hole).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(Tokenizer, DecodeSkipsSpecialTokensOnlyWhenAsked) {
  auto t = Load(TinyTokenizerJson());
  const auto ids = Enc(*t, "hello<|end|><think>");
  EXPECT_EQ(*t->Decode(ids), "hello<|end|><think>");
  EXPECT_EQ(*t->Decode(ids, /*skip_special=*/true), "hello<think>");
}

TEST(Tokenizer, DecodeReplacesACharacterCutByTheLastTokenWithOneReplacementChar) {
  auto t = Load(TinyTokenizerJson());
  const std::vector<uint32_t> half_euro = {'a', 0xE2, 0x82};
  EXPECT_EQ(*t->DecodeBytes(half_euro), "a\xE2\x82");
  EXPECT_EQ(*t->Decode(half_euro), "a\xEF\xBF\xBD");
}

TEST(Tokenizer, LongRunsOfOneCharacterClassEncodeWithoutExhaustingTheRegexStack) {
  auto t = Load(TinyTokenizerJson());
  for (const std::string& text : {std::string(200000, ' ') + "x", std::string(200000, 'a'),
                                  std::string(100000, '!'), std::string(50000, '\n')}) {
    auto ids = t->Encode(text);
    ASSERT_TRUE(ids.ok()) << ids.status();
    EXPECT_EQ(*t->Decode(*ids), text);
  }
}

TEST(Tokenizer, TokenIdAndTokenStringAreInverse) {
  auto t = Load(TinyTokenizerJson());
  EXPECT_EQ(t->TokenId("Ġwo"), 262u);
  EXPECT_EQ(t->TokenString(262), "Ġwo");
  EXPECT_EQ(t->TokenId("<|end|>"), 300u);
  EXPECT_FALSE(t->TokenId("nope").has_value());
  EXPECT_FALSE(t->TokenString(299).has_value());
  EXPECT_EQ(t->vocab_size(), 303u);
}

TEST(Tokenizer, ConcurrentEncodesGiveTheSameIdsAsSerialOnes) {
  auto t = Load(TinyTokenizerJson());
  std::vector<std::string> texts;
  for (int i = 0; i < 200; ++i) texts.push_back("hello wo aaa " + std::to_string(i * 7919) + " Grüße 😀");
  std::vector<std::vector<uint32_t>> serial;
  for (const auto& s : texts) serial.push_back(Enc(*t, s));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int round = 0; round < 5; ++round) {
        for (size_t i = 0; i < texts.size(); ++i) {
          auto ids = t->Encode(texts[i]);
          if (!ids.ok() || *ids != serial[i]) ++mismatches[static_cast<size_t>(k)];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches, (std::vector<int>{0, 0, 0, 0}));
}

}  // namespace
}  // namespace attestd::model
