// The exporter against a real hardhat node started by the test on 127.0.0.1:
// deploy AnchorRegistry, fill a ledger, anchor, and let ethers v6 judge the
// raw transactions and the contract state. Faults: node down at start and
// unresponsive mid-export, a crash between intent and send, a wrong chain id,
// insufficient funds, a taken or rejected nonce, a reorg.
#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <thread>

#include "chain/exporter.h"
#include "chain/exporter_thread.h"
#include "chain/file_export.h"
#include "chain/onchain_verify.h"
#include "chain/registry_abi.h"
#include "tests/testing/chain_harness.h"

namespace attestd::chain {
namespace {

using namespace std::chrono_literals;
using testing::HardhatKey;
using testing::LogId;
using testing::TestLedger;

class AnchorIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::NodeModulesPresent()) GTEST_SKIP() << testing::kSkipMessage;
    artifact_ = testing::CompileRegistry(dir_);
    node_ = std::make_unique<testing::HardhatNode>(dir_.Sub("hardhat.log"));
    ASSERT_TRUE(node_->WaitReady()) << testing::ReadFile(dir_.Sub("hardhat.log"));
    eth_ = std::make_unique<EthClient>(JsonRpcOptions{node_->url(), 2000, 10000});
    registry_ = testing::DeployRegistry(*eth_, artifact_);
    ledger_ = std::make_unique<TestLedger>(dir_.Sub("data"));
  }

  ExporterConfig Config() const {
    ExporterConfig c;
    c.rpc_url = node_->url();
    c.registry = registry_;
    c.chain_id = 31337;
    c.confirmations = 2;
    c.every_leaves = 1000;
    c.every_ms = 3'600'000;
    c.poll_interval_ms = 50;
    c.max_backoff_ms = 400;
    c.rpc_timeout_ms = 2000;
    return c;
  }

  std::unique_ptr<Exporter> MakeExporter(const ExporterConfig& c, int account = 1) {
    auto e = Exporter::Create(c, ledger_->store(), HardhatKey(account),
                              [this](const std::string& line) { log_ << line << "\n"; });
    EXPECT_TRUE(e.ok()) << e.status();
    return *std::move(e);
  }

  // Steps until `want` (or any error other than Unavailable) or timeout.
  absl::StatusOr<StepOutcome> StepUntil(Exporter& e, StepOutcome want, std::chrono::seconds timeout = 30s) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    absl::StatusOr<StepOutcome> last = absl::DeadlineExceededError("no step");
    while (std::chrono::steady_clock::now() < until) {
      last = e.Step(NowMs());
      if (last.ok() && *last == want) return last;
      if (!last.ok() && !absl::IsUnavailable(last.status())) return last;
      std::this_thread::sleep_for(50ms);
    }
    return last;
  }

  static int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  LatestAnchor OnChainLatest() {
    auto data = eth_->Call(registry_, EncodeLatestCall(LogId()));
    EXPECT_TRUE(data.ok()) << data.status();
    auto latest = DecodeLatestResult(*data);
    EXPECT_TRUE(latest.ok()) << latest.status();
    return *latest;
  }

  // Anchored events for the test log, as (treeSize) list.
  std::vector<uint64_t> AnchoredSizes() {
    nlohmann::json filter = {{"address", Hex0x(registry_.span())},
                             {"fromBlock", "0x0"},
                             {"toBlock", "latest"},
                             {"topics", {Hex0x(AnchoredEventTopic().span()), Hex0x(LogId().span())}}};
    auto logs = eth_->Raw("eth_getLogs", nlohmann::json::array({filter}));
    EXPECT_TRUE(logs.ok()) << logs.status();
    std::vector<uint64_t> sizes;
    for (const auto& l : *logs) sizes.push_back(DecodeLatestResult(*HexDecode(l["data"].get<std::string>()))->tree_size);
    return sizes;
  }

  uint64_t MinedNonce(int account) { return *eth_->TransactionCount(AddressOf(HardhatKey(account)), "latest"); }

  // ethers decodes our raw transaction and reads the contract.
  void Judge(const AnchorRecord& r) {
    std::string artifact_path = dir_.Sub("contracts/AnchorRegistry.json");
    std::string output;
    int rc = testing::RunToEnd({"node", "chain/judge_anchor.mjs", node_->url(), artifact_path,
                                Hex0x(registry_.span()), Hex0x(r.log_id.span()), std::to_string(r.tree_size),
                                Hex0x(r.root.span()), Hex0x(r.raw_tx), Hex0x(r.tx_hash.span()),
                                Hex0x(r.from.span())},
                               "js", dir_.Sub("judge.log"), &output);
    EXPECT_EQ(rc, 0) << output;
  }

  // The state a crash right after the synced intent write leaves behind: a
  // pending record whose signed transaction never reached the node.
  AnchorRecord WriteIntentOnly(const ledger::IssuedCheckpoint& cp, int account, uint64_t nonce) {
    Eip1559Tx tx;
    tx.chain_id = 31337;
    tx.nonce = nonce;
    tx.max_priority_fee_per_gas = 1'000'000'000;
    tx.max_fee_per_gas = 50'000'000'000;
    tx.gas_limit = 150'000;
    tx.to = registry_;
    tx.data = EncodeAnchorCall(LogId(), cp.size, cp.root);
    SignedTx signed_tx = SignEip1559(tx, HardhatKey(account));
    AnchorRecord r;
    r.tree_size = cp.size;
    r.root = cp.root;
    r.log_id = LogId();
    r.chain_id = 31337;
    r.registry = registry_;
    r.from = AddressOf(HardhatKey(account));
    r.nonce = nonce;
    r.tx_hash = signed_tx.hash;
    r.raw_tx = signed_tx.raw;
    r.created_at_ms = NowMs();
    AnchorLedger records(*ledger_->store());
    EXPECT_TRUE(records.Put(r).ok());
    return r;
  }

  testing::TempDir dir_;
  nlohmann::json artifact_;
  std::unique_ptr<testing::HardhatNode> node_;
  std::unique_ptr<EthClient> eth_;
  Address20 registry_;
  std::unique_ptr<TestLedger> ledger_;
  std::ostringstream log_;
};

