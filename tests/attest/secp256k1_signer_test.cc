#include "attest/secp256k1_signer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <thread>
#include <vector>
#include <nlohmann/json.hpp>

#include "attest/keccak256.h"

namespace attestd {
namespace {

// Copied from shared/vectors/ethereum/vectors.json (made with ethers 6).
nlohmann::json LoadVectors() {
  std::ifstream in("attest/testdata/ethereum_vectors.json");
  EXPECT_TRUE(in.good()) << "missing tests/attest/testdata/ethereum_vectors.json";
  return nlohmann::json::parse(in);
}

template <size_t N>
FixedBytes<N> Hex(std::string_view hex) {
  auto v = HexDecodeFixed<N>(hex);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : FixedBytes<N>{};
}

SecretKey32 VectorKey() {
  auto key = SecretKey32::FromBytes(Hex<32>(LoadVectors()["signerKey"].get<std::string>()).span());
  EXPECT_TRUE(key.ok()) << key.status();
  return std::move(key).value();
}

// Makes the high-S twin of a low-S signature: s -> n - s, v flipped. It
// recovers the same key, which is exactly why it must be rejected.
Signature65 HighSTwin(const Signature65& sig) {
  static constexpr uint8_t kN[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                     0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
  Signature65 out = sig;
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = kN[i] - sig[32 + i] - borrow;
    borrow = d < 0 ? 1 : 0;
    out[32 + i] = static_cast<uint8_t>(d + (borrow ? 256 : 0));
  }
  out[64] = sig[64] == 27 ? 28 : 27;
  return out;
}

TEST(Secp256k1Signer, VectorKeyDerivesPublishedPublicKeyAndAddress) {
  nlohmann::json v = LoadVectors();
  SecretKey32 key = VectorKey();
  std::string pub_hex = v["signerPubKeyUncompressed"].get<std::string>();
  EXPECT_EQ("0x04" + HexEncode(PublicKeyOf(key)), pub_hex);
  EXPECT_EQ(ToChecksumAddress(AddressOf(key)), v["signerAddress"].get<std::string>());
}

TEST(Secp256k1Signer, PersonalMessageSignatureMatchesEthersByteForByte) {
  nlohmann::json pm = LoadVectors()["personalMessage"];
  std::string message = pm["message"].get<std::string>();
  Digest32 digest = Keccak256("\x19" "Ethereum Signed Message:\n" + std::to_string(message.size()) + message);
  EXPECT_EQ("0x" + HexEncode(digest), pm["hash"].get<std::string>());
  // RFC 6979 nonces make the signature deterministic, so it equals ethers'.
  Signature65 sig = SignDigest(VectorKey(), digest);
  EXPECT_EQ("0x" + HexEncode(sig), pm["serialized"].get<std::string>());
  EXPECT_EQ(sig[64], pm["v"].get<int>());
  auto signer = RecoverAddress(digest, sig);
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ(ToChecksumAddress(*signer), pm["recovered"].get<std::string>());
}

TEST(Secp256k1Signer, RecoversEthersSignatureOverEip712Digest) {
  nlohmann::json e = LoadVectors()["eip712"];
  Digest32 digest = Hex<32>(e["digest"].get<std::string>());
  Signature65 sig = Hex<65>(e["serialized"].get<std::string>());
  auto signer = RecoverAddress(digest, sig);
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ(ToChecksumAddress(*signer), e["recovered"].get<std::string>());
  EXPECT_EQ(SignDigest(VectorKey(), digest), sig);
}

TEST(Secp256k1Signer, SignRecoverRoundTripWithFreshKeys) {
  for (int i = 0; i < 16; ++i) {
    SecretKey32 key = SecretKey32::Generate();
    Digest32 digest = Keccak256("round trip " + std::to_string(i));
    Signature65 sig = SignDigest(key, digest);
    EXPECT_TRUE(sig[64] == 27 || sig[64] == 28);
    auto pub = RecoverPublicKey(digest, sig);
    ASSERT_TRUE(pub.ok()) << pub.status();
    EXPECT_EQ(*pub, PublicKeyOf(key));
    EXPECT_TRUE(VerifySignature(digest, sig, AddressOf(key)).ok());
  }
}

TEST(Secp256k1Signer, HighSTwinIsRejectedAsFailedPrecondition) {
  Digest32 digest = Keccak256("malleable");
  Signature65 sig = SignDigest(VectorKey(), digest);
  absl::StatusOr<PublicKey64> twin = RecoverPublicKey(digest, HighSTwin(sig));
  EXPECT_EQ(twin.status().code(), absl::StatusCode::kFailedPrecondition) << twin.status();
  EXPECT_NE(twin.status().message().find("high-S"), std::string_view::npos);
}

TEST(Secp256k1Signer, VOutside27And28IsInvalidArgument) {
  Digest32 digest = Keccak256("v");
  Signature65 sig = SignDigest(VectorKey(), digest);
  for (uint8_t v : {0, 1, 26, 29, 35, 255}) {
    Signature65 bad = sig;
    bad[64] = v;
    absl::Status st = RecoverAddress(digest, bad).status();
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << int(v);
    EXPECT_NE(st.message().find("want 27 or 28"), std::string_view::npos) << st;
  }
}

TEST(Secp256k1Signer, ZeroROrSIsInvalidArgument) {
  Digest32 digest = Keccak256("zero");
  Signature65 sig = SignDigest(VectorKey(), digest);
  Signature65 zero_r = sig;
  std::fill(zero_r.data(), zero_r.data() + 32, 0);
  EXPECT_EQ(RecoverAddress(digest, zero_r).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(RecoverAddress(digest, zero_r).status().message().find("r is zero"), std::string_view::npos);
  Signature65 zero_s = sig;
  std::fill(zero_s.data() + 32, zero_s.data() + 64, 0);
  EXPECT_NE(RecoverAddress(digest, zero_s).status().message().find("s is zero"), std::string_view::npos);
  Signature65 big_r = sig;
  std::fill(big_r.data(), big_r.data() + 32, 0xff);
  EXPECT_NE(RecoverAddress(digest, big_r).status().message().find("r is >= n"), std::string_view::npos);
}

TEST(Secp256k1Signer, WrongSignerIsUnauthenticatedNamingBoth) {
  Digest32 digest = Keccak256("who signed");
  SecretKey32 other = SecretKey32::Generate();
  Signature65 sig = SignDigest(other, digest);
  Address20 expected = AddressOf(VectorKey());
  absl::Status st = VerifySignature(digest, sig, expected);
  EXPECT_EQ(st.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(st.message().find(ToChecksumAddress(AddressOf(other))), std::string_view::npos) << st;
  EXPECT_NE(st.message().find(ToChecksumAddress(expected)), std::string_view::npos) << st;
}

TEST(Secp256k1Signer, SignatureOverOtherDigestDoesNotVerify) {
  Signature65 sig = SignDigest(VectorKey(), Keccak256("one"));
  EXPECT_FALSE(VerifySignature(Keccak256("two"), sig, AddressOf(VectorKey())).ok());
}

TEST(Secp256k1Signer, WrongLengthHexSignatureIsRejectedBeforeRecovery) {
  auto short_sig = HexDecodeFixed<65>(std::string(128, 'a'), "signature");
  EXPECT_EQ(short_sig.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(short_sig.status().message().find("got 64 bytes, want 65"), std::string_view::npos);
}

TEST(Secp256k1Signer, RandomSignatureBytesGiveAnErrorOrSomeAddressNeverACrash) {
  std::mt19937_64 rng(7);
  Digest32 digest = Keccak256("fuzz");
  int errors = 0;
  for (int i = 0; i < 2000; ++i) {
    Signature65 sig;
    for (auto& b : sig.bytes) b = static_cast<uint8_t>(rng());
    if (i % 2 == 0) sig[64] = static_cast<uint8_t>(27 + (rng() & 1));  // half get past the v check
    if (i % 4 == 0) sig[32] &= 0x7f;                                    // and a quarter are low-S
    absl::StatusOr<Address20> a = RecoverAddress(digest, sig);
    if (!a.ok()) {
      ++errors;
      EXPECT_NE(a.status().code(), absl::StatusCode::kInternal) << a.status();
    }
  }
  EXPECT_GT(errors, 1000);  // every high-S or bad-v one at least
}

// One shared randomised context serves every thread (the header's promise).
TEST(Secp256k1Signer, ConcurrentSignAndRecoverAgree) {
  SecretKey32 key = VectorKey();
  Address20 want = AddressOf(key);
  std::vector<std::thread> threads;
  std::vector<int> failures(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        Digest32 d = Keccak256("thread " + std::to_string(t) + " " + std::to_string(i));
        if (!VerifySignature(d, SignDigest(key, d), want).ok()) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
}

TEST(SecretKey32, OutOfRangeKeysAreRejected) {
  EXPECT_FALSE(SecretKey32::FromBytes(Bytes(32, 0)).ok());
  EXPECT_FALSE(SecretKey32::FromBytes(Bytes(32, 0xff)).ok());
  auto short_key = SecretKey32::FromBytes(Bytes(31, 1));
  EXPECT_EQ(short_key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(short_key.status().message().find("got 31 bytes, want 32"), std::string_view::npos);
}

TEST(SecretKey32, MovedFromKeyIsWiped) {
  SecretKey32 a = SecretKey32::Generate();
  Address20 addr = AddressOf(a);
  SecretKey32 b = std::move(a);
  EXPECT_EQ(AddressOf(b), addr);
  Bytes moved_from(a.secret().begin(), a.secret().end());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(moved_from, Bytes(32, 0));
}

// The test cases published in EIP-55 itself.
TEST(Eip55, PublishedChecksumVectors) {
  for (std::string_view want : {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                                "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
                                "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
                                "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
                                "0x52908400098527886E0F7030069857D2E4169EE7",
                                "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
                                "0xde709f2102306220921060314715629080e2fb77",
                                "0x27b1fdb04752bbc536007a920d24acb045561c26"}) {
    auto parsed = ParseAddress(want);
    ASSERT_TRUE(parsed.ok()) << want << ": " << parsed.status();
    // All-caps / all-lowercase vectors are the cases where the checksum
    // happens to produce no mixed case; ToChecksumAddress must reproduce them.
    EXPECT_EQ(ToChecksumAddress(*parsed), want);
  }
}

TEST(Eip55, MixedCaseWithWrongChecksumIsRejected) {
  auto bad = ParseAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("checksum"), std::string_view::npos);
  EXPECT_TRUE(ParseAddress("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed").ok());
  EXPECT_TRUE(ParseAddress("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED").ok());
}

TEST(Eip55, WrongLengthOrMissingPrefixIsRejected) {
  EXPECT_FALSE(ParseAddress("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").ok());
  EXPECT_FALSE(ParseAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA").ok());
  EXPECT_FALSE(ParseAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedaa").ok());
  EXPECT_FALSE(ParseAddress("0xZaAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").ok());
}

}  // namespace
}  // namespace attestd
