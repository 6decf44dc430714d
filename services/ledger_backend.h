// LedgerBackend: the service's view of the ledger. Owns the LogStore and its
// Sequencer; appends receipts (ReceiptLog), issues checkpoints and finds a
// request id's leaf. The auditor queries of LedgerService read the store
// through ledger_queries.h.
//
// Request id lookups go to the ledger's own persistent index (the
// request_ids column family, written in the same batch as each leaf), so
// opening costs O(1) and memory does not grow with the log.
//
// Ownership: sole owner of the store; destroying the backend stops the
// sequencer (completing queued appends) and then closes the database.
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ledger/log_store.h"
#include "ledger/sequencer.h"
#include "services/receipt_log.h"

namespace attestd::service {

class LedgerBackend : public ReceiptLog {
 public:
  // Opens (creating if missing) the log in `dir`. `signer` signs checkpoint
  // notes for `origin`; it may be empty (then IssueCheckpoint fails). Errors:
  // those of LogStore::Open (which also indexes request ids a ledger from
  // before the index lacks), DataLoss if leaf 0 does not decode, and
  // FailedPrecondition if leaf 0's logId is not SHA-256(origin).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<LedgerBackend>> Open(const std::string& dir,
                                                                           const std::string& origin,
                                                                           ledger::CheckpointSigner signer);
  ~LedgerBackend() override;
  LedgerBackend(const LedgerBackend&) = delete;
  LedgerBackend& operator=(const LedgerBackend&) = delete;

  // ReceiptLog.
  Digest32 log_id() const override { return log_id_; }
  const std::string& origin() const override { return origin_; }
  [[nodiscard]] absl::StatusOr<uint64_t> Append(const AttestationLeaf321& leaf) override;
  [[nodiscard]] absl::StatusOr<uint64_t> FindRequest(const Digest32& request_id) const override;

  uint64_t Size() const { return store_->Size(); }
  // The checkpoint note verifier key (signed_note.h form); set once at start.
  const std::string& verifier_key() const { return verifier_key_; }
  void set_verifier_key(std::string key) { verifier_key_ = std::move(key); }
  // Signs and stores a checkpoint of the current tree (FailedPrecondition if
  // the log is empty). Returns the existing one when the size has not moved.
  [[nodiscard]] absl::StatusOr<ledger::IssuedCheckpoint> IssueCheckpoint();

  // The store, for the queries (ledger_queries.h) and the audit.
  const ledger::LogStore& store() const { return *store_; }
  // For the exporter thread, which writes its anchor records into the store's
  // `anchors` family; valid while the backend lives.
  ledger::LogStore* mutable_store() { return store_.get(); }

 private:
  LedgerBackend() = default;

  std::string origin_;
  std::string verifier_key_;
  Digest32 log_id_;
  std::unique_ptr<ledger::LogStore> store_;
  std::unique_ptr<ledger::Sequencer> sequencer_;
};

}  // namespace attestd::service
