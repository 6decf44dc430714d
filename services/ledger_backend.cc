#include "services/ledger_backend.h"

#include <chrono>

#include "attest/sha256.h"
#include "ledger/proof_plan.h"
#include "services/log.h"

namespace attestd::service {
namespace {

class StoreNodeReader : public ledger::NodeReader {
 public:
  explicit StoreNodeReader(const ledger::LogStore& store) : store_(store) {}
  absl::StatusOr<Digest32> ReadNode(const ledger::NodeId& id) const override {
    return store_.GetNode(id.level, id.index);
  }

 private:
  const ledger::LogStore& store_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<LedgerBackend>> LedgerBackend::Open(const std::string& dir, const std::string& origin,
                                                                   ledger::CheckpointSigner signer) {
  std::unique_ptr<LedgerBackend> backend(new LedgerBackend());
  backend->origin_ = origin;
  backend->log_id_ = Sha256(origin);
  ledger::LogStoreOptions options;
  // A ledger from before the request id index is indexed once at open:
  // about 6 s per million leaves on a 2-core VM, so say how far it got.
  auto last_report = std::chrono::steady_clock::now();
  options.index_progress = [&last_report, &dir](uint64_t indexed, uint64_t total) {
    const auto now = std::chrono::steady_clock::now();
    if (indexed < total && now - last_report < std::chrono::seconds(2)) return;
    last_report = now;
    LogInfo("indexing ledger request ids", {{"dir", dir},
                                            {"indexed", std::to_string(indexed)},
                                            {"total", std::to_string(total)}});
  };
  ASSIGN_OR_RETURN(backend->store_, ledger::LogStore::Open(dir, options));
  // A ledger is one origin's: refuse a directory written for another (its
  // first leaf's logId says whose it is).
  if (backend->store_->Size() > 0) {
    ASSIGN_OR_RETURN(Bytes leaf, backend->store_->GetLeaf(0));
    absl::StatusOr<SignedAttestation> decoded = DecodeLedgerLeaf(leaf);
    if (!decoded.ok()) {
      return absl::DataLossError("ledger leaf 0 does not decode: " + std::string(decoded.status().message()));
    }
    if (decoded->statement.log_id != backend->log_id_) {
      return absl::FailedPreconditionError("ledger in " + dir + " belongs to another origin: leaf 0 has logId " +
                                           HexEncode(decoded->statement.log_id) + ", want SHA-256(\"" + origin +
                                           "\") = " + HexEncode(backend->log_id_));
    }
  }
  ASSIGN_OR_RETURN(backend->sequencer_, ledger::Sequencer::Start(backend->store_.get(), std::move(signer)));
  return backend;
}

LedgerBackend::~LedgerBackend() {
  sequencer_.reset();  // completes queued appends before the store closes
  store_.reset();
}

absl::StatusOr<uint64_t> LedgerBackend::Append(const AttestationLeaf321& leaf) {
  return sequencer_->Append(leaf.span());
}

absl::StatusOr<uint64_t> LedgerBackend::FindRequest(const Digest32& request_id) const {
  absl::StatusOr<uint64_t> index = store_->FindRequestId(request_id);
  if (absl::IsNotFound(index.status())) {
    return absl::NotFoundError("no receipt for request id hash " + HexEncode(request_id));
  }
  return index;
}

absl::StatusOr<ledger::IssuedCheckpoint> LedgerBackend::IssueCheckpoint() { return sequencer_->IssueCheckpoint(); }

absl::StatusOr<uint64_t> LedgerBackend::LatestCheckpointSize() const {
  ASSIGN_OR_RETURN(std::vector<uint64_t> sizes, store_->CheckpointSizes());
  if (sizes.empty()) return absl::NotFoundError("no checkpoint has been issued yet");
  return sizes.back();
}

absl::StatusOr<std::string> LedgerBackend::Checkpoint(uint64_t size) const {
  if (size == 0) return store_->LatestCheckpoint();
  return store_->GetCheckpoint(size);
}

absl::StatusOr<std::vector<Digest32>> LedgerBackend::InclusionProof(uint64_t index, uint64_t size) const {
  if (size > store_->Size()) {
    return absl::OutOfRangeError("tree_size: got " + std::to_string(size) + ", want <= " +
                                 std::to_string(store_->Size()));
  }
  if (index >= size) {
    return absl::OutOfRangeError("index: got " + std::to_string(index) + ", want < tree_size " + std::to_string(size));
  }
  return ledger::InclusionProof(index, size, StoreNodeReader(*store_));
}

absl::StatusOr<std::vector<Digest32>> LedgerBackend::ConsistencyProof(uint64_t from_size, uint64_t to_size) const {
  if (to_size > store_->Size()) {
    return absl::OutOfRangeError("to_size: got " + std::to_string(to_size) + ", want <= " +
                                 std::to_string(store_->Size()));
  }
  if (from_size == 0 || from_size > to_size) {
    return absl::InvalidArgumentError("from_size: got " + std::to_string(from_size) + ", want 1.." +
                                      std::to_string(to_size));
  }
  return ledger::ConsistencyProof(from_size, to_size, StoreNodeReader(*store_));
}

}  // namespace attestd::service
