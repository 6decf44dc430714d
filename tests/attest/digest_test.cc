#include <gtest/gtest.h>

#include "attest/keccak256.h"
#include "attest/sha256.h"

namespace attestd {
namespace {

TEST(Sha256, Fips180Vectors) {
  EXPECT_EQ(HexEncode(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexEncode(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, IncrementalEqualsOneShot) {
  std::string data(1000, 'a');
  Sha256Hasher hasher;
  for (size_t i = 0; i < data.size(); i += 7) hasher.Update(std::string_view(data).substr(i, 7));
  EXPECT_EQ(hasher.Finish(), Sha256(data));
  // The hasher resets after Finish.
  hasher.Update("abc");
  EXPECT_EQ(hasher.Finish(), Sha256("abc"));
}

TEST(Keccak256, EthereumVectors) {
  EXPECT_EQ(HexEncode(Keccak256("")), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  EXPECT_EQ(HexEncode(Keccak256("abc")), "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  // Function selector source: keccak("transfer(address,uint256)") starts a9059cbb.
  EXPECT_EQ(HexEncode(Keccak256("transfer(address,uint256)")).substr(0, 8), "a9059cbb");
}

TEST(Keccak256, IsNotSha3WhichPadsDifferently) {
  // SHA3-256("") = a7ffc6f8...; a mix-up of the padding byte would produce it.
  EXPECT_NE(HexEncode(Keccak256("")).substr(0, 8), "a7ffc6f8");
}

TEST(Keccak256, BlockBoundariesMatchOneShot) {
  // Lengths around the 136-byte rate exercise the padding edge cases.
  for (size_t len : {135u, 136u, 137u, 271u, 272u, 273u}) {
    std::string data(len, 'x');
    Keccak256Hasher hasher;
    hasher.Update(std::string_view(data).substr(0, len / 3));
    hasher.Update(std::string_view(data).substr(len / 3));
    EXPECT_EQ(hasher.Finish(), Keccak256(data)) << len;
  }
  // 200 bytes of 0xa3: the Keccak team's long-message check for Keccak-256.
  std::string a3(200, '\xa3');
  EXPECT_EQ(HexEncode(Keccak256(a3)), "3a57666b048777f2c953dc4456f45a2588e1cb6f2da760122d530ac2ce607d4a");
}

}  // namespace
}  // namespace attestd
