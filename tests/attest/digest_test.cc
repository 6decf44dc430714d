#include <gtest/gtest.h>

#include <algorithm>

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

// The absorb loop takes whole 8-byte lanes when it can and single bytes at
// the edges; a slip in either shows up when the same input is fed in pieces
// that start off a lane boundary. Digests from ethers.keccak256 of bytes
// (i * 7 + 3) & 0xff.
TEST(Keccak256, UnalignedPiecesAroundTheRateMatchEthers) {
  const std::pair<size_t, const char*> vectors[] = {
      {135, "00ef96af9cf4b24c7f269d922294444a197d0a33638c2e56634c57e892103a8f"},
      {136, "742061bcad767ed4c4f5883b1dcb1aad11afdcc140dc469d953759b127b9f9ed"},
      {137, "e3371f61e770abf254c34239c3b0099ad90594507415bc81dd0a10b9692bbf2a"},
      {271, "4401c4afbe16ff911bdbf2d38e556e5b861f3fdf0f9d4306b1c46f6ae4f73584"},
      {272, "ac141fd7b0a0ffcd2e967254d508da3ec616596493c36fa304425647d90e6de5"},
      {273, "16192ea86793083e47731cb3c970600f04768414d92bc0540e54ce8607a0fce0"},
      {1000, "80cdc8dd52cbb3dbaea8f383209893fa2bb52efbd5aedbb4b26dcfe307fcdc9b"},
  };
  for (const auto& [len, want] : vectors) {
    Bytes data(len);
    for (size_t i = 0; i < len; ++i) data[i] = static_cast<uint8_t>((i * 7 + 3) & 0xff);
    EXPECT_EQ(HexEncode(Keccak256(data)), want) << len << " bytes at once";
    for (size_t piece : {1u, 3u, 8u, 13u, 136u}) {
      Keccak256Hasher hasher;
      for (size_t at = 0; at < len; at += piece) hasher.Update(ByteSpan(data).subspan(at, std::min(piece, len - at)));
      EXPECT_EQ(HexEncode(hasher.Finish()), want) << len << " bytes in pieces of " << piece;
    }
  }
}

}  // namespace
}  // namespace attestd
