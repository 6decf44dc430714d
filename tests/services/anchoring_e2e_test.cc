// attestd with `anchoring.enabled`: the real server in this process, a
// hardhat node (tests/testing/chain_harness.h) holding a freshly deployed
// AnchorRegistry. Receipts are generated over gRPC, a checkpoint is issued,
// and the exporter thread inside the server must put its root on chain;
// LedgerService.ListAnchors must then report the confirmed anchor with the
// transaction and block the chain itself reports.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "attest/key_source.h"
#include "attest/keystore.h"
#include "attest/sha256.h"
#include "chain/anchor_record.h"
#include "chain/registry_abi.h"
#include "tests/testing/chain_harness.h"
#include "tests/services/server_fixture.h"

namespace attestd::service {
namespace {

namespace chain_testing = attestd::chain::testing;
using testing::Authorize;
using testing::Connect;
using testing::kInferenceToken;
using testing::MakeTestConfig;
using testing::SimpleRequest;

// The anchor at `tree_size` once ListAnchors reports it confirmed, or the last
// answer seen when `timeout` passes first.
v1::Anchor WaitForConfirmedAnchor(int port, uint64_t tree_size, std::chrono::seconds timeout) {
  auto ledger = v1::LedgerService::NewStub(Connect(port));
  v1::Anchor last;
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    grpc::ClientContext ctx;
    v1::ListAnchorsResponse response;
    grpc::Status status = ledger->ListAnchors(&ctx, v1::ListAnchorsRequest(), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const v1::Anchor& a : response.anchors()) {
      if (a.tree_size() != tree_size) continue;
      last = a;
      if (a.state() == "confirmed") return a;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return last;
}

// Writes the exporter keystore (hardhat's funded account #1, cheap scrypt so
// the test spends its time on the chain, not the KDF) and enables anchoring.
void EnableAnchoring(ServerConfig& config, const std::string& dir, const std::string& rpc_url,
                     const Address20& registry, int64_t every_leaves) {
  ScryptParams cheap;
  cheap.n = 1024;
  auto keystore = EncryptKeystore(chain_testing::HardhatKey(1), "exporter-pass", cheap);
  ASSERT_TRUE(keystore.ok()) << keystore.status();
  ASSERT_TRUE(WriteKeystoreFile(dir + "/exporter.json", *keystore).ok());
  std::ofstream(dir + "/exporter-pass.txt") << "exporter-pass";
  config.anchoring.enabled = true;
  config.anchoring.rpc_url = rpc_url;
  config.anchoring.registry = "0x" + HexEncode(registry.span());
  config.anchoring.chain_id = 31337;
  config.anchoring.keystore = dir + "/exporter.json";
  config.anchoring.passphrase_file = dir + "/exporter-pass.txt";
  config.anchoring.every_leaves = every_leaves;
  config.anchoring.every_seconds = 3600;
  config.anchoring.confirmations = 1;
  config.anchoring.poll_ms = 100;
}

// A hardhat node started for the test with the AnchorRegistry deployed;
// skips without tests/js/node_modules.
class AnchoringE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!chain_testing::NodeModulesPresent()) GTEST_SKIP() << chain_testing::kSkipMessage;
    node_ = std::make_unique<chain_testing::HardhatNode>(chain_dir_.Sub("hardhat.log"));
    ASSERT_TRUE(node_->WaitReady()) << chain_testing::ReadFile(chain_dir_.Sub("hardhat.log"));
    eth_ = std::make_unique<chain::EthClient>(chain::JsonRpcOptions{node_->url()});
    registry_ = chain_testing::DeployRegistry(*eth_, chain_testing::CompileRegistry(chain_dir_));
  }

  chain_testing::TempDir chain_dir_;
  std::unique_ptr<chain_testing::HardhatNode> node_;
  std::unique_ptr<chain::EthClient> eth_;
  Address20 registry_;
};