TEST_F(AnchorIntegration, AnchorsNewestCheckpointAndEthersAgreesWithTxAndContract) {
  ledger::IssuedCheckpoint cp = ledger_->Grow(5);
  auto exporter = MakeExporter(Config());
  std::atomic<bool> stop{false};
  auto record = exporter->AnchorNewestAndWait(60'000, stop);
  ASSERT_TRUE(record.ok()) << record.status() << "\n" << log_.str();
  EXPECT_EQ(record->state, AnchorState::kConfirmed);
  EXPECT_EQ(record->tree_size, 5u);
  EXPECT_EQ(record->root, cp.root);
  EXPECT_NE(record->block_hash, Digest32());
  EXPECT_EQ(OnChainLatest().tree_size, 5u);
  EXPECT_EQ(OnChainLatest().root, cp.root);
  Judge(*record);
  // Stepping again never re-anchors a size already anchored.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(*exporter->Step(NowMs()), StepOutcome::kIdle);
  EXPECT_EQ(AnchoredSizes(), (std::vector<uint64_t>{5}));
  std::cout << "gas per anchor (first, registers the anchorer): " << record->gas_used << "\n";
}

TEST_F(AnchorIntegration, BatchingAnchorsEveryNLeavesOrAfterTSecondsAndExportProvesCoverage) {
  ExporterConfig c = Config();
  c.every_leaves = 4;
  c.every_ms = 3'600'000;
  auto exporter = MakeExporter(c);
  ledger::IssuedCheckpoint cp3 = ledger_->Grow(3);
  // Never anchored before: due at once.
  ASSERT_TRUE(StepUntil(*exporter, StepOutcome::kConfirmed).ok()) << log_.str();
  EXPECT_EQ(OnChainLatest().tree_size, 3u);
  ledger::IssuedCheckpoint cp5 = ledger_->Grow(2);  // 2 new leaves < 4, and not an hour yet
  EXPECT_EQ(*exporter->Step(NowMs()), StepOutcome::kIdle);
  EXPECT_EQ(*exporter->Step(NowMs()), StepOutcome::kIdle);
  ledger::IssuedCheckpoint cp7 = ledger_->Grow(2);  // 4 new leaves since the anchor at 3
  auto confirmed = StepUntil(*exporter, StepOutcome::kConfirmed);
  ASSERT_TRUE(confirmed.ok()) << confirmed.status() << log_.str();
  EXPECT_EQ(OnChainLatest().tree_size, 7u);
  // The clock: one more leaf, and an hour later it is due.
  ledger_->Grow(1);
  EXPECT_EQ(*exporter->Step(NowMs()), StepOutcome::kIdle);
  auto later = exporter->Step(NowMs() + 3'600'001);
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(*later, StepOutcome::kSent);
  ASSERT_TRUE(StepUntil(*exporter, StepOutcome::kConfirmed).ok());
  EXPECT_EQ(AnchoredSizes(), (std::vector<uint64_t>{3, 7, 8}));

  // File export: the checkpoint at 5 is covered by the anchor at 7.
  std::ostringstream out;
  auto stats = ExportCheckpoints(*ledger_->store(), out);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->checkpoints, 4u);
  EXPECT_EQ(stats->anchored, 3u);
  std::istringstream lines(out.str());
  std::string line;
  std::optional<nlohmann::json> line5;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line);
    if (j["treeSize"] == 5) line5 = j;
    if (j["treeSize"] == 7) {
      EXPECT_EQ(j["anchor"]["state"], "confirmed");
    }
  }
  ASSERT_TRUE(line5.has_value());
  EXPECT_TRUE(line5->at("anchor").is_null());
  ASSERT_EQ(line5->at("coveredBy")["treeSize"], 7);
  CoveringAnchor cover{7, {}};
  for (const auto& h : line5->at("coveredBy")["consistencyProof"]) {
    cover.consistency_proof.push_back(*HexDecodeFixed<32>(h.get<std::string>()));
  }
  auto on_chain = VerifyRootOnChain(*eth_, registry_, LogId(), 5, cp5.root, cover);
  ASSERT_TRUE(on_chain.ok()) << on_chain.status();
  EXPECT_EQ(on_chain->tree_size, 7u);
  EXPECT_EQ(on_chain->root, cp7.root);
  ASSERT_TRUE(on_chain->event_located) << on_chain->event_not_located;
  EXPECT_NE(on_chain->block_number, 0u);
  // Nodes cap the block range of one eth_getLogs: searching one block per
  // call, newest first, finds the same transaction.
  auto one_block_windows = VerifyRootOnChain(*eth_, registry_, LogId(), 5, cp5.root, cover,
                                             AnchoredEventSearch{.from_block = 0, .window_blocks = 1});
  ASSERT_TRUE(one_block_windows.ok()) << one_block_windows.status();
  ASSERT_TRUE(one_block_windows->event_located) << one_block_windows->event_not_located;
  EXPECT_EQ(one_block_windows->tx_hash, on_chain->tx_hash);
  EXPECT_EQ(one_block_windows->block_number, on_chain->block_number);
  // Searching only after the anchoring block still verifies (rootAt holds
  // the root) and says the transaction was not located.
  auto too_late = VerifyRootOnChain(*eth_, registry_, LogId(), 5, cp5.root, cover,
                                    AnchoredEventSearch{.from_block = on_chain->block_number + 1});
  ASSERT_TRUE(too_late.ok()) << too_late.status();
  EXPECT_FALSE(too_late->event_located);
  EXPECT_FALSE(too_late->event_not_located.empty());
  // A root the log never had is refused, directly and through the proof.
  EXPECT_EQ(VerifyRootOnChain(*eth_, registry_, LogId(), 5, cp3.root, cover).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyRootOnChain(*eth_, registry_, LogId(), 3, cp5.root, std::nullopt).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyRootOnChain(*eth_, registry_, LogId(), 5, cp5.root, std::nullopt).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(AnchorIntegration, WrongChainIdIsRefusedBeforeAnythingIsSent) {
  ledger_->Grow(2);
  ExporterConfig c = Config();
  c.chain_id = 1;
  auto exporter = MakeExporter(c);
  auto step = exporter->Step(NowMs());
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(step.status().message().find("reports chain id 31337, config wants 1"), std::string::npos)
      << step.status();
  std::atomic<bool> stop{false};
  EXPECT_EQ(exporter->Run(stop).code(), absl::StatusCode::kFailedPrecondition);  // Run gives up, too
  EXPECT_TRUE(exporter->records().List()->empty());
  EXPECT_EQ(MinedNonce(1), 0u);
}

TEST_F(AnchorIntegration, NodeUnresponsiveMidExportIsRetriedWithoutLoss) {
  ledger_->Grow(3);
  ExporterConfig c = Config();
  c.every_leaves = 1;
  c.rpc_timeout_ms = 500;
  auto exporter = MakeExporter(c);
  std::atomic<bool> stop{false};
  std::thread runner([&] { EXPECT_TRUE(exporter->Run(stop).ok()); });
  auto wait_for_size = [&](uint64_t size) {
    const auto until = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < until) {
      auto records = exporter->records().List();
      if (records.ok() && !records->empty() && records->back().tree_size == size &&
          records->back().state == AnchorState::kConfirmed) {
        return true;
      }
      std::this_thread::sleep_for(50ms);
    }
    return false;
  };
  EXPECT_TRUE(wait_for_size(3)) << log_.str();
  node_->Pause();  // the node stops answering: requests time out
  ledger_->Grow(4);
  std::this_thread::sleep_for(2s);
  node_->Resume();
  EXPECT_TRUE(wait_for_size(7)) << log_.str();
  stop = true;
  runner.join();
  EXPECT_NE(log_.str().find("retrying"), std::string::npos) << "the outage was not noticed:\n" << log_.str();
  EXPECT_EQ(AnchoredSizes(), (std::vector<uint64_t>{3, 7}));
  EXPECT_EQ(MinedNonce(1), 2u);
}

