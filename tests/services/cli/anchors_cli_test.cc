// `attest export`, `attest anchors list` and `attest ledger anchors` as an
// operator runs them, against a hardhat node started by the test
// (chain_cli_fixture.h).
#include <gtest/gtest.h>

#include "attest/eip712.h"
#include "attest/receipt.h"
#include "chain/anchor_record.h"
#include "ledger/proof_plan.h"
#include "tests/services/cli/chain_cli_fixture.h"
#include "tests/testing/chain_harness.h"

namespace attestd::chain {
namespace {

using namespace std::chrono_literals;

using CliIntegration = testing::ChainCliTest;

TEST_F(CliIntegration, ExportOnceAnchorsThenListAndFileExportShowTheRecord) {
  ledger::IssuedCheckpoint cp;
  {
    testing::TestLedger ledger(dir_.Sub("data"));
    cp = ledger.Grow(3);
  }
  const std::string data = dir_.Sub("data");
  std::string out;
  ASSERT_EQ(Attest({"export", "--rpc", node_->url(), "--registry", Hex0x(registry_.span()), "--chain-id", "31337",
                    "--key-file", key_file_, "--confirmations", "1", "--poll-ms", "50", "--once", data},
                   &out),
            0)
      << out;
  EXPECT_NE(out.find("\"state\":\"confirmed\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"treeSize\":3"), std::string::npos) << out;
  EXPECT_NE(out.find(Hex0x(cp.root.span())), std::string::npos) << out;

  ASSERT_EQ(Attest({"anchors", "list", data}, &out), 0) << out;
  EXPECT_NE(out.find("\"state\":\"confirmed\""), std::string::npos) << out;
  ASSERT_EQ(Attest({"ledger", "anchors", data}, &out), 0) << out;
  EXPECT_NE(out.find("\"treeSize\":3"), std::string::npos) << out;

  const std::string jsonl = dir_.Sub("out.jsonl");
  ASSERT_EQ(Attest({"export", "--to-file", jsonl, data}, &out), 0) << out;
  auto line = nlohmann::json::parse(testing::ReadFile(jsonl));
  EXPECT_EQ(line["treeSize"], 3);
  EXPECT_EQ(line["anchor"]["state"], "confirmed");
  EXPECT_EQ(line["coveredBy"]["treeSize"], 3);
}

TEST_F(CliIntegration, ExportWithWrongChainIdExitsWithUsageCodeAndSaysWhy) {
  {
    testing::TestLedger ledger(dir_.Sub("data"));
    ledger.Grow(2);
  }
  std::string out;
  EXPECT_EQ(Attest({"export", "--rpc", node_->url(), "--registry", Hex0x(registry_.span()), "--chain-id", "1",
                    "--key-file", key_file_, "--once", dir_.Sub("data")},
                   &out),
            2);
  EXPECT_NE(out.find("reports chain id 31337, config wants 1"), std::string::npos) << out;
  EXPECT_EQ(*eth_->TransactionCount(AddressOf(testing::HardhatKey(1)), "latest"), 0u);
}

TEST_F(CliIntegration, AnchorsVerifyProvesAReceiptAgainstTheRegistryThroughTheExport) {
  // A receipt for the leaf at index 2 with a checkpoint of size 3; the
  // anchor is at size 5, so only the export's consistency proof connects them.
  SecretKey32 attestor = SecretKey32::Generate();
  Receipt receipt = testing::SignedTestReceipt(attestor);
  {
    testing::TestLedger ledger(dir_.Sub("data"));
    ledger.Grow(2);
    const uint64_t index = ledger.Append(EncodeLedgerLeaf(receipt.statement, receipt.signature).span());
    ledger::IssuedCheckpoint cp3 = ledger.Checkpoint();
    ASSERT_EQ(cp3.size, 3u);
    auto proof = ledger::InclusionProof(index, 3, *ledger.store());
    ASSERT_TRUE(proof.ok()) << proof.status();
    receipt.ledger = LedgerPosition{index, LedgerInclusion{3, *proof, cp3.note}};
    ledger.Grow(2);
  }
  const std::string data = dir_.Sub("data");
  const std::string receipt_path = dir_.Sub("receipt.json");
  std::ofstream(receipt_path) << ReceiptToJson(receipt);
  std::string out;
  ASSERT_EQ(Attest({"export", "--rpc", node_->url(), "--registry", Hex0x(registry_.span()), "--chain-id", "31337",
                    "--key-file", key_file_, "--confirmations", "1", "--poll-ms", "50", "--once", data},
                   &out),
            0)
      << out;
  // Size 3 itself was never anchored: not verified without the export.
  EXPECT_EQ(Attest({"anchors", "verify", receipt_path, "--rpc", node_->url(), "--registry", Hex0x(registry_.span())},
                   &out),
            1)
      << out;
  EXPECT_NE(out.find("not anchored"), std::string::npos) << out;
  const std::string jsonl = dir_.Sub("out.jsonl");
  ASSERT_EQ(Attest({"export", "--to-file", jsonl, data}, &out), 0) << out;
  ASSERT_EQ(Attest({"anchors", "verify", receipt_path, "--rpc", node_->url(), "--registry",
                    Hex0x(registry_.span()), "--export", jsonl},
                   &out),
            0)
      << out;
  EXPECT_NE(out.find("\"verified\":true"), std::string::npos) << out;
  EXPECT_NE(out.find("\"anchoredSize\":5"), std::string::npos) << out;
  // A receipt whose statement was altered is not in the tree.
  Receipt tampered = receipt;
  tampered.statement.request_id[0] ^= 1;
  std::ofstream(receipt_path, std::ios::trunc) << ReceiptToJson(tampered);
  EXPECT_EQ(Attest({"anchors", "verify", receipt_path, "--rpc", node_->url(), "--registry",
                    Hex0x(registry_.span()), "--export", jsonl},
                   &out),
            1)
      << out;
}

}  // namespace
}  // namespace attestd::chain
