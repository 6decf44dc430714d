#include "model/synth_tokenizer.h"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model/tokenizer.h"

namespace attestd::model {
namespace {

TEST(SynthTokenizer, SameFamilyAndSizeGiveIdenticalBytes) {
  auto a = SynthesizeTokenizerJson(ModelFamily::kQwen2, 700);
  auto b = SynthesizeTokenizerJson(ModelFamily::kQwen2, 700);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  auto llama = SynthesizeTokenizerJson(ModelFamily::kLlama, 700);
  ASSERT_TRUE(llama.ok());
  EXPECT_NE(*a, *llama);
}

TEST(SynthTokenizer, LoadsWithExactlyTheRequestedVocabSizeAndSpecialTokensOnTop) {
  for (ModelFamily family : {ModelFamily::kQwen2, ModelFamily::kLlama}) {
    for (uint32_t size : {MinSynthVocabSize(family), 512u, 1000u, 4096u}) {
      auto json = SynthesizeTokenizerJson(family, size);
      ASSERT_TRUE(json.ok()) << json.status();
      auto t = Tokenizer::FromJson(*json);
      ASSERT_TRUE(t.ok()) << t.status();
      EXPECT_EQ((*t)->vocab_size(), size);
      const auto specials = SynthSpecialTokens(family);
      for (size_t i = 0; i < specials.size(); ++i) {
        const uint32_t want = size - static_cast<uint32_t>(specials.size() - i);
        EXPECT_EQ((*t)->TokenId(specials[i]), want) << specials[i];
        EXPECT_TRUE((*t)->IsSpecial(want));
      }
    }
  }
}

TEST(SynthTokenizer, RoundTripsMultilingualTextAndCompressesIt) {
  for (ModelFamily family : {ModelFamily::kQwen2, ModelFamily::kLlama}) {
    auto t = Tokenizer::FromJson(*SynthesizeTokenizerJson(family, 2048));
    ASSERT_TRUE(t.ok()) << t.status();
    const std::string text =
        "The auditor checks the receipt. Der Prüfer hält eine Quittung. 审计员离线检查收据。😀👍🏽 12345\n\tdef f(x):";
    auto ids = (*t)->Encode(text);
    ASSERT_TRUE(ids.ok());
    EXPECT_LT(ids->size(), text.size() / 2) << "merges learned from the corpus should apply";
    EXPECT_EQ(*(*t)->Decode(*ids), text);
    const std::string chat = "<|im_start|>user\nhi<|im_end|>";
    if (family == ModelFamily::kQwen2) {
      auto chat_ids = (*t)->Encode(chat);
      EXPECT_EQ(chat_ids->front(), *(*t)->TokenId("<|im_start|>"));
      EXPECT_EQ(chat_ids->back(), *(*t)->TokenId("<|im_end|>"));
    }
  }
}

// An engine with random weights samples any id below vocab_size; each must
// decode, including past the ~1,300 merges the corpus yields.
TEST(SynthTokenizer, EveryIdBelowVocabSizeNamesATokenEvenBeyondTheCorpusMerges) {
  for (ModelFamily family : {ModelFamily::kQwen2, ModelFamily::kLlama}) {
    auto t = Tokenizer::FromJson(*SynthesizeTokenizerJson(family, 20000));
    ASSERT_TRUE(t.ok()) << t.status();
    ASSERT_EQ((*t)->vocab_size(), 20000u);
    size_t holes = 0;
    for (uint32_t id = 0; id < 20000; ++id) holes += !(*t)->TokenString(id).has_value();
    EXPECT_EQ(holes, 0u);
    const std::string text = "zzqx 09 abcdefghij the auditor";
    EXPECT_EQ(*(*t)->Decode(*(*t)->Encode(text)), text);
  }
}

TEST(SynthTokenizer, VocabSizeOutOfRangeIsRefused) {
  EXPECT_EQ(SynthesizeTokenizerJson(ModelFamily::kQwen2, 100).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SynthesizeTokenizerJson(ModelFamily::kLlama, MinSynthVocabSize(ModelFamily::kLlama) - 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SynthesizeTokenizerJson(ModelFamily::kLlama, (1u << 20) + 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SynthTokenizer, FamilyConventionsAreInTheFile) {
  const auto qwen = nlohmann::json::parse(*SynthesizeTokenizerJson(ModelFamily::kQwen2, 600));
  EXPECT_EQ(qwen["normalizer"]["type"], "NFC");
  EXPECT_EQ(qwen["model"]["ignore_merges"], false);
  const auto llama = nlohmann::json::parse(*SynthesizeTokenizerJson(ModelFamily::kLlama, 600));
  EXPECT_TRUE(llama["normalizer"].is_null());
  EXPECT_EQ(llama["model"]["ignore_merges"], true);
  EXPECT_NE(llama["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"].get<std::string>().find("\\p{N}{1,3}"),
            std::string::npos);
}

}  // namespace
}  // namespace attestd::model
