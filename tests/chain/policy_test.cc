// The exporter's pure parts: fee choice and caps, strict quantity parsing,
// anchor record format, checkpoint body parsing.
#include <gtest/gtest.h>

#include "attest/sha256.h"
#include "chain/anchor_record.h"
#include "chain/eth_client.h"
#include "chain/exporter.h"
#include "chain/fee_policy.h"

namespace attestd::chain {
namespace {

TEST(FeePolicy, MaxFeeIsTwiceBaseFeePlusTip) {
  FeeCaps caps;
  auto fees = ChooseFees(10'000'000'000, 2'000'000'000, {}, caps);
  ASSERT_TRUE(fees.ok()) << fees.status();
  EXPECT_EQ(fees->max_priority_fee_per_gas, 2'000'000'000u);
  EXPECT_EQ(fees->max_fee_per_gas, 22'000'000'000u);
}

TEST(FeePolicy, TipIsCappedAndFallsBackToMedianRewardThenDefault) {
  FeeCaps caps;
  caps.tip_cap = 3'000'000'000;
  EXPECT_EQ(ChooseFees(1, 50'000'000'000, {}, caps)->max_priority_fee_per_gas, 3'000'000'000u);
  EXPECT_EQ(ChooseFees(1, std::nullopt, {5, 1, 9}, caps)->max_priority_fee_per_gas, 5u);
  EXPECT_EQ(ChooseFees(1, std::nullopt, {}, caps)->max_priority_fee_per_gas, caps.default_tip);
}

TEST(FeePolicy, MaxFeeIsLoweredToTheCapWhenBaseFeePlusTipStillFits) {
  FeeCaps caps;
  caps.max_fee_cap = 15'000'000'000;
  auto fees = ChooseFees(10'000'000'000, 1'000'000'000, {}, caps);
  ASSERT_TRUE(fees.ok());
  EXPECT_EQ(fees->max_fee_per_gas, 15'000'000'000u);
}

TEST(FeePolicy, BaseFeeAboveTheCapRefusesToSend) {
  FeeCaps caps;
  caps.max_fee_cap = 5'000'000'000;
  auto fees = ChooseFees(6'000'000'000, 1, {}, caps);
  ASSERT_FALSE(fees.ok());
  EXPECT_EQ(fees.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(fees.status().message().find("exceeds the max fee cap"), std::string::npos);
}

TEST(FeePolicy, HugeBaseFeeFromAHostileNodeDoesNotWrapAround) {
  FeeCaps caps;
  EXPECT_FALSE(ChooseFees(UINT64_MAX - 1, 5, {}, caps).ok());
}

TEST(Quantity, CanonicalHexOnly) {
  EXPECT_EQ(*ParseQuantity("0x0", "q"), 0u);
  EXPECT_EQ(*ParseQuantity("0x7a69", "q"), 31337u);
  EXPECT_EQ(*ParseQuantity("0xffffffffffffffff", "q"), UINT64_MAX);
  EXPECT_FALSE(ParseQuantity("0x", "q").ok());
  EXPECT_FALSE(ParseQuantity("0x01", "q").ok());  // leading zero
  EXPECT_FALSE(ParseQuantity("7a69", "q").ok());
  EXPECT_FALSE(ParseQuantity("0xg", "q").ok());
  EXPECT_FALSE(ParseQuantity(31337, "q").ok());
  EXPECT_EQ(ParseQuantity("0x10000000000000000", "q").status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ToQuantity(0), "0x0");
  EXPECT_EQ(ToQuantity(31337), "0x7a69");
}

AnchorRecord SampleRecord() {
  AnchorRecord r;
  r.tree_size = 42;
  r.root = Sha256(std::string_view("root"));
  r.log_id = Sha256(std::string_view("origin"));
  r.state = AnchorState::kConfirmed;
  r.chain_id = 31337;
  r.registry[0] = 0x5f;
  r.from[19] = 0x01;
  r.nonce = 7;
  r.tx_hash = Sha256(std::string_view("tx"));
  r.raw_tx = {0x02, 0xf8, 0x01};
  r.earlier_tx_hashes = {Sha256(std::string_view("old"))};
  r.block_number = 99;
  r.block_hash = Sha256(std::string_view("block"));
  r.gas_used = 57131;
  r.effective_gas_price = 1'000'000'007;
  r.created_at_ms = 1'700'000'000'000;
  r.last_error = "";
  return r;
}

TEST(AnchorRecordFormat, RoundTripsEveryField) {
  AnchorRecord r = SampleRecord();
  auto back = AnchorRecordFromJson(AnchorRecordToJson(r));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(AnchorRecordToJson(*back).dump(), AnchorRecordToJson(r).dump());
  EXPECT_EQ(back->earlier_tx_hashes, r.earlier_tx_hashes);
  EXPECT_EQ(back->state, AnchorState::kConfirmed);
}

TEST(AnchorRecordFormat, MissingOrMistypedFieldIsDataLossNamingIt) {
  nlohmann::json j = AnchorRecordToJson(SampleRecord());
  j.erase("txHash");
  auto missing = AnchorRecordFromJson(j);
  ASSERT_EQ(missing.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(missing.status().message().find("txHash"), std::string::npos);
  j = AnchorRecordToJson(SampleRecord());
  j["root"] = "0x1234";
  EXPECT_EQ(AnchorRecordFromJson(j).status().code(), absl::StatusCode::kDataLoss);
  j = AnchorRecordToJson(SampleRecord());
  j["state"] = "sent-maybe";
  EXPECT_EQ(AnchorRecordFromJson(j).status().code(), absl::StatusCode::kDataLoss);
  j = AnchorRecordToJson(SampleRecord());
  j["v"] = 2;
  EXPECT_EQ(AnchorRecordFromJson(j).status().code(), absl::StatusCode::kDataLoss);
}

TEST(AnchorRecordFormat, KeysSortByTreeSize) {
  EXPECT_LT(AnchorKey(255), AnchorKey(256));
  EXPECT_LT(AnchorKey(1), AnchorKey(1ull << 40));
  EXPECT_EQ(AnchorKey(1).size(), 7u + 8u);
}

TEST(CheckpointNote, ParsesOriginSizeRootAndLogId) {
  Digest32 root = Sha256(std::string_view("r"));
  std::string note = "example.com/log\n12\n" + Base64Encode(root.span()) + "\n\n\xe2\x80\x94 example.com/log AAAA\n";
  auto cp = ParseCheckpointNote(note);
  ASSERT_TRUE(cp.ok()) << cp.status();
  EXPECT_EQ(cp->origin, "example.com/log");
  EXPECT_EQ(cp->size, 12u);
  EXPECT_EQ(cp->root, root);
  EXPECT_EQ(cp->log_id, Sha256(std::string_view("example.com/log")));
}

TEST(CheckpointNote, MalformedSizeOrRootIsDataLoss) {
  std::string root64 = Base64Encode(Sha256(std::string_view("r")).span());
  EXPECT_EQ(ParseCheckpointNote("o\n012\n" + root64 + "\n").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ParseCheckpointNote("o\n-1\n" + root64 + "\n").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ParseCheckpointNote("o\n1\nAAAA\n").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ParseCheckpointNote("o\n1\n").status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace attestd::chain
