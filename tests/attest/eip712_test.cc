#include "attest/eip712.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <nlohmann/json.hpp>

#include "attest/keccak256.h"

namespace attestd {
namespace {

template <size_t N>
FixedBytes<N> Hex(std::string_view hex) {
  auto v = HexDecodeFixed<N>(hex);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : FixedBytes<N>{};
}

Address20 Addr(std::string_view text) {
  auto a = ParseAddress(text);
  EXPECT_TRUE(a.ok()) << a.status();
  return a.ok() ? *a : Address20{};
}

// The example in EIP-712 itself (Example.js): the numbers below are the
// EIP's published values, reproduced with ethers 6 by
// tests/js/attest/eip712_mail_values.mjs.
TEST(Eip712, MailExampleFromTheEipMatchesPublishedHashes) {
  Eip712Domain domain{.name = "Ether Mail",
                      .version = "1",
                      .chain_id = 1,
                      .verifying_contract = Addr("0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC")};
  EXPECT_EQ(Hex0x(Eip712DomainSeparator(domain)),
            "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f");

  Digest32 person_type = Eip712TypeHash("Person(string name,address wallet)");
  Digest32 mail_type = Eip712TypeHash("Mail(Person from,Person to,string contents)Person(string name,address wallet)");
  EXPECT_EQ(Hex0x(mail_type), "0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2");

  auto person = [&](std::string_view name, std::string_view wallet) {
    return Eip712StructEncoder(person_type).Word(Eip712StringWord(name)).Word(Eip712AddressWord(Addr(wallet))).StructHash();
  };
  Digest32 mail = Eip712StructEncoder(mail_type)
                      .Word(person("Cow", "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"))
                      .Word(person("Bob", "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"))
                      .Word(Eip712StringWord("Hello, Bob!"))
                      .StructHash();
  EXPECT_EQ(Hex0x(mail), "0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e");
  Digest32 digest = Eip712SigningDigest(Eip712DomainSeparator(domain), mail);
  EXPECT_EQ(Hex0x(digest), "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");

  // The EIP signs with keccak256("cow"), whose address is the 'from' wallet.
  auto cow = SecretKey32::FromBytes(Keccak256("cow").span());
  ASSERT_TRUE(cow.ok());
  EXPECT_EQ(ToChecksumAddress(AddressOf(*cow)), "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826");
  EXPECT_EQ("0x" + HexEncode(SignDigest(*cow, digest)),
            "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d"
            "07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b915621c");
}

// shared/vectors/ethereum: the AnchorRegistry domain has chainId and a contract.
TEST(Eip712, AnchorRegistryVectorWithChainIdAndContract) {
  std::ifstream in("attest/testdata/ethereum_vectors.json");
  ASSERT_TRUE(in.good()) << "missing tests/attest/testdata/ethereum_vectors.json";
  nlohmann::json e = nlohmann::json::parse(in)["eip712"];
  Eip712Domain domain{.name = e["domain"]["name"].get<std::string>(),
                      .version = e["domain"]["version"].get<std::string>(),
                      .chain_id = e["domain"]["chainId"].get<uint64_t>(),
                      .verifying_contract = Addr(e["domain"]["verifyingContract"].get<std::string>())};
  EXPECT_EQ(Hex0x(Eip712DomainSeparator(domain)), e["domainSeparator"].get<std::string>());
  std::string encode_type = e["encodeType"].get<std::string>();
  Digest32 type_hash = Eip712TypeHash(encode_type);
  EXPECT_EQ(Hex0x(type_hash), e["typeHash"].get<std::string>());
  Digest32 struct_hash = Eip712StructEncoder(type_hash)
                             .Word(Hex<32>(e["value"]["logId"].get<std::string>()))
                             .Word(Eip712Uint64Word(e["value"]["treeSize"].get<uint64_t>()))
                             .Word(Hex<32>(e["value"]["root"].get<std::string>()))
                             .StructHash();
  EXPECT_EQ(Hex0x(struct_hash), e["structHash"].get<std::string>());
  Digest32 digest = Eip712SigningDigest(Eip712DomainSeparator(domain), struct_hash);
  EXPECT_EQ(Hex0x(digest), e["digest"].get<std::string>());
}

TEST(Eip712, DomainTypeListsOnlyPresentFields) {
  EXPECT_EQ(Eip712DomainType({.name = "attestd", .version = "1"}), "EIP712Domain(string name,string version)");
  EXPECT_EQ(Eip712DomainType({.name = "x", .version = "1", .chain_id = 5}),
            "EIP712Domain(string name,string version,uint256 chainId)");
}

AttestationStatement FixedStatement() {
  AttestationStatement s;
  s.log_id.bytes.fill(0x01);
  s.model_digest.bytes.fill(0x02);
  s.engine_digest.bytes.fill(0x03);
  s.input_commitment.bytes.fill(0x04);
  s.output_commitment.bytes.fill(0x05);
  s.request_id.bytes.fill(0x06);
  s.issued_at_ms = 1767225600123;
  return s;
}

SecretKey32 VectorKey() {
  auto key = SecretKey32::FromBytes(Hex<32>("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d").span());
  EXPECT_TRUE(key.ok());
  return std::move(key).value();
}

// Known answers for attestd's own statement, computed by ethers 6
// (tests/js/attest/verify_typed_data.mjs with "signerKey"). A change here
// breaks every receipt ever issued.
TEST(AttestationStatement, KnownAnswerMatchesEthers) {
  EXPECT_EQ(Hex0x(AttestationTypeHash()), "0x62ad3568dae86a508d6eb7d0e1f1ae55e57347ddc44a4518e0b62f4b9b876da9");
  EXPECT_EQ(Hex0x(AttestdDomainSeparator()), "0x4c5bd2b1c9b0bdc2688e8dc293ba8f57ede955e69a2940cd2d8140f7470bd025");
  AttestationStatement s = FixedStatement();
  EXPECT_EQ(Hex0x(AttestationStructHash(s)), "0x3444b5502b5433a914265b625b4a4fc3f2ed117dbdf990358b13e70889bd63c1");
  EXPECT_EQ(Hex0x(AttestationSigningDigest(s)), "0xe2e98eb844d4d75fbb6d59521e320b55a23dc5068766708975846511934ba11e");
  EXPECT_EQ("0x" + HexEncode(SignAttestation(VectorKey(), s)),
            "0x2c562fef46a728b21417607288b26d528b5ba94feaa7c46b31640976a63590fa"
            "3d506994adc4af87aee85b808d9a28fca19da367168f97114fd2461a83e4c0c01c");
}

TEST(AttestationStatement, EncodeDataLayoutIsTypeHashThenSevenWords) {
  AttestationStatement s = FixedStatement();
  AttestationData256 data = EncodeAttestationData(s);
  EXPECT_TRUE(std::equal(data.data(), data.data() + 32, AttestationTypeHash().data()));
  for (size_t word = 1; word <= 6; ++word) {
    for (size_t i = 0; i < 32; ++i) ASSERT_EQ(data[32 * word + i], word) << word << "/" << i;
  }
  // uint64 is a left-padded big-endian word.
  EXPECT_EQ(HexEncode(ByteSpan(data.data() + 224, 32)),
            "0000000000000000000000000000000000000000000000000000019b76daa87b");
}

TEST(AttestationStatement, DecodeRoundTripsIncludingMaxIssuedAt) {
  AttestationStatement s = FixedStatement();
  s.issued_at_ms = UINT64_MAX;
  auto back = DecodeAttestationData(EncodeAttestationData(s).span());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, s);
}

TEST(AttestationStatement, DecodeRejectsWrongLength) {
  AttestationData256 data = EncodeAttestationData(FixedStatement());
  auto st = DecodeAttestationData(ByteSpan(data.data(), 255)).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("got 255 bytes, want 256"), std::string_view::npos) << st;
}

