#include "ledger/sequencer.h"

#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>

#include "ledger/merkle_hash.h"
#include "ledger/rocksdb_status.h"

namespace attestd::ledger {

struct Sequencer::Request {
  // Inputs: leaves to append (with their hashes, computed on the caller's
  // thread so hashing runs in parallel), or a checkpoint request.
  std::vector<ByteSpan> leaves;
  std::vector<Digest32> leaf_hashes;
  bool checkpoint = false;
  // Outputs, valid once done is set (guarded by Sequencer::mu_).
  bool done = false;
  absl::Status status;
  uint64_t first_index = 0;
  IssuedCheckpoint issued;
};

absl::StatusOr<std::unique_ptr<Sequencer>> Sequencer::Start(LogStore* store, CheckpointSigner signer) {
  if (store == nullptr) return absl::FailedPreconditionError("sequencer: the ledger store must be open read-write");
  return StartWithDurableWrite(store, std::move(signer), [store](rocksdb::WriteBatch& batch, const LogHead& head) {
    return store->CommitAndPublish(batch, head);
  });
}

absl::StatusOr<std::unique_ptr<Sequencer>> Sequencer::StartWithDurableWrite(LogStore* store, CheckpointSigner signer,
                                                                             DurableWrite write) {
  if (store == nullptr || store->mode() != OpenMode::kReadWrite) {
    return absl::FailedPreconditionError("sequencer: the ledger store must be open read-write");
  }
  if (!write) return absl::InvalidArgumentError("sequencer: got an empty durable write function");
  LogHead head = store->Head();
  ASSIGN_OR_RETURN(CompactRange range, CompactRange::FromFrontier(head.size, head.frontier));
  std::unique_ptr<Sequencer> sequencer(new Sequencer(store, std::move(signer), std::move(write)));
  sequencer->range_ = std::move(range);
  return sequencer;
}

Sequencer::Sequencer(LogStore* store, CheckpointSigner signer, DurableWrite write)
    : store_(store), signer_(std::move(signer)), write_(std::move(write)) {}

Sequencer::~Sequencer() = default;

absl::StatusOr<uint64_t> Sequencer::Append(ByteSpan leaf) {
  if (leaf.size() != kLeafSize) {
    return absl::InvalidArgumentError("leaf: got " + std::to_string(leaf.size()) + " bytes, want 321");
  }
  Request request;
  request.leaves.push_back(leaf);
  request.leaf_hashes.push_back(HashLeaf(leaf));
  RETURN_IF_ERROR(Submit(request));
  return request.first_index;
}

absl::StatusOr<uint64_t> Sequencer::AppendBatch(std::span<const Bytes> leaves) {
  if (leaves.empty()) return absl::InvalidArgumentError("leaf batch: got 0 leaves, want at least 1");
  Request request;
  request.leaves.reserve(leaves.size());
  request.leaf_hashes.reserve(leaves.size());
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (leaves[i].size() != kLeafSize) {
      return absl::InvalidArgumentError("leaf " + std::to_string(i) + " of batch: got " +
                                        std::to_string(leaves[i].size()) + " bytes, want 321");
    }
    request.leaves.push_back(leaves[i]);
    request.leaf_hashes.push_back(HashLeaf(leaves[i]));
  }
  RETURN_IF_ERROR(Submit(request));
  return request.first_index;
}

absl::StatusOr<IssuedCheckpoint> Sequencer::IssueCheckpoint() {
  if (!signer_) return absl::FailedPreconditionError("checkpoint: no log signing key configured");
  Request request;
  request.checkpoint = true;
  RETURN_IF_ERROR(Submit(request));
  return request.issued;
}