TEST_F(AnchorIntegration, NodeDownAtStartIsRetriedUntilItComesUp) {
  ledger_->Grow(2);
  ExporterConfig c = Config();
  const int dead_port = testing::FreeLocalPort();
  c.rpc_url = "http://127.0.0.1:" + std::to_string(dead_port);
  auto exporter = MakeExporter(c);
  auto step = exporter->Step(NowMs());
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.status().code(), absl::StatusCode::kUnavailable) << step.status();
  std::atomic<bool> stop{false};
  std::thread runner([&] { EXPECT_TRUE(exporter->Run(stop).ok()); });
  std::this_thread::sleep_for(1s);
  EXPECT_TRUE(exporter->records().List()->empty());
  // The node comes up on that port; deploy the same registry there (same
  // deployer and nonce, so the same address).
  testing::HardhatNode late(dir_.Sub("hardhat-late.log"), dead_port);
  ASSERT_TRUE(late.WaitReady());
  EthClient late_eth(JsonRpcOptions{late.url()});
  ASSERT_EQ(testing::DeployRegistry(late_eth, artifact_), registry_);
  const auto until = std::chrono::steady_clock::now() + 60s;
  bool confirmed = false;
  while (!confirmed && std::chrono::steady_clock::now() < until) {
    auto records = exporter->records().List();
    confirmed = records.ok() && records->size() == 1 && records->front().state == AnchorState::kConfirmed;
    std::this_thread::sleep_for(50ms);
  }
  stop = true;
  runner.join();
  EXPECT_TRUE(confirmed) << log_.str();
}

