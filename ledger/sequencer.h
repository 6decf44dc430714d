// Sequencer: the single writer of a LogStore, with group commit.
//
// Append() may be called from any number of threads. Each call queues its
// leaf and blocks; one writer thread takes everything queued while its
// previous write was syncing, assigns consecutive indices, and writes the
// leaves, their leaf hashes, every subtree node they complete, any requested
// checkpoint and the new head as ONE RocksDB WriteBatch with sync=true. Only
// after that write returns (the WAL is fsync'd) are the indices published to
// readers and handed back to the callers. So a returned index is durable, and
// a crash at any instant leaves either all or none of a batch. When fewer
// requests are queued than the last group held, the writer waits briefly
// (at most a quarter of the last commit's time, 2 ms at most) for the last
// group's callers to queue again, so one early caller does not spend a whole
// fsync alone (docs/ledger.md, "Group commit").
//
// Ownership and lifetime: the Sequencer borrows the LogStore, which must be
// open kReadWrite and outlive it. Only one Sequencer per store. Destruction
// completes every queued request, then stops the writer thread.
//
// Thread safety: every public method is thread safe.
//
// Failure behaviour: if a durable write fails, every request of that batch
// gets the error, nothing of it is published, and the Sequencer refuses all
// later writes with the same error (the database's state after a failed sync
// is unknown; reopen to run the recovery checks).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "attest/bytes.h"
#include "base/status.h"
#include "ledger/compact_range.h"
#include "ledger/log_store.h"

namespace attestd::ledger {

// Produces the signed checkpoint note (C2SP) for a tree of `size` leaves with
// root `root`. Called only on the writer thread, so it need not be thread
// safe; it must not call back into the Sequencer.
using CheckpointSigner = std::function<absl::StatusOr<std::string>(uint64_t size, const Digest32& root)>;

struct IssuedCheckpoint {
  uint64_t size = 0;
  Digest32 root;
  std::string note;  // the signed note text, exactly as stored
};

class Sequencer {
 public:
  // FailedPrecondition unless `store` is open kReadWrite. `signer` may be
  // empty; IssueCheckpoint then fails with FailedPrecondition.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Sequencer>> Start(LogStore* store, CheckpointSigner signer);
  ~Sequencer();
  Sequencer(const Sequencer&) = delete;
  Sequencer& operator=(const Sequencer&) = delete;

  // Appends one leaf; returns its index once it is durable.
  // InvalidArgument if leaf is not 321 bytes (nothing is written).
  [[nodiscard]] absl::StatusOr<uint64_t> Append(ByteSpan leaf);

  // Appends all `leaves` at consecutive indices in one batch; returns the
  // first index. InvalidArgument (nothing written) if any is not 321 bytes
  // (the message names its position) or the span is empty.
  [[nodiscard]] absl::StatusOr<uint64_t> AppendBatch(std::span<const Bytes> leaves);

  // Signs the root of the log as it stands after the next group commit and
  // stores the note durably (in that same write). If a checkpoint already
  // exists at that size it is returned unchanged. FailedPrecondition if the
  // log is empty or no signer was given; the signer's error otherwise.
  [[nodiscard]] absl::StatusOr<IssuedCheckpoint> IssueCheckpoint();

 private:
  struct Request;
  explicit Sequencer(LogStore* store, CheckpointSigner signer);
  [[nodiscard]] absl::Status Submit(Request& request);
  void WriterLoop();
  void CommitGroup(std::vector<Request*>& group);

  LogStore* const store_;
  const CheckpointSigner signer_;

  std::mutex mu_;
  std::condition_variable work_cv_;  // writer waits for queue_ or stopping_
  std::condition_variable done_cv_;  // callers wait for their request's done flag
  std::vector<Request*> queue_;      // guarded by mu_
  bool stopping_ = false;            // guarded by mu_
  absl::Status sticky_error_;        // guarded by mu_; set after a failed write

  CompactRange range_;  // writer thread only: the frontier of the durable log
  std::thread writer_;
};

}  // namespace attestd::ledger
