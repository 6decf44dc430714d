// The attestd executable and the attest CLI as separate processes: start on
// a YAML config, `attest generate` over loopback, the Prometheus endpoint,
// `attest receipt verify --server --reexecute`, SIGHUP reload, and SIGTERM
// draining with a final checkpoint; and that key-loading commands start
// excluded from core dumps.
#include <arpa/inet.h>
#include <poll.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "ledger/log_store.h"
#include "tests/services/server_fixture.h"
#include "tests/testing/http_get.h"

extern char** environ;

namespace attestd::service {
namespace {

using namespace testing;

using ::attestd::testing::HttpGet;

// Runs a shell command; returns its exit code and captures stdout.
int RunShell(const std::string& command, std::string* output = nullptr) {
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  int status = pclose(pipe);
  if (output != nullptr) *output = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void WriteConfig(const std::string& path, const ServerConfig& c, int64_t max_tokens) {
  std::ofstream out(path);
  out << "listen: 127.0.0.1:0\nmetrics_listen: 127.0.0.1:0\n"
      << "models: [" << c.model_dirs[0] << "]\n"
      << "ledger_dir: " << c.ledger_dir << "\ndigest_cache_dir: " << c.digest_cache_dir << "\n"
      << "checkpoint_interval_ms: 200\n"
      << "keys:\n  attestor_keystore: " << c.keys.attestor_keystore
      << "\n  attestor_passphrase_file: " << c.keys.attestor_passphrase_file
      << "\n  log_key_file: " << c.keys.log_key_file << "\n"
      << "auth:\n  inference_tokens: [" << kInferenceToken << "]\n  admin_token: " << kAdminToken << "\n"
      << "limits:\n  max_tokens: " << max_tokens << "\n";
}

TEST(CliProcessTest, GenerateVerifyReexecuteReloadAndDrainOnSigterm) {
  TempDir dir("proc");
  ServerConfig config = MakeTestConfig(dir.path());
  const std::string config_path = dir.path() + "/attestd.yaml";
  WriteConfig(config_path, config, 64);

  int out_pipe[2];
  ASSERT_EQ(pipe(out_pipe), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  std::string binary = ATTESTD_PATH;
  std::vector<std::string> args = {binary, "--config", config_path};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ), 0);
  close(out_pipe[1]);
  FILE* server_out = fdopen(out_pipe[0], "r");
  char line[256] = {};
  ASSERT_NE(fgets(line, sizeof(line), server_out), nullptr) << "attestd printed no listening line";
  int port = 0, metrics_port = 0;
  ASSERT_EQ(std::sscanf(line, "attestd listening on port %d metrics %d", &port, &metrics_port), 2) << line;
  const std::string server = "127.0.0.1:" + std::to_string(port);
  const std::string cli = ATTEST_CLI_PATH;
  const std::string gen = dir.path() + "/gen";

  std::string text;
  ASSERT_EQ(RunShell(std::string("ATTEST_TOKEN=") + kInferenceToken + " " + cli + " generate --server " + server +
                    " --prompt 'Hello CLI' --max-tokens 5 --out " + gen,
                &text),
            0);
  for (const char* f : {"/receipt.json", "/request.json", "/response.json"}) {
    EXPECT_TRUE(std::filesystem::exists(gen + f)) << f;
  }
  std::string metrics = HttpGet(metrics_port, "/metrics");
  EXPECT_NE(metrics.find("attestd_requests_total{code=\"OK\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("attestd_ledger_size 1"), std::string::npos) << metrics;

  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // the 200 ms checkpoint timer
  const std::string verify = cli + " receipt verify " + gen + "/receipt.json --request " + gen + "/request.json --server " +
                             server + " --reexecute " + config.model_dirs[0];
  std::string report;
  EXPECT_EQ(RunShell(verify + " --response " + gen + "/response.json 2>&1", &report), 0) << report;
  EXPECT_NE(report.find("PASS reexecution"), std::string::npos) << report;
  // A response file that is not what was committed is NOT VERIFIED (exit 1).
  {
    std::ifstream in(gen + "/response.json");
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t pos = body.find("\"text\":\"");
    ASSERT_NE(pos, std::string::npos) << body;
    body.insert(pos + 8, "tampered ");
    std::ofstream(gen + "/tampered.json") << body;
  }
  EXPECT_EQ(RunShell(verify + " --response " + gen + "/tampered.json > /dev/null 2>&1"), 1);

  // SIGHUP: the lower max_tokens applies to the next request.
  WriteConfig(config_path, config, 2);
  ASSERT_EQ(kill(pid, SIGHUP), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::string err;
  EXPECT_EQ(RunShell(std::string("ATTEST_TOKEN=") + kInferenceToken + " " + cli + " generate --server " + server +
                    " --prompt x --max-tokens 5 --out " + dir.path() + "/gen2 2>&1",
                &err),
            2)
      << err;
  EXPECT_NE(err.find("max_tokens: got 5, want 1..2"), std::string::npos) << err;

  // SIGTERM: exit 0 after a final checkpoint of the whole log.
  ASSERT_EQ(RunShell(std::string("ATTEST_TOKEN=") + kInferenceToken + " " + cli + " generate --quiet --server " + server +
                " --prompt y --max-tokens 2 --out " + dir.path() + "/gen3"),
            0);
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  fclose(server_out);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  ledger::LogStoreOptions read_only;
  read_only.mode = ledger::OpenMode::kReadOnly;
  auto store = ledger::LogStore::Open(config.ledger_dir, read_only);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->Size(), 2u);
  auto sizes = (*store)->CheckpointSizes();
  ASSERT_TRUE(sizes.ok());
  ASSERT_FALSE(sizes->empty());
  EXPECT_EQ(sizes->back(), 2u) << "the shutdown checkpoint must cover every leaf";
  store->reset();

  // Offline, from files: the proof and checkpoint the ledger CLI prints.
  const std::string data = " " + config.ledger_dir;
  ASSERT_EQ(RunShell(cli + " ledger prove" + data + " --index 0 --json > " + gen + "/proof.json"), 0);
  ASSERT_EQ(RunShell(cli + " ledger prove" + data + " --index 1 --json > " + gen + "/other-proof.json"), 0);
  ASSERT_EQ(RunShell(cli + " ledger checkpoint" + data + " > " + gen + "/checkpoint.txt"), 0);
  const std::string offline = cli + " receipt verify " + gen + "/receipt.json --request " + gen +
                              "/request.json --response " + gen + "/response.json --checkpoint " + gen +
                              "/checkpoint.txt --proof ";
  EXPECT_EQ(RunShell(offline + gen + "/proof.json 2>&1", &report), 0) << report;
  EXPECT_NE(report.find("PASS ledger_inclusion: leaf 0 of 2"), std::string::npos) << report;
  EXPECT_NE(report.find("verified"), std::string::npos) << report;
  // Another leaf's proof is refused before any check runs (exit 2).
  EXPECT_EQ(RunShell(offline + gen + "/other-proof.json 2>&1", &report), 2) << report;
  EXPECT_NE(report.find("proves leaf 1, the receipt's leaf is 0"), std::string::npos) << report;
  // A proof whose path was altered does not reach the checkpoint's root (exit 1).
  {
    std::ifstream in(gen + "/proof.json");
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t pos = body.find("\"proof\":[\"");
    ASSERT_NE(pos, std::string::npos) << body;
    char& digit = body[pos + 10];
    digit = digit == '0' ? '1' : '0';
    std::ofstream(gen + "/bad-proof.json") << body;
  }
  EXPECT_EQ(RunShell(offline + gen + "/bad-proof.json 2>&1", &report), 1) << report;
  EXPECT_NE(report.find("FAIL ledger_inclusion"), std::string::npos) << report;
}

// Every attest command (keygen, logkey, ledger and export load secret keys)
// starts excluded from core dumps. attest health is pointed at a socket that
// accepts and never answers, so once accepted it is waiting there, started:
// its core-file limit must already be 0 (the other half, PR_SET_DUMPABLE, is
// not visible from outside; keystore_test checks both).
TEST(CliProcessTest, CommandsCanLeaveKeysInACoreDump) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(listener, 1), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string server = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));

  const std::string cli = ATTEST_CLI_PATH;
  std::vector<std::string> args = {cli, "health", "--server", server, "--timeout-ms", "5000"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, cli.c_str(), nullptr, nullptr, argv.data(), environ), 0);
  pollfd ready{listener, POLLIN, 0};
  ASSERT_EQ(poll(&ready, 1, 10000), 1) << "attest health never connected";
  int conn = accept(listener, nullptr, nullptr);
  std::ifstream limits("/proc/" + std::to_string(pid) + "/limits");
  std::string line, core_line;
  while (std::getline(limits, line)) {
    if (line.rfind("Max core file size", 0) == 0) core_line = line;
  }
  close(conn);
  close(listener);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);

  ASSERT_FALSE(core_line.empty()) << "no core limit line in /proc/" << pid << "/limits";
  std::istringstream fields(core_line.substr(std::string("Max core file size").size()));
  std::string soft, hard;
  fields >> soft >> hard;
  EXPECT_EQ(soft, "0") << core_line;
  EXPECT_EQ(hard, "0") << core_line;
}

}  // namespace
}  // namespace attestd::service