TEST_F(AnchoringE2ETest, ServerAnchorsItsCheckpointOnChainAndListAnchorsReportsTheBlock) {

  testing::TempDir dir("anchoring");
  ServerConfig config = MakeTestConfig(dir.path());
  EnableAnchoring(config, dir.path(), node_->url(), registry_, 1);

  auto started = AttestdServer::Start(config, {});
  ASSERT_TRUE(started.ok()) << started.status();
  std::unique_ptr<AttestdServer> server = *std::move(started);
  ASSERT_NE(server->exporter(), nullptr);

  {
    grpc::ClientContext ctx;
    v1::ListAnchorsResponse empty;
    ASSERT_TRUE(v1::LedgerService::NewStub(Connect(server->port()))
                    ->ListAnchors(&ctx, v1::ListAnchorsRequest(), &empty)
                    .ok());
    EXPECT_EQ(empty.anchors_size(), 0) << "nothing was checkpointed yet";
  }

  auto inference = v1::InferenceService::NewStub(Connect(server->port()));
  for (int i = 0; i < 3; ++i) {
    grpc::ClientContext ctx;
    Authorize(ctx, kInferenceToken);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    v1::GenerateResponse response;
    grpc::Status status = inference->Generate(&ctx, SimpleRequest("anchor me " + std::to_string(i), 3), &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  auto checkpoint = server->IssueCheckpoint();
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  ASSERT_EQ(checkpoint->size, 3u);

  v1::Anchor anchor = WaitForConfirmedAnchor(server->port(), checkpoint->size, std::chrono::seconds(90));
  ASSERT_EQ(anchor.state(), "confirmed") << "last seen: " << anchor.DebugString()
                                         << (server->exporter()->result().has_value()
                                                 ? server->exporter()->result()->ToString()
                                                 : std::string("exporter still running"));
  EXPECT_EQ(anchor.root(), HexEncode(checkpoint->root));

  // The chain agrees: the registry holds the root, and the reported
  // transaction was mined in the reported block.
  const Digest32 log_id = Sha256(std::string_view(config.log_origin));
  auto held = eth_->Call(registry_, chain::EncodeRootAtCall(log_id, checkpoint->size));
  ASSERT_TRUE(held.ok()) << held.status();
  auto held_root = chain::DecodeRootAtResult(*held);
  ASSERT_TRUE(held_root.ok()) << held_root.status();
  EXPECT_EQ(*held_root, checkpoint->root);
  auto tx_hash = HexDecodeFixed<32>(anchor.tx_hash(), "tx_hash");
  ASSERT_TRUE(tx_hash.ok()) << tx_hash.status();
  nlohmann::json receipt = chain_testing::WaitReceiptJson(*eth_, *tx_hash);
  ASSERT_TRUE(receipt.is_object());
  EXPECT_EQ(receipt.value("status", ""), "0x1");
  EXPECT_EQ(receipt.value("blockHash", ""), "0x" + anchor.block_hash());
  EXPECT_EQ(std::stoull(receipt.value("blockNumber", "0x0"), nullptr, 16), anchor.block_number());

  // Shutdown stops the exporter before the store closes (a use after close
  // would crash here, and under ASan), and the record survives it.
  server->Shutdown(std::chrono::seconds(5));
  EXPECT_FALSE(server->exporter() != nullptr) << "Shutdown() must release the exporter thread";
  ledger::LogStoreOptions options;
  options.mode = ledger::OpenMode::kReadOnly;
  auto store = ledger::LogStore::Open(config.ledger_dir, options);
  ASSERT_TRUE(store.ok()) << store.status();
  auto records = chain::AnchorLedger((*store)->raw_db(), (*store)->anchors_family()).List();
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_FALSE(records->empty());
  EXPECT_EQ(records->back().tree_size, checkpoint->size);
  EXPECT_EQ(records->back().state, chain::AnchorState::kConfirmed);
}

// Runs the attest CLI; returns its exit code, stdout+stderr in *output.
int Attest(const chain_testing::TempDir& dir, const std::vector<std::string>& args, std::string* output) {
  std::vector<std::string> argv{ATTEST_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  chain_testing::ChildProcess child(argv, "", dir.Sub("attest.log"),
                                    {std::string("ATTEST_TOKEN=") + kInferenceToken});
  int rc = child.Wait(std::chrono::seconds(120));
  *output = chain_testing::ReadFile(dir.Sub("attest.log"));
  return rc;
}

TEST_F(AnchoringE2ETest, ReceiptVerifyProvesAnOlderLeafInTheNewestAnchoredTreeThroughTheServer) {
  testing::TempDir dir("anchoring-verify");
  ServerConfig config = MakeTestConfig(dir.path());
  // Three new leaves make an anchor due; one does not (and a day is far away).
  EnableAnchoring(config, dir.path(), node_->url(), registry_, 3);
  auto started = AttestdServer::Start(config, {});
  ASSERT_TRUE(started.ok()) << started.status();
  std::unique_ptr<AttestdServer> server = *std::move(started);
  const std::string address = "127.0.0.1:" + std::to_string(server->port());

  std::string out;
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Attest(chain_dir_, {"generate", "--quiet", "--server", address, "--model", "tiny-qwen2", "--prompt",
                                 "first " + std::to_string(i), "--max-tokens", "3", "--out",
                                 chain_dir_.Sub("r" + std::to_string(i))},
                     &out),
              0)
        << out;
  }
  auto cp3 = server->IssueCheckpoint();
  ASSERT_TRUE(cp3.ok()) << cp3.status();
  ASSERT_EQ(WaitForConfirmedAnchor(server->port(), 3, std::chrono::seconds(90)).state(), "confirmed");
  ASSERT_EQ(Attest(chain_dir_, {"generate", "--quiet", "--server", address, "--model", "tiny-qwen2", "--prompt",
                               "late", "--max-tokens", "3", "--out", chain_dir_.Sub("late")},
                   &out),
            0)
      << out;
  auto cp4 = server->IssueCheckpoint();
  ASSERT_TRUE(cp4.ok()) << cp4.status();
  ASSERT_EQ(cp4->size, 4u);
  const std::string registry_hex = "0x" + HexEncode(registry_.span());

  // Leaf 0: --server refreshes its proof to checkpoint 4, which is not
  // anchored; the server's inclusion proof at the anchored size 3 is checked
  // against the root the registry holds.
  ASSERT_EQ(Attest(chain_dir_, {"receipt", "verify", chain_dir_.Sub("r0/receipt.json"), "--server", address, "--rpc",
                               node_->url(), "--registry", registry_hex},
                   &out),
            0)
      << out;
  EXPECT_NE(out.find("PASS anchored: leaf 0 included in anchored size 3"), std::string::npos) << out;
  // The late leaf (index 3) is in no anchored tree yet: not verified.
  EXPECT_EQ(Attest(chain_dir_, {"receipt", "verify", chain_dir_.Sub("late/receipt.json"), "--server", address, "--rpc",
                               node_->url(), "--registry", registry_hex},
                   &out),
            1)
      << out;
  EXPECT_NE(out.find("newest anchored size is 3, leaf 3"), std::string::npos) << out;
}

}  // namespace
}  // namespace attestd::service