TEST(AttestationStatement, DecodeRejectsForeignTypeHash) {
  AttestationData256 data = EncodeAttestationData(FixedStatement());
  data[0] ^= 1;
  auto st = DecodeAttestationData(data.span()).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("type hash"), std::string_view::npos) << st;
}

TEST(AttestationStatement, DecodeRejectsIssuedAtAbove64Bits) {
  AttestationData256 data = EncodeAttestationData(FixedStatement());
  data[224 + 23] = 1;  // bit 64
  auto st = DecodeAttestationData(data.span()).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("uint64"), std::string_view::npos) << st;
}

TEST(AttestationStatement, SignedStatementVerifiesOnlyForItsAttestor) {
  SecretKey32 key = SecretKey32::Generate();
  AttestationStatement s = FixedStatement();
  Signature65 sig = SignAttestation(key, s);
  EXPECT_TRUE(VerifyAttestation(s, sig, AddressOf(key)).ok());
  EXPECT_EQ(VerifyAttestation(s, sig, AddressOf(VectorKey())).code(), absl::StatusCode::kUnauthenticated);
}

TEST(AttestationStatement, AnyTamperedFieldFailsVerification) {
  SecretKey32 key = SecretKey32::Generate();
  AttestationStatement s = FixedStatement();
  Signature65 sig = SignAttestation(key, s);
  for (Digest32 AttestationStatement::*field :
       {&AttestationStatement::log_id, &AttestationStatement::model_digest, &AttestationStatement::engine_digest,
        &AttestationStatement::input_commitment, &AttestationStatement::output_commitment,
        &AttestationStatement::request_id}) {
    AttestationStatement t = s;
    (t.*field)[31] ^= 0x80;
    EXPECT_FALSE(VerifyAttestation(t, sig, AddressOf(key)).ok());
  }
  AttestationStatement t = s;
  t.issued_at_ms += 1;
  EXPECT_FALSE(VerifyAttestation(t, sig, AddressOf(key)).ok());
}

