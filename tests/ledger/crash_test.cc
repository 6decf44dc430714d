// Crash consistency with a real process: a child appends under concurrent
// load and reports every acknowledged leaf and checkpoint over a pipe; the
// parent SIGKILLs it at a random moment, reopens the database (which runs the
// recovery checks), and checks that every acknowledged leaf is present with
// its bytes and that the root at the last checkpoint issued before the kill
// matches. ATTESTD_CRASH_ROUNDS sets the number of rounds (default 50).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <sstream>
#include <string>

#include "ledger/audit.h"
#include "ledger/log_store.h"
#include "tests/testing/store_test_util.h"
#include "tests/ledger/test_checkpoints.h"

namespace attestd::ledger {
namespace {

using testing::TempDir;
using testing::TestLeaf;

struct Acknowledged {
  std::map<uint64_t, uint64_t> seed_by_index;
  uint64_t checkpoint_size = 0;
  std::string checkpoint_root_hex;
};

void ParseLines(std::string& buffer, Acknowledged& ack) {
  size_t start = 0;
  for (size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::istringstream line(buffer.substr(start, nl - start));
    char kind = 0;
    line >> kind;
    if (kind == 'A') {
      uint64_t index = 0, seed = 0;
      line >> index >> seed;
      ack.seed_by_index[index] = seed;
    } else if (kind == 'C') {
      uint64_t size = 0;
      std::string root;
      line >> size >> root;
      if (size >= ack.checkpoint_size) {
        ack.checkpoint_size = size;
        ack.checkpoint_root_hex = root;
      }
    }
  }
  buffer.erase(0, start);  // keep a partial last line (the kill may cut it)
}

// Runs the child until `run_for` has passed, then SIGKILLs it; returns what
// it acknowledged.
Acknowledged RunAndKill(const std::string& dir, uint64_t round, int writers, std::chrono::milliseconds run_for) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::string round_arg = std::to_string(round), writers_arg = std::to_string(writers);
    execl(ATTESTD_CRASH_CHILD, ATTESTD_CRASH_CHILD, dir.c_str(), round_arg.c_str(), writers_arg.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  Acknowledged ack;
  std::string buffer;
  char chunk[65536];
  auto deadline = std::chrono::steady_clock::now() + run_for;
  bool killed = false;
  for (;;) {
    auto now = std::chrono::steady_clock::now();
    if (!killed && now >= deadline) {
      kill(pid, SIGKILL);
      killed = true;
    }
    pollfd p{fds[0], POLLIN, 0};
    int timeout = killed ? 1000 : static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1);
    if (poll(&p, 1, timeout) <= 0) continue;
    ssize_t n = read(fds[0], chunk, sizeof(chunk));
    if (n <= 0) break;  // EOF: the child is gone and the pipe is drained
    buffer.append(chunk, static_cast<size_t>(n));
    ParseLines(buffer, ack);
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the child exited by itself (status " << status << ") in round " << round;
  return ack;
}

TEST(CrashTest, AcknowledgedLeavesAndLastCheckpointSurviveSigkill) {
  int rounds = 50;
  if (const char* env = std::getenv("ATTESTD_CRASH_ROUNDS")) rounds = std::atoi(env);
  TempDir dir;
  std::mt19937_64 rng(std::random_device{}());
  uint64_t total_acknowledged = 0;
  uint64_t last_checkpoint_size = 0;
  for (int round = 1; round <= rounds; ++round) {
    // Between 1 ms (often before the child has opened the database) and 120 ms.
    auto run_for = std::chrono::milliseconds(1 + rng() % 120);
    int writers = round % 2 == 0 ? 8 : 64;
    Acknowledged ack = RunAndKill(dir.path(), static_cast<uint64_t>(round), writers, run_for);
    total_acknowledged += ack.seed_by_index.size();

    auto store = LogStore::Open(dir.path());  // runs the recovery checks
    ASSERT_TRUE(store.ok()) << "round " << round << ": " << store.status();
    for (const auto& [index, seed] : ack.seed_by_index) {
      auto leaf = (*store)->GetLeaf(index);
      ASSERT_TRUE(leaf.ok()) << "round " << round << ": acknowledged leaf " << index << ": " << leaf.status();
      ASSERT_EQ(*leaf, TestLeaf(seed)) << "round " << round << ": leaf " << index << " has other bytes";
      // Its request id is indexed (same write batch as the leaf). Test leaves
      // carry distinct request ids, so the first leaf with it is this one.
      auto request_id = Digest32::FromSpan(ByteSpan(*leaf).subspan(kLeafRequestIdOffset, 32), "request id");
      ASSERT_TRUE(request_id.ok());
      auto found = (*store)->FindRequestId(*request_id);
      ASSERT_TRUE(found.ok()) << "round " << round << ": leaf " << index << ": " << found.status();
      ASSERT_EQ(*found, index) << "round " << round;
    }
    if (ack.checkpoint_size > 0) {
      last_checkpoint_size = ack.checkpoint_size;
    }
    if (last_checkpoint_size > 0) {
      LogHead head = (*store)->Head();
      ASSERT_GE(head.last_checkpoint_size, last_checkpoint_size) << "round " << round;
      ASSERT_TRUE((*store)->GetCheckpoint(last_checkpoint_size).ok()) << "round " << round;
      if (ack.checkpoint_size > 0) {
        auto root = (*store)->RootAt(ack.checkpoint_size);
        ASSERT_TRUE(root.ok()) << root.status();
        ASSERT_EQ(HexEncode(*root), ack.checkpoint_root_hex) << "round " << round;
      }
      // The root recomputed at the newest stored checkpoint equals its claim.
      auto note = (*store)->LatestCheckpoint();
      ASSERT_TRUE(note.ok());
      auto claim = testing::TestCheckpointVerifier()(*note);
      ASSERT_TRUE(claim.ok()) << claim.status();
      ASSERT_EQ(claim->root, *(*store)->RootAt(claim->size)) << "round " << round;
    }
  }
  EXPECT_GT(total_acknowledged, 0u) << "no round got far enough to append; the test checked nothing";

  LogStoreOptions audit_options;
  audit_options.mode = OpenMode::kReadOnly;
  audit_options.check_head = false;
  auto store = LogStore::Open(dir.path(), audit_options);
  ASSERT_TRUE(store.ok());
  auto report = AuditLog(**store, testing::TestCheckpointVerifier());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << report->first_problem->what;
  std::printf("crash test: %d rounds, %llu acknowledged leaves checked, final size %llu, %llu checkpoints\n", rounds,
              static_cast<unsigned long long>(total_acknowledged),
              static_cast<unsigned long long>(report->leaves_checked),
              static_cast<unsigned long long>(report->checkpoints_checked));
}

}  // namespace
}  // namespace attestd::ledger
