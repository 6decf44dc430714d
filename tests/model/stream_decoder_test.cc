#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/tokenizer.h"
#include "tests/model/tiny_tokenizer.h"

namespace attestd::model {
namespace {

std::unique_ptr<Tokenizer> Tiny() {
  auto t = Tokenizer::FromJson(testing::TinyTokenizerJson().dump());
  EXPECT_TRUE(t.ok()) << t.status();
  return *std::move(t);
}

TEST(StreamDecoder, HoldsBackAnEmojiUntilItsLastByteArrives) {
  auto t = Tiny();
  StreamDecoder d(*t);
  // Byte tokens have id == byte value in the tiny tokenizer.
  EXPECT_EQ(*d.Push('a'), "a");
  EXPECT_EQ(*d.Push(0xF0), "");
  EXPECT_EQ(*d.Push(0x9F), "");
  EXPECT_EQ(*d.Push(0x98), "");
  EXPECT_EQ(d.pending_bytes(), 3u);
  EXPECT_EQ(*d.Push(0x80), "\xF0\x9F\x98\x80");
  EXPECT_EQ(d.pending_bytes(), 0u);
  EXPECT_EQ(d.Finish(), "");
}

TEST(StreamDecoder, BrokenSequenceIsReplacedAsSoonAsItCannotComplete) {
  auto t = Tiny();
  StreamDecoder d(*t);
  EXPECT_EQ(*d.Push(0xE2), "");
  EXPECT_EQ(*d.Push('x'), "\xEF\xBF\xBDx");
  EXPECT_EQ(*d.Push(0x80), "\xEF\xBF\xBD");  // a lone continuation byte
}

TEST(StreamDecoder, FinishFlushesAnUnfinishedCharacterAsOneReplacementCharacter) {
  auto t = Tiny();
  StreamDecoder d(*t);
  EXPECT_EQ(*d.Push(0xE2), "");
  EXPECT_EQ(*d.Push(0x82), "");
  EXPECT_EQ(d.Finish(), "\xEF\xBF\xBD");
  EXPECT_EQ(*d.Push('z'), "z");  // reusable after Finish
}

TEST(StreamDecoder, ConcatenatedPushesEqualDecodeOfTheWholeSequence) {
  auto t = Tiny();
  const std::vector<std::string> texts = {"hello wo 😀 Grüße", "日本語", "<|end|>x<think>", "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"};
  for (const std::string& text : texts) {
    auto ids = t->Encode(text);
    ASSERT_TRUE(ids.ok());
    // Add a cut character at the end to exercise Finish too.
    ids->push_back(0xE2);
    StreamDecoder d(*t);
    std::string streamed;
    for (uint32_t id : *ids) streamed += *d.Push(id);
    streamed += d.Finish();
    EXPECT_EQ(streamed, *t->Decode(*ids)) << text;
  }
}

TEST(StreamDecoder, UnknownIdIsAnErrorAndLeavesPendingBytesIntact) {
  auto t = Tiny();
  StreamDecoder d(*t);
  EXPECT_EQ(*d.Push(0xC3), "");
  EXPECT_EQ(d.Push(5000).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(d.pending_bytes(), 1u);
  EXPECT_EQ(*d.Push(0xA9), "\xC3\xA9");
}

}  // namespace
}  // namespace attestd::model
