// Test harness for the chain integration tests: a hardhat node started on
// 127.0.0.1 on a free port (tests/js/hardhat.config.js, chain id 31337) and
// killed at the end, child processes, the compiled AnchorRegistry, a ledger
// filled by the test, and hardhat's public test accounts.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "attest/eip712.h"
#include "attest/receipt.h"
#include "attest/secp256k1_signer.h"
#include "attest/sha256.h"
#include "chain/eip1559_tx.h"
#include "chain/eth_client.h"
#include "ledger/log_store.h"
#include "ledger/sequencer.h"
#include "ledger/store_format.h"
#include "tests/testing/temp_dir.h"

namespace attestd::chain::testing {

// hardhat's accounts #0..#3, derived from its published test mnemonic
// ("test test ... junk"); they hold 10000 ETH on every fresh hardhat node.
inline constexpr const char* kHardhatKeys[] = {
    "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
};
inline SecretKey32 HardhatKey(int i) { return *SecretKey32::FromBytes(*HexDecode(kHardhatKeys[i])); }

inline bool NodeModulesPresent() {
  return std::filesystem::exists("js/node_modules/hardhat/internal/cli/cli.js") &&
         std::filesystem::exists("js/node_modules/ethers/package.json") &&
         std::filesystem::exists("js/node_modules/solc/package.json");
}
inline constexpr char kSkipMessage[] =
    "tests/js/node_modules (hardhat, ethers, solc) is not installed: run scripts/install-deps.sh --test";

inline int FreeLocalPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) std::abort();
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// A child process with stdout+stderr going to `log_path`; killed with SIGKILL
// on destruction if still running.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& cwd, const std::string& log_path,
               const std::vector<std::string>& extra_env = {}) {
    pid_ = ::fork();
    if (pid_ == 0) {
      // A test that crashes must not leave a node running behind it.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) _exit(127);
      int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(log, 1);
      ::dup2(log, 2);
      for (const std::string& kv : extra_env) ::putenv(const_cast<char*>(kv.c_str()));
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execvp(args[0], args.data());
      _exit(127);
    }
  }
  ~ChildProcess() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGCONT);
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  pid_t pid() const { return pid_; }
  void Signal(int sig) { ::kill(pid_, sig); }
  // Waits up to `timeout`; returns the exit code, or -1 on timeout, or
  // 128+signal when killed.
  int Wait(std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      int status = 0;
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Runs a command to completion; returns its exit code, output in *output.
inline int RunToEnd(const std::vector<std::string>& argv, const std::string& cwd, const std::string& log_path,
                    std::string* output, std::chrono::seconds timeout = std::chrono::seconds(120)) {
  ChildProcess child(argv, cwd, log_path);
  int rc = child.Wait(timeout);
  if (output != nullptr) *output = ReadFile(log_path);
  return rc;
}

using ::attestd::testing::TempDir;

// A hardhat node on 127.0.0.1:<free port>, run from tests/js.
class HardhatNode {
 public:
  explicit HardhatNode(const std::string& log_path, int port = 0) : port_(port == 0 ? FreeLocalPort() : port) {
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"node", "node_modules/hardhat/internal/cli/cli.js", "node", "--hostname",
                                 "127.0.0.1", "--port", std::to_string(port_)},
        "js", log_path, std::vector<std::string>{"HARDHAT_DISABLE_TELEMETRY_PROMPT=true"});
  }
  // Polls eth_chainId until the node answers (false after `timeout`).
  bool WaitReady(std::chrono::seconds timeout = std::chrono::seconds(90)) {
    EthClient eth(JsonRpcOptions{url(), 500, 2000});
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      if (eth.ChainId().ok()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  void Pause() { process_->Signal(SIGSTOP); }
  void Resume() { process_->Signal(SIGCONT); }

 private:
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

// Compiles deploy/contracts/AnchorRegistry.sol with compile.mjs; returns the artifact.
inline nlohmann::json CompileRegistry(const TempDir& dir) {
  std::string output;
  int rc = RunToEnd({"node", "../deploy/contracts/compile.mjs", dir.Sub("contracts")}, "", dir.Sub("compile.log"),
                    &output);
  EXPECT_EQ(rc, 0) << output;
  return nlohmann::json::parse(ReadFile(dir.Sub("contracts/AnchorRegistry.json")));
}

// Signs and sends a transaction from `key` with the node's pending nonce and
// fees (2 * base fee + 1 gwei); returns its hash.
inline absl::StatusOr<Digest32> SendTx(EthClient& eth, const SecretKey32& key, std::optional<Address20> to,
                                       Bytes data, uint64_t value, uint64_t gas_limit,
                                       std::optional<uint64_t> nonce = std::nullopt) {
  Eip1559Tx tx;
  ASSIGN_OR_RETURN(tx.chain_id, eth.ChainId());
  if (nonce.has_value()) {
    tx.nonce = *nonce;
  } else {
    ASSIGN_OR_RETURN(tx.nonce, eth.TransactionCount(AddressOf(key), "pending"));
  }
  ASSIGN_OR_RETURN(FeeHistory fees, eth.GetFeeHistory(1, 50));
  tx.max_priority_fee_per_gas = 1'000'000'000;
  tx.max_fee_per_gas = 2 * fees.next_base_fee + tx.max_priority_fee_per_gas;
  tx.gas_limit = gas_limit;
  tx.to = to;
  tx.value = value;
  tx.data = std::move(data);
  return eth.SendRawTransaction(SignEip1559(tx, key).raw);
}

// Polls for a receipt (the node mines on every transaction and every 250 ms).
inline nlohmann::json WaitReceiptJson(EthClient& eth, const Digest32& hash,
                                      std::chrono::seconds timeout = std::chrono::seconds(30)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    auto r = eth.Raw("eth_getTransactionReceipt", {"0x" + HexEncode(hash.span())});
    if (r.ok() && !r->is_null()) return *r;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return nullptr;
}

// Deploys AnchorRegistry from hardhat account #0; returns its address.
inline Address20 DeployRegistry(EthClient& eth, const nlohmann::json& artifact) {
  Bytes code = *HexDecode(artifact["bytecode"].get<std::string>());
  auto hash = SendTx(eth, HardhatKey(0), std::nullopt, code, 0, 1'000'000);
  EXPECT_TRUE(hash.ok()) << hash.status();
  nlohmann::json receipt = WaitReceiptJson(eth, *hash);
  EXPECT_TRUE(receipt.is_object());
  EXPECT_EQ(receipt.value("status", ""), "0x1");
  return *HexDecodeFixed<20>(receipt.value("contractAddress", std::string()));
}

inline constexpr char kTestOrigin[] = "attestd.test/chain-log";

// Checkpoint notes for tests: the C2SP body and a placeholder signature line
// (the exporter reads the body; note signatures are the ledger's concern).
inline ledger::CheckpointSigner TestNoteSigner() {
  return [](uint64_t size, const Digest32& root) -> absl::StatusOr<std::string> {
    return std::string(kTestOrigin) + "\n" + std::to_string(size) + "\n" + Base64Encode(root.span()) +
           "\n\n\xe2\x80\x94 " + kTestOrigin + " dGVzdA==\n";
  };
}

inline Bytes TestLeaf(uint64_t seed) {
  Bytes leaf(ledger::kLeafSize);
  Digest32 block = Sha256(std::string_view("chain-test-leaf-" + std::to_string(seed)));
  for (size_t i = 0; i < leaf.size(); ++i) leaf[i] = block[i % 32] ^ static_cast<uint8_t>(i);
  return leaf;
}

// A ledger the test fills: appends leaves and issues checkpoints.
class TestLedger {
 public:
  explicit TestLedger(const std::string& dir) { Reopen(dir); }
  // Appends `n` leaves and issues a checkpoint; returns it.
  ledger::IssuedCheckpoint Grow(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) EXPECT_TRUE(sequencer_->Append(TestLeaf(next_++)).ok());
    auto cp = sequencer_->IssueCheckpoint();
    EXPECT_TRUE(cp.ok()) << cp.status();
    return *cp;
  }
  // Appends one given leaf; returns its index.
  uint64_t Append(ByteSpan leaf) {
    auto index = sequencer_->Append(leaf);
    EXPECT_TRUE(index.ok()) << index.status();
    return *index;
  }
  ledger::IssuedCheckpoint Checkpoint() { return Grow(0); }
  ledger::LogStore* store() { return store_.get(); }
  // Closes the database so that another process can open it.
  void Close() {
    sequencer_.reset();
    store_.reset();
  }
  // Opens (creating if missing) the database in `dir` with a sequencer.
  void Reopen(const std::string& dir) {
    auto store = ledger::LogStore::Open(dir);
    EXPECT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto seq = ledger::Sequencer::Start(store_.get(), TestNoteSigner());
    EXPECT_TRUE(seq.ok()) << seq.status();
    sequencer_ = *std::move(seq);
  }

 private:
  std::unique_ptr<ledger::LogStore> store_;
  std::unique_ptr<ledger::Sequencer> sequencer_;
  uint64_t next_ = 0;
};

inline Digest32 LogId() { return Sha256(std::string_view(kTestOrigin)); }

// A receipt for a fixed statement in the test log, signed by `attestor`; the
// caller adds the ledger position.
inline Receipt SignedTestReceipt(const SecretKey32& attestor) {
  AttestationStatement statement;
  statement.log_id = LogId();
  statement.model_digest = Sha256(std::string_view("model"));
  statement.engine_digest = Sha256(std::string_view("engine"));
  statement.input_commitment = Sha256(std::string_view("input"));
  statement.output_commitment = Sha256(std::string_view("output"));
  statement.request_id = Sha256(std::string_view("request"));
  statement.issued_at_ms = 1'763'900'000'000;
  Receipt receipt;
  receipt.statement = statement;
  receipt.signature = SignAttestation(attestor, statement);
  receipt.attestor = AddressOf(attestor);
  receipt.model_name = "test-model";
  return receipt;
}

}  // namespace attestd::chain::testing
