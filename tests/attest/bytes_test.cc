#include "attest/bytes.h"

#include <gtest/gtest.h>

namespace attestd {
namespace {

TEST(Hex, RoundTripsAllByteValues) {
  Bytes all(256);
  for (int i = 0; i < 256; ++i) all[i] = static_cast<uint8_t>(i);
  std::string hex = HexEncode(all);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  auto back = HexDecode(hex);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, all);
}

TEST(Hex, AcceptsUppercaseAndPrefix) {
  auto v = HexDecode("0xDEADbeef");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, (Bytes{0xde, 0xad, 0xbe, 0xef}));
}

TEST(Hex, RejectsPrefixWhenNotAllowed) { EXPECT_FALSE(HexDecode("0x00", false).ok()); }

TEST(Hex, OddLengthIsRejected) {
  auto v = HexDecode("abc");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("odd"), std::string::npos);
}

TEST(Hex, BadCharacterNamesItsOffset) {
  auto v = HexDecode("00g0");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("offset 2"), std::string::npos) << v.status();
}

TEST(Hex, WrongLengthForFixedSizeSaysGotAndWant) {
  auto v = HexDecodeFixed<32>("00ff", "root");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "root: got 2 bytes, want 32");
}

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(AsBytes(plain)), encoded);
    auto back = Base64Decode(encoded);
    ASSERT_TRUE(back.ok()) << encoded;
    EXPECT_EQ(std::string(back->begin(), back->end()), plain);
  }
}

TEST(Base64, MissingPaddingIsRejected) { EXPECT_FALSE(Base64Decode("Zg").ok()); }
TEST(Base64, NonCanonicalTrailingBitsAreRejected) { EXPECT_FALSE(Base64Decode("Zh==").ok()); }
TEST(Base64, UrlSafeAlphabetIsRejected) { EXPECT_FALSE(Base64Decode("-_-_").ok()); }
TEST(Base64, WhitespaceIsRejected) { EXPECT_FALSE(Base64Decode("Zm9v\n").ok()); }
TEST(Base64, PaddingInTheMiddleIsRejected) { EXPECT_FALSE(Base64Decode("Zg==Zm9v").ok()); }

TEST(BigEndian, RoundTrips) {
  uint8_t buf[8];
  PutBigEndian64(0x0102030405060708ULL, buf);
  EXPECT_EQ(buf[0], 1);
  EXPECT_EQ(buf[7], 8);
  EXPECT_EQ(GetBigEndian64(buf), 0x0102030405060708ULL);
}

}  // namespace
}  // namespace attestd