TEST_F(AnchorIntegration, IntentWrittenButNeverSentIsBroadcastOnRestartNotDuplicated) {
  ledger::IssuedCheckpoint cp = ledger_->Grow(4);
  AnchorRecord intent = WriteIntentOnly(cp, 1, 0);
  auto exporter = MakeExporter(Config());
  auto confirmed = StepUntil(*exporter, StepOutcome::kConfirmed);
  ASSERT_TRUE(confirmed.ok()) << confirmed.status() << log_.str();
  auto record = exporter->records().Get(4);
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->tx_hash, intent.tx_hash);  // the very bytes of the intent
  EXPECT_TRUE((*record)->earlier_tx_hashes.empty());
  EXPECT_EQ(AnchoredSizes(), (std::vector<uint64_t>{4}));
  EXPECT_EQ(MinedNonce(1), 1u);
  Judge(**record);
}

TEST_F(AnchorIntegration, ExporterSigkilledBetweenSendAndReceiptRestartsWithoutDoubleOrGap) {
  ledger::IssuedCheckpoint cp = ledger_->Grow(5);
  // Hold transactions in the pool so the kill lands between send and receipt.
  ASSERT_TRUE(eth_->Raw("evm_setAutomine", {false}).ok());
  ASSERT_TRUE(eth_->Raw("evm_setIntervalMining", {0}).ok());
  ledger_->Close();
  const std::string log_path = dir_.Sub("child.log");
  {
    testing::ChildProcess child({CHAIN_EXPORTER_CHILD, dir_.Sub("data"), node_->url(), Hex0x(registry_.span()),
                                 testing::kHardhatKeys[1], "2"},
                                "", log_path);
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (testing::ReadFile(log_path).find("anchoring size 5") == std::string::npos &&
           std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(10ms);
    }
    std::this_thread::sleep_for(200ms);  // let the send reach the node
    child.Signal(SIGKILL);
    EXPECT_EQ(child.Wait(5s), 128 + SIGKILL);
  }
  const std::string child_log = testing::ReadFile(log_path);
  ASSERT_NE(child_log.find("anchoring size 5"), std::string::npos) << child_log;
  ledger_->Reopen(dir_.Sub("data"));
  AnchorLedger records(*ledger_->store());
  auto pending = *records.Get(5);
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(pending->state, AnchorState::kPending);
  EXPECT_TRUE(*eth_->KnowsTransaction(pending->tx_hash)) << "the send did not reach the node";
  // The chain moves on; a new exporter process finds the mined transaction.
  ASSERT_TRUE(eth_->Raw("evm_setAutomine", {true}).ok());
  ASSERT_TRUE(eth_->Raw("evm_setIntervalMining", {250}).ok());
  ASSERT_TRUE(eth_->Raw("evm_mine", nlohmann::json::array()).ok());
  ledger_->Grow(1);  // more leaves arrive meanwhile
  auto exporter = MakeExporter(Config());
  auto confirmed = StepUntil(*exporter, StepOutcome::kConfirmed);
  ASSERT_TRUE(confirmed.ok()) << confirmed.status() << log_.str();
  auto record = **exporter->records().Get(5);
  EXPECT_EQ(record.state, AnchorState::kConfirmed);
  EXPECT_EQ(record.tx_hash, pending->tx_hash);
  EXPECT_EQ(record.root, cp.root);
  EXPECT_EQ(AnchoredSizes(), (std::vector<uint64_t>{5}));  // once, not twice
  EXPECT_EQ(MinedNonce(1), 1u);
}

