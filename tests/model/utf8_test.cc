#include "model/utf8.h"

#include <string>

#include <gtest/gtest.h>

namespace attestd::model {
namespace {

std::string Lossy(std::string_view bytes) {
  std::string out;
  AppendUtf8Lossy(bytes, out);
  return out;
}

constexpr std::string_view kFffd = "\xEF\xBF\xBD";

TEST(Utf8, AcceptsEveryEncodingLength) {
  EXPECT_TRUE(ValidateUtf8("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80").ok());
  EXPECT_TRUE(ValidateUtf8("\xF4\x8F\xBF\xBF").ok());  // U+10FFFF
  EXPECT_TRUE(ValidateUtf8("").ok());
}

TEST(Utf8, RejectsOverlongSurrogateAndOutOfRangeWithTheOffendingOffset) {
  struct Bad {
    std::string text;
    std::string offset;
  };
  for (const Bad& b : {Bad{"ab\xC0\x80", "offset 2"}, Bad{"x\xE0\x80\x80", "offset 2"},  // overlong
                       Bad{"\xED\xA0\x80", "offset 1"},                                  // surrogate U+D800
                       Bad{"12\xF4\x90\x80\x80", "offset 3"},                             // > U+10FFFF
                       Bad{"\xF5", "offset 0"}, Bad{"ok\x80", "offset 2"},               // bad lead
                       Bad{"\xE2\x28\xA1", "offset 1"}}) {                                // bad continuation
    absl::Status s = ValidateUtf8(b.text);
    ASSERT_FALSE(s.ok()) << b.offset;
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find(b.offset), std::string::npos) << s;
  }
}

TEST(Utf8, TruncatedFinalCharacterIsReportedAsTruncated) {
  absl::Status s = ValidateUtf8("abc\xF0\x9F\x98");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("offset 3"), std::string::npos) << s;
  EXPECT_NE(s.message().find("truncated"), std::string::npos) << s;
}

TEST(Utf8, LossyReplacesEachMaximalSubpartWithOneReplacementCharacter) {
  EXPECT_EQ(Lossy("a\xF0\x9F\x98" "b"), "a" + std::string(kFffd) + "b");        // one truncated sequence
  EXPECT_EQ(Lossy("\xC0\x80"), std::string(kFffd) + std::string(kFffd));        // two bad bytes
  EXPECT_EQ(Lossy("\xED\xA0\x80"), std::string(kFffd) + std::string(kFffd) + std::string(kFffd));
  EXPECT_EQ(Lossy("\xE2\x82\xAC"), "\xE2\x82\xAC");
  EXPECT_EQ(Lossy("\xE2\x82"), kFffd);
}

TEST(Utf8, CompletePrefixHoldsBackOnlyAnUnfinishedFinalCharacter) {
  EXPECT_EQ(Utf8CompletePrefixLength("abc"), 3u);
  EXPECT_EQ(Utf8CompletePrefixLength("a\xF0\x9F\x98"), 1u);
  EXPECT_EQ(Utf8CompletePrefixLength("a\xF0\x9F\x98\x80"), 5u);
  EXPECT_EQ(Utf8CompletePrefixLength("a\xE2"), 1u);
  EXPECT_EQ(Utf8CompletePrefixLength("a\x80"), 2u);      // stray continuation: broken, not pending
  EXPECT_EQ(Utf8CompletePrefixLength("a\xE0\x80"), 3u);  // can never complete (overlong)
  EXPECT_EQ(Utf8CompletePrefixLength(""), 0u);
}

}  // namespace
}  // namespace attestd::model
