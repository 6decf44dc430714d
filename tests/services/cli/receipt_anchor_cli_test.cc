// `attest receipt verify RECEIPT.json --rpc URL --registry ADDR` as an auditor
// runs it against a hardhat node started by the test: exit 1 while the
// receipt's checkpoint is not anchored, 0 with the anchoring transaction and
// block once `attest export --once` put it on chain, 1 for a tampered
// receipt, 2 for bad flags. Skips when the attest binary or
// tests/js/node_modules is missing.
#include <gtest/gtest.h>

#include "attest/ed25519.h"
#include "attest/eip712.h"
#include "attest/receipt.h"
#include "chain/anchor_record.h"
#include "ledger/checkpoint_signing.h"
#include "ledger/proof_plan.h"
#include "tests/services/cli/chain_cli_fixture.h"
#include "tests/testing/chain_harness.h"

namespace attestd::chain {
namespace {

class ReceiptAnchorCli : public testing::ChainCliTest {
 protected:
  // A ledger of three leaves signed by a real log key; the receipt's leaf is
  // index 2, proven in the checkpoint of size 3.
  Receipt MakeReceiptInLedger(const std::string& data_dir) {
    SecretKey32 attestor = SecretKey32::Generate();
    Receipt receipt = testing::SignedTestReceipt(attestor);
    auto log_key = Ed25519PrivateKey::Generate();
    EXPECT_TRUE(log_key.ok()) << log_key.status();
    auto store = ledger::LogStore::Open(data_dir);
    EXPECT_TRUE(store.ok()) << store.status();
    auto sequencer = ledger::Sequencer::Start(
        store->get(), ledger::MakeCheckpointSigner(testing::kTestOrigin,
                                                   std::make_shared<const Ed25519PrivateKey>(*std::move(log_key))));
    EXPECT_TRUE(sequencer.ok()) << sequencer.status();
    EXPECT_TRUE((*sequencer)->Append(testing::TestLeaf(0)).ok());
    EXPECT_TRUE((*sequencer)->Append(testing::TestLeaf(1)).ok());
    auto index = (*sequencer)->Append(EncodeLedgerLeaf(receipt.statement, receipt.signature).span());
    EXPECT_TRUE(index.ok()) << index.status();
    auto cp = (*sequencer)->IssueCheckpoint();
    EXPECT_TRUE(cp.ok()) << cp.status();
    EXPECT_EQ(cp->size, 3u);
    auto proof = ledger::InclusionProof(*index, 3, **store);
    EXPECT_TRUE(proof.ok()) << proof.status();
    receipt.ledger = LedgerPosition{*index, LedgerInclusion{3, *proof, cp->note}};
    return receipt;
  }
};

TEST_F(ReceiptAnchorCli, ReceiptVerifyWithRpcPassesOnlyOnceItsCheckpointIsAnchoredAndPrintsTheTx) {
  const std::string data = dir_.Sub("data");
  const Receipt receipt = MakeReceiptInLedger(data);
  const std::string receipt_path = dir_.Sub("receipt.json");
  std::ofstream(receipt_path) << ReceiptToJson(receipt);
  const std::vector<std::string> chain_flags{"--rpc", node_->url(), "--registry", Hex0x(registry_.span())};
  auto verify = [&](const std::string& path, std::string* out) {
    std::vector<std::string> args{"receipt", "verify", path};
    args.insert(args.end(), chain_flags.begin(), chain_flags.end());
    return Attest(args, out);
  };

  std::string out;
  // The offline checks alone pass: the failure below is the chain's.
  ASSERT_EQ(Attest({"receipt", "verify", receipt_path}, &out), 0) << out;
  EXPECT_EQ(verify(receipt_path, &out), 1) << out;
  EXPECT_NE(out.find("not anchored"), std::string::npos) << out;

  // A copy of the database taken before anchoring (a backup) will know
  // nothing of the anchor.
  const std::string copy = dir_.Sub("data-copy");
  std::filesystem::copy(data, copy, std::filesystem::copy_options::recursive);
  ASSERT_EQ(Attest({"export", "--rpc", node_->url(), "--registry", Hex0x(registry_.span()), "--chain-id", "31337",
                    "--key-file", key_file_, "--confirmations", "1", "--poll-ms", "50", "--once", data},
                   &out),
            0)
      << out;
  auto anchor = nlohmann::json::parse(out.substr(out.find("{\"")), nullptr, false);
  ASSERT_TRUE(anchor.is_object()) << out;
  const std::string tx_hash = anchor.value("txHash", "");
  const std::string block_hash = anchor.value("blockHash", "");

  ASSERT_EQ(verify(receipt_path, &out), 0) << out;
  EXPECT_NE(out.find("PASS anchored: checkpoint 3 anchored"), std::string::npos) << out;
  EXPECT_NE(out.find("tx " + tx_hash), std::string::npos) << out;
  EXPECT_NE(out.find(block_hash), std::string::npos) << out;
  EXPECT_NE(out.find("verified"), std::string::npos) << out;

  // `export --once` on the copy: the chain already holds size 3, so nothing
  // is due; that is success, not "no checkpoint".
  std::string copy_out;
  EXPECT_EQ(Attest({"export", "--rpc", node_->url(), "--registry", Hex0x(registry_.span()), "--chain-id", "31337",
                    "--key-file", key_file_, "--confirmations", "1", "--poll-ms", "50", "--once", copy},
                   &copy_out),
            0)
      << copy_out;
  EXPECT_NE(copy_out.find("nothing new is due"), std::string::npos) << copy_out;
  EXPECT_EQ(copy_out.find("no checkpoint yet"), std::string::npos) << copy_out;

  // A statement altered after signing fails, whatever the chain holds.
  Receipt tampered = receipt;
  tampered.statement.output_commitment[0] ^= 1;
  const std::string tampered_path = dir_.Sub("tampered.json");
  std::ofstream(tampered_path) << ReceiptToJson(tampered);
  EXPECT_EQ(verify(tampered_path, &out), 1) << out;
}

TEST_F(ReceiptAnchorCli, ReceiptVerifyRejectsIncompleteOrMalformedChainFlagsWithUsageCode) {
  const std::string data = dir_.Sub("data");
  const std::string receipt_path = dir_.Sub("receipt.json");
  std::ofstream(receipt_path) << ReceiptToJson(MakeReceiptInLedger(data));
  std::string out;
  EXPECT_EQ(Attest({"receipt", "verify", receipt_path, "--rpc", node_->url()}, &out), 2) << out;
  EXPECT_NE(out.find("--rpc and --registry go together"), std::string::npos) << out;
  EXPECT_EQ(Attest({"receipt", "verify", receipt_path, "--registry", Hex0x(registry_.span())}, &out), 2) << out;
  EXPECT_EQ(Attest({"receipt", "verify", receipt_path, "--rpc", node_->url(), "--registry", "0x1234"}, &out), 2)
      << out;
  EXPECT_NE(out.find("--registry"), std::string::npos) << out;
}

}  // namespace
}  // namespace attestd::chain