TEST_F(AnchorIntegration, NonceTakenByAnotherTransactionIsResyncedAndAnchoredOnce) {
  ledger::IssuedCheckpoint cp = ledger_->Grow(4);
  AnchorRecord intent = WriteIntentOnly(cp, 1, 0);
  // Someone else uses the exporter account's nonce 0 first.
  auto other = testing::SendTx(*eth_, HardhatKey(1), AddressOf(HardhatKey(2)), {}, 1, 21000, 0);
  ASSERT_TRUE(other.ok()) << other.status();
  ASSERT_TRUE(testing::WaitReceiptJson(*eth_, *other).is_object());
  auto exporter = MakeExporter(Config());
  auto confirmed = StepUntil(*exporter, StepOutcome::kConfirmed);
  ASSERT_TRUE(confirmed.ok()) << confirmed.status() << log_.str();
  auto record = *exporter->records().Get(4);
  ASSERT_TRUE(record.has_value());
  EXPECT_NE(record->tx_hash, intent.tx_hash);
  EXPECT_EQ(record->nonce, 1u);
  EXPECT_EQ(record->earlier_tx_hashes, (std::vector<Digest32>{intent.tx_hash}));
  EXPECT_EQ(AnchoredSizes(), (std::vector<uint64_t>{4}));
  EXPECT_NE(log_.str().find("re-signing"), std::string::npos);
}

