// Sequencer: the single writer of a LogStore, with leader-follower group
// commit.
//
// Append() may be called from any number of threads. Each call hashes its
// leaf on its own thread and queues it. If no group is being committed, the
// caller becomes the group's leader: it takes everything queued (its own
// request first among them), assigns consecutive indices, and writes the
// leaves, every subtree node they complete, any requested checkpoint and the
// new head as ONE RocksDB WriteBatch with sync=true. Callers that queue while
// a leader is committing are followers: they sleep until a leader has
// committed their request, or until the leader is done and one of them must
// lead the next group. Only after the write returns (the WAL is fsync'd) are
// the indices published to readers and handed back. So a returned index is
// durable, and a crash at any instant leaves either all or none of a batch.
// Groups are committed one at a time, in queue order (single writer order).
// When fewer requests are queued than the last group held, a new leader
// waits briefly (at most a quarter of the last commit's time, 2 ms at most)
// for the last group's callers to queue again, so one early caller does not
// spend a whole fsync alone (docs/ledger.md, "Group commit").
//
// Ownership and lifetime: the Sequencer borrows the LogStore, which must be
// open kReadWrite and outlive it. Only one Sequencer per store. Every call
// must have returned before the Sequencer is destroyed (it owns no thread;
// its callers do the writing).
//
// Thread safety: every public method is thread safe.
//
// Failure behaviour: if a durable write fails, every request of that group
// (leader and followers) gets the same error, nothing of it is published,
// and the Sequencer refuses all later writes with that error (the database's
// state after a failed sync is unknown; reopen to run the recovery checks).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "attest/bytes.h"
#include "base/status.h"
#include "ledger/compact_range.h"
#include "ledger/log_store.h"

namespace attestd::ledger {

// Produces the signed checkpoint note (C2SP) for a tree of `size` leaves with
// root `root`. Called by one group leader at a time, never concurrently, so
// it need not be thread safe; it must not call back into the Sequencer.
using CheckpointSigner = std::function<absl::StatusOr<std::string>(uint64_t size, const Digest32& root)>;

struct IssuedCheckpoint {
  uint64_t size = 0;
  Digest32 root;
  std::string note;  // the signed note text, exactly as stored
};

// Makes one group's batch durable and publishes `new_head` (the default is
// LogStore::CommitAndPublish). Called by one group leader at a time. Tests
// substitute one that fails, to check how a failed write is reported.
using DurableWrite = std::function<absl::Status(rocksdb::WriteBatch& batch, const LogHead& new_head)>;

class Sequencer {
 public:
  // FailedPrecondition unless `store` is open kReadWrite. `signer` may be
  // empty; IssueCheckpoint then fails with FailedPrecondition.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Sequencer>> Start(LogStore* store, CheckpointSigner signer);
  // As Start, but every group's durable write goes through `write` (must be
  // non-empty) instead of store->CommitAndPublish.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Sequencer>> StartWithDurableWrite(LogStore* store,
                                                                                        CheckpointSigner signer,
                                                                                        DurableWrite write);
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
  Sequencer(LogStore* store, CheckpointSigner signer, DurableWrite write);
  [[nodiscard]] absl::Status Submit(Request& request);
  // Leader only, without mu_: builds and writes the group's batch, filling
  // in every request's outputs.
  void CommitGroup(std::vector<Request*>& group);

  LogStore* const store_;
  const CheckpointSigner signer_;
  const DurableWrite write_;

  std::mutex mu_;
  std::condition_variable arrival_cv_;  // a gathering leader waits for more requests
  std::condition_variable done_cv_;     // followers wait for done, or for leadership to free
  std::vector<Request*> queue_;         // guarded by mu_: requests no leader has taken yet
  bool leader_active_ = false;          // guarded by mu_: a caller is gathering or committing
  size_t last_group_size_ = 0;          // guarded by mu_
  std::chrono::steady_clock::duration last_commit_time_{};  // guarded by mu_
  absl::Status sticky_error_;           // guarded by mu_; set after a failed write

  CompactRange range_;  // current leader only: the frontier of the durable log
};

}  // namespace attestd::ledger