absl::Status Sequencer::Submit(Request& request) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!sticky_error_.ok()) return sticky_error_;
  queue_.push_back(&request);
  if (leader_active_) {
    arrival_cv_.notify_one();  // a leader may be gathering and counting arrivals
    done_cv_.wait(lock, [this, &request] { return request.done || !leader_active_; });
    if (request.done) return request.status;
    // The last leader finished without taking this request: lead the next group.
  }
  leader_active_ = true;
  // The callers of the last group were just woken and are queueing their
  // next requests; committing the first to arrive alone would spend a whole
  // fsync on it while the rest wait for the next one. So wait for as many as
  // the last group had, but never longer than a quarter of the last commit
  // took (bounded at 2 ms), so latency stays well under one fsync. With a
  // single caller this never waits.
  if (queue_.size() < last_group_size_) {
    auto patience = std::min<std::chrono::steady_clock::duration>(last_commit_time_ / 4, std::chrono::milliseconds(2));
    arrival_cv_.wait_for(lock, patience, [this] { return queue_.size() >= last_group_size_; });
  }
  std::vector<Request*> group;
  group.swap(queue_);
  lock.unlock();

  auto commit_start = std::chrono::steady_clock::now();
  CommitGroup(group);
  auto commit_time = std::chrono::steady_clock::now() - commit_start;

  lock.lock();
  last_commit_time_ = commit_time;
  last_group_size_ = group.size();
  for (Request* r : group) r->done = true;
  leader_active_ = false;
  lock.unlock();
  // Wakes the followers just committed, and those queued meanwhile, one of
  // which leads the next group.
  done_cv_.notify_all();
  return request.status;
}

void Sequencer::CommitGroup(std::vector<Request*>& group) {
  auto fail_all = [&group](const absl::Status& status) {
    for (Request* r : group) r->status = status;
  };
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!sticky_error_.ok()) return fail_all(sticky_error_);
  }

  CompactRange next = range_;
  LogHead head = store_->Head();
  rocksdb::WriteBatch batch;
  std::vector<NodeHash> completed;
  bool has_checkpoint_request = false;
  for (Request* r : group) {
    if (r->checkpoint) {
      has_checkpoint_request = true;
      continue;
    }
    r->first_index = next.size();
    for (size_t i = 0; i < r->leaves.size(); ++i) {
      uint64_t index = next.size();
      completed.clear();
      absl::Status appended = next.Append(r->leaf_hashes[i], &completed);
      if (!appended.ok()) return fail_all(appended);
      const ByteSpan leaf = r->leaves[i];
      batch.Put(store_->leaves_family(), LeafKey(index),
                rocksdb::Slice(reinterpret_cast<const char*>(leaf.data()), leaf.size()));
      batch.Put(store_->request_ids_family(), RequestIdKey(leaf.subspan(kLeafRequestIdOffset, 32), index),
                rocksdb::Slice());
      for (const NodeHash& node : completed) {
        batch.Put(store_->nodes_family(), NodeKey(node.id.level, node.id.index),
                  rocksdb::Slice(reinterpret_cast<const char*>(node.hash.data()), 32));
      }
    }
  }

  LogHead new_head;
  new_head.size = next.size();
  new_head.frontier = next.frontier();
  new_head.last_checkpoint_size = head.last_checkpoint_size;
  new_head.last_checkpoint_root = head.last_checkpoint_root;

  absl::Status checkpoint_status;
  IssuedCheckpoint issued;
  bool new_checkpoint = false;
  if (has_checkpoint_request) {
    issued.size = next.size();
    issued.root = next.Root();
    if (next.size() == 0) {
      checkpoint_status = absl::FailedPreconditionError("checkpoint: the log is empty (size 0)");
    } else if (head.last_checkpoint_size == next.size()) {
      absl::StatusOr<std::string> stored = store_->GetCheckpoint(next.size());
      if (stored.ok()) issued.note = *std::move(stored);
      checkpoint_status = stored.status();
    } else {
      absl::StatusOr<std::string> note = signer_(issued.size, issued.root);
      checkpoint_status = note.status();
      if (note.ok()) {
        issued.note = *std::move(note);
        batch.Put(store_->checkpoints_family(), CheckpointKey(issued.size), issued.note);
        new_head.last_checkpoint_size = issued.size;
        new_head.last_checkpoint_root = issued.root;
        new_checkpoint = true;
      }
    }
  }

  if (next.size() != range_.size()) {
    batch.Put(store_->meta_family(), kRequestIdsIndexedKey, EncodeU64Value(next.size()));
  }
  if (next.size() != range_.size() || new_checkpoint) {
    batch.Put(store_->meta_family(), kHeadKey, EncodeHead(new_head));
    absl::Status written = write_(batch, new_head);
    if (!written.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      sticky_error_ = written;
      return fail_all(written);
    }
    range_ = std::move(next);
  }
  for (Request* r : group) {
    if (!r->checkpoint) continue;
    r->status = checkpoint_status;
    if (checkpoint_status.ok()) r->issued = issued;
  }
}

}  // namespace attestd::ledger