TEST_F(AnchorIntegration, NonceRejectedByTheNodeIsResyncedWithAClearMessage) {
  ledger::IssuedCheckpoint cp = ledger_->Grow(4);
  WriteIntentOnly(cp, 1, 7);  // a gap: the node refuses nonce 7 while 0 is next
  auto exporter = MakeExporter(Config());
  auto confirmed = StepUntil(*exporter, StepOutcome::kConfirmed);
  ASSERT_TRUE(confirmed.ok()) << confirmed.status() << log_.str();
  auto record = *exporter->records().Get(4);
  EXPECT_EQ(record->nonce, 0u);
  EXPECT_EQ(record->earlier_tx_hashes.size(), 1u);
  EXPECT_NE(log_.str().find("no longer usable"), std::string::npos) << log_.str();
  EXPECT_EQ(AnchoredSizes(), (std::vector<uint64_t>{4}));
  EXPECT_EQ(MinedNonce(1), 1u);
}

TEST_F(AnchorIntegration, InsufficientFundsKeepsTheIntentAndSucceedsOnceFunded) {
  ledger_->Grow(3);
  SecretKey32 poor = SecretKey32::Generate();
  const Address20 poor_address = AddressOf(poor);
  auto e = Exporter::Create(Config(), ledger_->store(), std::move(poor),
                            [this](const std::string& line) { log_ << line << "\n"; });
  ASSERT_TRUE(e.ok());
  auto& exporter = **e;
  auto step = exporter.Step(NowMs());
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(step.status().message().find("insufficient funds"), std::string::npos) << step.status();
  auto pending = *exporter.records().Get(3);
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(pending->state, AnchorState::kPending);
  EXPECT_FALSE(pending->last_error.empty());
  EXPECT_TRUE(AnchoredSizes().empty());
  // Fund it; the kept intent goes out as is.
  auto fund = testing::SendTx(*eth_, HardhatKey(0), poor_address, {}, 1'000'000'000'000'000'000ull, 21000);
  ASSERT_TRUE(fund.ok()) << fund.status();
  ASSERT_TRUE(testing::WaitReceiptJson(*eth_, *fund).is_object());
  ASSERT_TRUE(StepUntil(exporter, StepOutcome::kConfirmed).ok()) << log_.str();
  auto record = *exporter.records().Get(3);
  EXPECT_EQ(record->tx_hash, pending->tx_hash);
  EXPECT_EQ(AnchoredSizes(), (std::vector<uint64_t>{3}));
}