TEST(LedgerLeaf, Is321BytesOfDataThenSignatureAndRoundTrips) {
  static_assert(kAttestationLeafSize == kAttestationDataSize + Signature65::kSize);
  AttestationStatement s = FixedStatement();
  Signature65 sig = SignAttestation(VectorKey(), s);
  AttestationLeaf321 leaf = EncodeLedgerLeaf(s, sig);
  EXPECT_TRUE(std::equal(leaf.data(), leaf.data() + 256, EncodeAttestationData(s).data()));
  EXPECT_TRUE(std::equal(leaf.data() + 256, leaf.data() + 321, sig.data()));
  auto back = DecodeLedgerLeaf(leaf.span());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->statement, s);
  EXPECT_EQ(back->signature, sig);
}

TEST(LedgerLeaf, TruncatedOrExtendedLeafIsRejected) {
  AttestationLeaf321 leaf = EncodeLedgerLeaf(FixedStatement(), Signature65{});
  EXPECT_NE(DecodeLedgerLeaf(ByteSpan(leaf.data(), 320)).status().message().find("got 320 bytes, want 321"),
            std::string_view::npos);
  Bytes longer(leaf.begin(), leaf.end());
  longer.push_back(0);
  EXPECT_EQ(DecodeLedgerLeaf(longer).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(LedgerLeaf, LeafWithForeignTypeHashIsRejected) {
  AttestationLeaf321 leaf = EncodeLedgerLeaf(FixedStatement(), Signature65{});
  leaf[5] ^= 0xff;
  EXPECT_EQ(DecodeLedgerLeaf(leaf.span()).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(LedgerLeaf, RandomBytesDecodeToAnErrorNeverACrash) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 500; ++i) {
    Bytes leaf(static_cast<size_t>(rng() % 400));
    for (auto& b : leaf) b = static_cast<uint8_t>(rng());
    EXPECT_FALSE(DecodeLedgerLeaf(leaf).ok());  // the type hash cannot match by chance
  }
}

}  // namespace
}  // namespace attestd
