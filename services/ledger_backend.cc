#include "services/ledger_backend.h"

#include <chrono>

#include "attest/sha256.h"
#include "services/log.h"

namespace attestd::service {

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

}  // namespace attestd::service
