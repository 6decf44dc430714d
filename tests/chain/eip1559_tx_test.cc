// RLP and EIP-1559 transactions against the ethers-generated vectors
// (testdata/ethereum_vectors.json, a copy of shared/vectors/ethereum).
#include "chain/eip1559_tx.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "chain/registry_abi.h"
#include "chain/rlp.h"

namespace attestd::chain {
namespace {

nlohmann::json LoadVectors() {
  std::ifstream in("chain/testdata/ethereum_vectors.json");
  EXPECT_TRUE(in.good()) << "run from the tests/ directory";
  return nlohmann::json::parse(in);
}

uint64_t Num(const nlohmann::json& v) {
  return v.is_string() ? std::stoull(v.get<std::string>()) : v.get<uint64_t>();
}

Eip1559Tx TxFromFields(const nlohmann::json& f) {
  Eip1559Tx tx;
  tx.chain_id = Num(f["chainId"]);
  tx.nonce = Num(f["nonce"]);
  tx.max_priority_fee_per_gas = Num(f["maxPriorityFeePerGas"]);
  tx.max_fee_per_gas = Num(f["maxFeePerGas"]);
  tx.gas_limit = Num(f["gasLimit"]);
  tx.to = *HexDecodeFixed<20>(f["to"].get<std::string>());
  tx.value = Num(f["value"]);
  tx.data = *HexDecode(f["data"].get<std::string>());
  for (const auto& entry : f["accessList"]) {
    AccessListEntry e;
    e.address = *HexDecodeFixed<20>(entry["address"].get<std::string>());
    for (const auto& key : entry["storageKeys"]) e.storage_keys.push_back(*HexDecodeFixed<32>(key.get<std::string>()));
    tx.access_list.push_back(e);
  }
  return tx;
}

SecretKey32 VectorKey(const nlohmann::json& v) {
  Bytes raw = *HexDecode(v["signerKey"].get<std::string>());
  return *SecretKey32::FromBytes(raw);
}

TEST(Rlp, SingleLowByteIsItsOwnEncoding) {
  EXPECT_EQ(RlpString(Bytes{0x7f}), (Bytes{0x7f}));
  EXPECT_EQ(RlpString(Bytes{0x80}), (Bytes{0x81, 0x80}));
}

TEST(Rlp, ZeroIsTheEmptyStringNotAZeroByte) {
  EXPECT_EQ(RlpUint(0), (Bytes{0x80}));
  EXPECT_EQ(RlpUint(1024), (Bytes{0x82, 0x04, 0x00}));
  EXPECT_EQ(RlpUintBytes(Bytes{0, 0, 5}), (Bytes{0x05}));
}

TEST(Rlp, LongStringAndLongListUseLengthOfLength) {
  Bytes s56(56, 0xaa);
  Bytes enc = RlpString(s56);
  ASSERT_EQ(enc.size(), 58u);
  EXPECT_EQ(enc[0], 0xb8);
  EXPECT_EQ(enc[1], 56);
  std::vector<Bytes> items(60, RlpUint(1));  // 60 one-byte items: long list
  Bytes list = RlpList(items);
  EXPECT_EQ(list[0], 0xf8);
  EXPECT_EQ(list[1], 60);
  EXPECT_EQ(RlpList(std::vector<Bytes>{}), (Bytes{0xc0}));
}

class EthereumVectors : public ::testing::TestWithParam<std::string> {};

TEST_P(EthereumVectors, UnsignedPayloadAndSigningHashMatchEthers) {
  auto v = LoadVectors();
  const auto& t = v["transactions"][GetParam()];
  Eip1559Tx tx = TxFromFields(t["fields"]);
  EXPECT_EQ(Hex0x(Eip1559UnsignedPayload(tx)), t["unsignedSerialized"].get<std::string>());
  EXPECT_EQ(Hex0x(Eip1559SigningHash(tx).span()), t["signingHash"].get<std::string>());
}

TEST_P(EthereumVectors, SignedRawTxAndHashMatchEthers) {
  auto v = LoadVectors();
  const auto& t = v["transactions"][GetParam()];
  SignedTx signed_tx = SignEip1559(TxFromFields(t["fields"]), VectorKey(v));
  EXPECT_EQ(Hex0x(signed_tx.r.span()), t["r"].get<std::string>());
  EXPECT_EQ(Hex0x(signed_tx.s.span()), t["s"].get<std::string>());
  EXPECT_EQ(signed_tx.y_parity, t["yParity"].get<int>());
  EXPECT_EQ(Hex0x(signed_tx.raw), t["rawTx"].get<std::string>());
  EXPECT_EQ(Hex0x(signed_tx.hash.span()), t["txHash"].get<std::string>());
}

TEST_P(EthereumVectors, SignatureRecoversTheSender) {
  auto v = LoadVectors();
  const auto& t = v["transactions"][GetParam()];
  Eip1559Tx tx = TxFromFields(t["fields"]);
  SignedTx signed_tx = SignEip1559(tx, VectorKey(v));
  Signature65 sig;
  std::copy(signed_tx.r.begin(), signed_tx.r.end(), sig.bytes.begin());
  std::copy(signed_tx.s.begin(), signed_tx.s.end(), sig.bytes.begin() + 32);
  sig[64] = static_cast<uint8_t>(27 + signed_tx.y_parity);
  auto from = RecoverAddress(Eip1559SigningHash(tx), sig);
  ASSERT_TRUE(from.ok()) << from.status();
  EXPECT_EQ(ToChecksumAddress(*from), t["recoveredFrom"].get<std::string>());
}

INSTANTIATE_TEST_SUITE_P(Vectors, EthereumVectors,
                         ::testing::Values("TX1_transfer", "TX2_anchor_call", "TX3_offline_accesslist"));

TEST(Eip1559, ChangingAnyFieldChangesTheSigningHash) {
  auto v = LoadVectors();
  Eip1559Tx base = TxFromFields(v["transactions"]["TX3_offline_accesslist"]["fields"]);
  Digest32 h = Eip1559SigningHash(base);
  Eip1559Tx t = base;
  t.chain_id = 31337;
  EXPECT_NE(Eip1559SigningHash(t), h);
  t = base;
  t.access_list[0].storage_keys.pop_back();
  EXPECT_NE(Eip1559SigningHash(t), h);
  t = base;
  t.to.reset();  // contract creation encodes `to` as the empty string
  EXPECT_NE(Eip1559SigningHash(t), h);
}

TEST(RegistryAbi, AnchorCalldataMatchesTheVectorsSelectorAndLayout) {
  // TX2's data is anchor(logId, 7, root) as ethers encodes it.
  auto v = LoadVectors();
  Bytes want = *HexDecode(v["transactions"]["TX2_anchor_call"]["fields"]["data"].get<std::string>());
  ASSERT_EQ(want.size(), 4u + 96u);
  Digest32 log_id = *Digest32::FromSpan(ByteSpan(want).subspan(4, 32));
  Digest32 root = *Digest32::FromSpan(ByteSpan(want).subspan(68, 32));
  EXPECT_EQ(EncodeAnchorCall(log_id, 7, root), want);
}

TEST(RegistryAbi, LatestResultWithHighBitsInTheSizeWordIsRejected) {
  Bytes data(64, 0);
  data[31] = 9;
  data[63] = 1;
  auto ok = DecodeLatestResult(data);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->tree_size, 9u);
  data[0] = 1;
  EXPECT_FALSE(DecodeLatestResult(data).ok());
  EXPECT_FALSE(DecodeLatestResult(Bytes(32, 0)).ok());
}

}  // namespace
}  // namespace attestd::chain
