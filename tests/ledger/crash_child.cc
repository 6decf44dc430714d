// The process the crash test kills: it appends to the ledger from several
// threads and issues checkpoints, and reports on stdout each thing only after
// the ledger has acknowledged it (so it is durable):
//   A <index> <seed>\n      leaf TestLeaf(seed) was acknowledged at index
//   C <size> <root hex>\n   a checkpoint at size with that root was issued
// Usage: ledger_crash_child DATA_DIR ROUND WRITERS
// It runs until it is killed.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "ledger/log_store.h"
#include "ledger/sequencer.h"
#include "tests/testing/store_test_util.h"
#include "tests/ledger/test_checkpoints.h"

namespace {

// One write(2) per line: lines below PIPE_BUF bytes never interleave.
void Report(const std::string& line) {
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = write(STDOUT_FILENO, line.data() + done, line.size() - done);
    if (n <= 0) std::_Exit(3);
    done += static_cast<size_t>(n);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace attestd::ledger;
  if (argc != 4) {
    std::fprintf(stderr, "usage: ledger_crash_child DATA_DIR ROUND WRITERS\n");
    return 2;
  }
  const std::string dir = argv[1];
  const uint64_t round = std::strtoull(argv[2], nullptr, 10);
  const int writers = std::atoi(argv[3]);
  auto store = LogStore::Open(dir);
  if (!store.ok()) {
    std::fprintf(stderr, "crash child: %s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  auto sequencer = Sequencer::Start(store->get(), testing::TestCheckpointSigner());
  if (!sequencer.ok()) return 1;
  Sequencer* seq = sequencer->get();

  std::vector<std::thread> threads;
  for (int t = 0; t < writers; ++t) {
    threads.emplace_back([seq, round, t] {
      for (uint64_t i = 0;; ++i) {
        uint64_t seed = round << 40 | static_cast<uint64_t>(t) << 28 | i;
        auto index = seq->Append(testing::TestLeaf(seed));
        if (!index.ok()) std::_Exit(4);
        Report("A " + std::to_string(*index) + " " + std::to_string(seed) + "\n");
      }
    });
  }
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    auto checkpoint = seq->IssueCheckpoint();
    if (checkpoint.ok()) {
      Report("C " + std::to_string(checkpoint->size) + " " + attestd::HexEncode(checkpoint->root) + "\n");
    } else if (!absl::IsFailedPrecondition(checkpoint.status())) {
      std::_Exit(5);
    }
  }
}
