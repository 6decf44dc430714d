// The fixture of the CLI tests that need a chain: a hardhat node started for
// the test with the AnchorRegistry deployed, the exporter's raw key file
// (hardhat account #1, mode 0600), and `attest` run as a child process.
// Skips when the attest binary or tests/js/node_modules is missing.
#pragma once

#include <sys/stat.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "chain/eth_client.h"
#include "tests/testing/chain_harness.h"

#ifndef ATTEST_CLI_PATH
#error "ATTEST_CLI_PATH must name the attest executable"
#endif

namespace attestd::chain::testing {

class ChainCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!NodeModulesPresent()) GTEST_SKIP() << kSkipMessage;
    if (!std::filesystem::exists(ATTEST_CLI_PATH)) GTEST_SKIP() << "attest binary not built: " << ATTEST_CLI_PATH;
    artifact_ = CompileRegistry(dir_);
    node_ = std::make_unique<HardhatNode>(dir_.Sub("hardhat.log"));
    ASSERT_TRUE(node_->WaitReady());
    eth_ = std::make_unique<EthClient>(JsonRpcOptions{node_->url()});
    registry_ = DeployRegistry(*eth_, artifact_);
    key_file_ = dir_.Sub("exporter.key");
    std::ofstream(key_file_) << kHardhatKeys[1] << "\n";
    ::chmod(key_file_.c_str(), 0600);
  }

  // Runs `attest ARGS...`; returns its exit code, its output in *output.
  int Attest(const std::vector<std::string>& args, std::string* output) {
    std::vector<std::string> argv{ATTEST_CLI_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunToEnd(argv, "", dir_.Sub("attest.log"), output);
  }

  TempDir dir_;
  nlohmann::json artifact_;
  std::unique_ptr<HardhatNode> node_;
  std::unique_ptr<EthClient> eth_;
  Address20 registry_;
  std::string key_file_;
};

}  // namespace attestd::chain::testing
