// The anchor exporter: a state machine that puts the ledger's newest
// checkpoint root on chain (AnchorRegistry.anchor) in batches, and survives
// crashes, node outages and reorgs without sending an anchor twice or
// skipping one. docs/anchoring.md walks through the states.
//
// One Step():
//   1. If a record is pending (an intent written before its transaction was
//      sent): look for a receipt of its current or any earlier attempt;
//      confirm it once `confirmations` blocks deep, or mark it reverted. If
//      not mined: rebroadcast the identical signed bytes while the nonce is
//      still free; if the nonce was taken by another transaction (or the
//      node rejected it), re-sign with a fresh nonce, remembering the old
//      hash so its receipt is still found if it appears later.
//   2. Otherwise, re-check that the newest confirmed anchor's block is still
//      canonical; after a reorg it becomes pending again and is re-sent.
//   3. Otherwise, if the newest checkpoint is larger than everything anchored
//      (in the database or on chain) and either `every_leaves` new leaves or
//      `every_ms` have passed since the last anchor: estimate gas (a call
//      that would revert is refused here, before any fee is spent), choose
//      fees, sign, write the intent (synced), then send.
// At most one anchor is in flight, so nonce handling stays simple.
//
// Ownership: borrows the LogStore (must outlive the Exporter); owns the key.
// Thread safety: not thread safe; one thread drives it. The LogStore may be
// written by its Sequencer concurrently.
// Failure behaviour: Step() returns Unavailable when the node cannot be
// reached (retry later; nothing lost), FailedPrecondition for conditions an
// operator must fix (wrong chain id, insufficient funds, fee above cap, an
// anchor the contract refuses), DataLoss for a store that disagrees with
// itself. Run() retries the first kind with exponential backoff.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "attest/secp256k1_signer.h"
#include "chain/anchor_record.h"
#include "chain/eth_client.h"
#include "chain/fee_policy.h"
#include "ledger/log_store.h"

namespace attestd::chain {

struct ExporterConfig {
  std::string rpc_url;
  Address20 registry;
  uint64_t chain_id = 0;          // the node must report exactly this
  uint64_t confirmations = 2;     // blocks, counting the one that includes the tx
  uint64_t every_leaves = 1000;   // anchor once this many new leaves...
  int64_t every_ms = 600'000;     // ...or this long after the last anchor, whichever first
  FeeCaps fees;
  uint64_t gas_limit_cap = 300'000;
  int64_t poll_interval_ms = 1000;  // Run(): pause between steps
  int64_t max_backoff_ms = 30'000;  // Run(): ceiling of the retry backoff
  long rpc_timeout_ms = 15'000;     // NOLINT(runtime/int)
};

enum class StepOutcome {
  kIdle,                   // nothing due
  kSent,                   // a transaction was (re)broadcast
  kWaitingForReceipt,      // pending and not yet mined
  kWaitingConfirmations,   // mined, not yet deep enough
  kConfirmed,              // a pending anchor became confirmed
  kReorgDetected,          // the newest confirmed anchor left the canonical chain
};
std::string_view StepOutcomeName(StepOutcome outcome);

// The newest checkpoint as the exporter reads it from the store.
struct CheckpointRef {
  std::string origin;
  Digest32 log_id;  // SHA-256(origin)
  uint64_t size = 0;
  Digest32 root;
  std::string note;
};

// Splits a stored checkpoint note (attest/signed_note.h NoteText) and parses its body with
// ledger::ParseCheckpoint (no grammar of its own); DataLoss if either fails.
// Signatures are not checked here. The exporter also checks the root against
// the store's RootAt(size).
[[nodiscard]] absl::StatusOr<CheckpointRef> ParseCheckpointNote(const std::string& note);

class Exporter {
 public:
  using Logger = std::function<void(const std::string& line)>;

  // Validates the config (InvalidArgument: zero chain id, zero confirmations,
  // zero every_leaves). The store must be open kReadWrite.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Exporter>> Create(ExporterConfig config,
                                                                       ledger::LogStore* store, SecretKey32 key,
                                                                       Logger logger = nullptr);
  Exporter(const Exporter&) = delete;
  Exporter& operator=(const Exporter&) = delete;

  // Checks the node's chain id (once; later calls return the first result
  // unless it was Unavailable).
  [[nodiscard]] absl::Status CheckChain();
  // One step of the state machine (see the top of this file). now_ms: unix ms.
  [[nodiscard]] absl::StatusOr<StepOutcome> Step(int64_t now_ms);
  // Steps until `stop` is set, retrying transient failures with backoff.
  // Returns only for a wrong chain id (FailedPrecondition) or when stopped (OK).
  [[nodiscard]] absl::Status Run(const std::atomic<bool>& stop);
  // Anchors the newest checkpoint now, ignoring the batching thresholds, and
  // steps until it is confirmed or `timeout_ms` passes (DeadlineExceeded).
  // Returns the confirmed record (or the existing one if already anchored).
  // NotFound when the log has no checkpoint; AlreadyExists when the chain
  // already holds the newest checkpoint's size but this database has no
  // confirmed record of it (it was anchored from another copy).
  [[nodiscard]] absl::StatusOr<AnchorRecord> AnchorNewestAndWait(int64_t timeout_ms, const std::atomic<bool>& stop);

  const Address20& account() const { return from_; }
  AnchorLedger& records() { return records_; }

 private:
  Exporter(ExporterConfig config, ledger::LogStore* store, SecretKey32 key, Logger logger);

  [[nodiscard]] absl::StatusOr<StepOutcome> Advance(AnchorRecord& pending);
  [[nodiscard]] absl::StatusOr<StepOutcome> CheckReorg(AnchorRecord& newest_confirmed);
  [[nodiscard]] absl::StatusOr<std::optional<StepOutcome>> MaybeAnchor(int64_t now_ms, bool force);
  // Chooses nonce, fees and gas, signs, and fills the record's tx fields.
  [[nodiscard]] absl::Status SignAttempt(AnchorRecord& record);
  // Sends the record's raw bytes; interprets the node's refusals.
  [[nodiscard]] absl::StatusOr<StepOutcome> Broadcast(AnchorRecord& record);
  void Log(const std::string& line) const;

  ExporterConfig config_;
  ledger::LogStore* store_;
  SecretKey32 key_;
  Address20 from_;
  Logger logger_;
  EthClient eth_;
  AnchorLedger records_;
  std::optional<absl::Status> chain_check_;
};

}  // namespace attestd::chain