TEST_F(AnchorIntegration, ReorgDeeperThanConfirmationsIsDetectedAndTheAnchorReSent) {
  ledger_->Grow(6);
  auto snapshot = eth_->Raw("evm_snapshot", nlohmann::json::array());
  ASSERT_TRUE(snapshot.ok());
  ExporterConfig c = Config();
  c.confirmations = 1;
  auto exporter = MakeExporter(c);
  ASSERT_TRUE(StepUntil(*exporter, StepOutcome::kConfirmed).ok()) << log_.str();
  AnchorRecord before = **exporter->records().Get(6);
  // Roll the chain back past the anchor's block and grow a different branch.
  ASSERT_TRUE(eth_->Raw("evm_revert", nlohmann::json::array({*snapshot})).ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(eth_->Raw("evm_mine", nlohmann::json::array()).ok());
  EXPECT_EQ(OnChainLatest().tree_size, 0u);
  auto reorg = StepUntil(*exporter, StepOutcome::kReorgDetected);
  ASSERT_TRUE(reorg.ok()) << reorg.status() << log_.str();
  EXPECT_EQ((*exporter->records().Get(6))->state, AnchorState::kPending);
  ASSERT_TRUE(StepUntil(*exporter, StepOutcome::kConfirmed).ok()) << log_.str();
  AnchorRecord after = **exporter->records().Get(6);
  EXPECT_EQ(after.state, AnchorState::kConfirmed);
  EXPECT_NE(after.block_hash, before.block_hash);
  EXPECT_EQ(OnChainLatest().tree_size, 6u);
  EXPECT_EQ(AnchoredSizes(), (std::vector<uint64_t>{6}));
}

TEST_F(AnchorIntegration, ExporterThreadAnchorsInTheBackgroundAndStopsOnAWrongChain) {
  ledger_->Grow(2);
  ExporterConfig c = Config();
  c.every_leaves = 2;
  auto thread = ExporterThread::Start(c, ledger_->store(), HardhatKey(1), nullptr);
  ASSERT_TRUE(thread.ok()) << thread.status();
  ledger_->Grow(2);
  const auto until = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < until && AnchoredSizes() != std::vector<uint64_t>{4} &&
         AnchoredSizes() != std::vector<uint64_t>{2, 4}) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(OnChainLatest().tree_size, 4u);
  EXPECT_FALSE((*thread)->result().has_value());
  thread->reset();  // stops and joins
  c.chain_id = 5;
  auto wrong = ExporterThread::Start(c, ledger_->store(), HardhatKey(1), nullptr);
  ASSERT_TRUE(wrong.ok());
  while (!(*wrong)->result().has_value()) std::this_thread::sleep_for(20ms);
  EXPECT_EQ((*wrong)->result()->code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(AnchorIntegration, ContractRulesHoldOnTheNodeAndGasIsReported) {
  std::string output;
  int rc = testing::RunToEnd({"node", "chain/contract_check.mjs", node_->url(), dir_.Sub("contracts/AnchorRegistry.json")},
                             "js", dir_.Sub("contract_check.log"), &output);
  ASSERT_EQ(rc, 0) << output;
  auto gas = nlohmann::json::parse(output.substr(output.rfind('{')));
  EXPECT_GT(gas["nextAnchorGas"].get<int>(), 21000);
  EXPECT_LT(gas["nextAnchorGas"].get<int>(), 100000);
  std::cout << "contract gas: " << gas.dump() << "\n";
}

TEST_F(AnchorIntegration, ConsecutiveAnchorsAllConfirmAndThroughputIsReported) {
  ExporterConfig c = Config();
  c.confirmations = 1;
  c.every_leaves = 1;
  auto exporter = MakeExporter(c);
  constexpr int kAnchors = 10;
  const auto start = std::chrono::steady_clock::now();
  uint64_t total_gas = 0;
  for (int i = 0; i < kAnchors; ++i) {
    ledger_->Grow(1 + i);
    auto confirmed = StepUntil(*exporter, StepOutcome::kConfirmed);
    ASSERT_TRUE(confirmed.ok()) << confirmed.status() << log_.str();
    total_gas += exporter->records().List()->back().gas_used;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(AnchoredSizes().size(), static_cast<size_t>(kAnchors));
  std::cout << "anchors: " << kAnchors << " in " << seconds << " s = " << kAnchors * 60.0 / seconds
            << " anchors/min (confirmations 1, hardhat automine); mean gas " << total_gas / kAnchors << "\n";
}

}  // namespace
}  // namespace attestd::chain
