#include "chain/exporter.h"

#include <algorithm>
#include <cctype>
#include <iostream>
#include <thread>

#include "chain/eip1559_tx.h"
#include "chain/registry_abi.h"
#include "ledger/checkpoint.h"

namespace attestd::chain {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The node's refusals, as the common clients word them (geth, hardhat, anvil).
bool SaysNonceTooLow(std::string_view message) { return Lower(message).find("nonce too low") != std::string::npos; }
bool SaysNonceTooHigh(std::string_view message) { return Lower(message).find("nonce too high") != std::string::npos; }
bool SaysAlreadyKnown(std::string_view message) {
  std::string m = Lower(message);
  return m.find("already known") != std::string::npos || m.find("known transaction") != std::string::npos;
}
bool SaysInsufficientFunds(std::string_view message) {
  std::string m = Lower(message);
  return m.find("insufficient funds") != std::string::npos || m.find("enough funds") != std::string::npos;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SleepUnlessStopped(int64_t ms, const std::atomic<bool>& stop) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!stop.load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(ms, 50)));
  }
}

}  // namespace

std::string_view StepOutcomeName(StepOutcome outcome) {
  switch (outcome) {
    case StepOutcome::kIdle: return "idle";
    case StepOutcome::kSent: return "sent";
    case StepOutcome::kWaitingForReceipt: return "waiting for receipt";
    case StepOutcome::kWaitingConfirmations: return "waiting for confirmations";
    case StepOutcome::kConfirmed: return "confirmed";
    case StepOutcome::kReorgDetected: return "reorg detected";
  }
  return "unknown";
}

absl::StatusOr<CheckpointRef> ParseCheckpointNote(const std::string& note) {
  // The body is the note's text; its grammar is ledger/checkpoint.h's.
  // Signatures are the ledger's concern.
  absl::StatusOr<std::string_view> body = NoteText(note);
  if (!body.ok()) return absl::DataLossError("checkpoint: no blank line before the signatures");
  auto parsed = ledger::ParseCheckpoint(*body);
  if (!parsed.ok()) return absl::DataLossError("checkpoint: " + std::string(parsed.status().message()));
  CheckpointRef out;
  out.origin = parsed->origin;
  out.size = parsed->size;
  out.root = parsed->root;
  out.log_id = ledger::LogIdOf(out.origin);
  out.note = note;
  return out;
}

Exporter::Exporter(ExporterConfig config, ledger::LogStore* store, SecretKey32 key, Logger logger)
    : config_(std::move(config)),
      store_(store),
      key_(std::move(key)),
      from_(AddressOf(key_)),
      logger_(std::move(logger)),
      eth_(JsonRpcOptions{config_.rpc_url, 2000, config_.rpc_timeout_ms}),
      records_(store->raw_db(), store->anchors_family()) {}

absl::StatusOr<std::unique_ptr<Exporter>> Exporter::Create(ExporterConfig config, ledger::LogStore* store,
                                                           SecretKey32 key, Logger logger) {
  if (store == nullptr) return absl::InvalidArgumentError("exporter: no log store");
  if (store->mode() != ledger::OpenMode::kReadWrite) {
    return absl::FailedPreconditionError("exporter: the log store must be open read-write to record anchors");
  }
  if (config.chain_id == 0) return absl::InvalidArgumentError("exporter: chain id 0; want the chain's id (e.g. 1)");
  if (config.confirmations == 0) return absl::InvalidArgumentError("exporter: confirmations 0; want at least 1");
  if (config.every_leaves == 0) return absl::InvalidArgumentError("exporter: every_leaves 0; want at least 1");
  if (config.rpc_url.empty()) return absl::InvalidArgumentError("exporter: no JSON-RPC URL");
  return std::unique_ptr<Exporter>(new Exporter(std::move(config), store, std::move(key), std::move(logger)));
}

void Exporter::Log(const std::string& line) const {
  if (logger_) logger_(line);
}

absl::Status Exporter::CheckChain() {
  if (chain_check_.has_value()) return *chain_check_;
  auto chain_id = eth_.ChainId();
  if (!chain_id.ok()) return chain_id.status();  // Unavailable: not remembered, retried
  if (*chain_id != config_.chain_id) {
    chain_check_ = absl::FailedPreconditionError("exporter: node at " + config_.rpc_url + " reports chain id " +
                                                 std::to_string(*chain_id) + ", config wants " +
                                                 std::to_string(config_.chain_id) + "; nothing sent");
  } else {
    chain_check_ = absl::OkStatus();
  }
  return *chain_check_;
}

absl::StatusOr<StepOutcome> Exporter::Step(int64_t now_ms) {
  RETURN_IF_ERROR(CheckChain());
  ASSIGN_OR_RETURN(std::vector<AnchorRecord> all, records_.List());
  for (AnchorRecord& record : all) {
    if (record.state != AnchorState::kPending) continue;
    if (record.chain_id != config_.chain_id || record.registry != config_.registry) {
      return absl::FailedPreconditionError("exporter: pending anchor of size " + std::to_string(record.tree_size) +
                                           " was for chain " + std::to_string(record.chain_id) + " registry " +
                                           Hex0x(record.registry.span()) + "; config says chain " +
                                           std::to_string(config_.chain_id) + " registry " +
                                           Hex0x(config_.registry.span()));
    }
    return Advance(record);
  }
  auto newest_confirmed = std::find_if(all.rbegin(), all.rend(), [&](const AnchorRecord& r) {
    return r.state == AnchorState::kConfirmed && r.chain_id == config_.chain_id && r.registry == config_.registry;
  });
  if (newest_confirmed != all.rend()) {
    ASSIGN_OR_RETURN(StepOutcome outcome, CheckReorg(*newest_confirmed));
    if (outcome != StepOutcome::kIdle) return outcome;
  }
  ASSIGN_OR_RETURN(std::optional<StepOutcome> sent, MaybeAnchor(now_ms, /*force=*/false));
  return sent.value_or(StepOutcome::kIdle);
}

absl::StatusOr<StepOutcome> Exporter::Advance(AnchorRecord& record) {
  // Any attempt may be the one that got mined: the current one or one we
  // replaced after its nonce looked taken.
  std::vector<Digest32> attempts = record.earlier_tx_hashes;
  attempts.push_back(record.tx_hash);
  for (auto it = attempts.rbegin(); it != attempts.rend(); ++it) {
    ASSIGN_OR_RETURN(std::optional<TxReceipt> receipt, eth_.GetReceipt(*it));
    if (!receipt.has_value()) continue;
    ASSIGN_OR_RETURN(uint64_t head, eth_.BlockNumber());
    const uint64_t depth = head >= receipt->block_number ? head - receipt->block_number + 1 : 0;
    if (depth < config_.confirmations) return StepOutcome::kWaitingConfirmations;
    record.tx_hash = *it;
    record.block_number = receipt->block_number;
    record.block_hash = receipt->block_hash;
    record.gas_used = receipt->gas_used;
    record.effective_gas_price = receipt->effective_gas_price;
    if (!receipt->success) {
      record.state = AnchorState::kReverted;
      record.last_error = "reverted in block " + std::to_string(receipt->block_number);
      RETURN_IF_ERROR(records_.Put(record));
      return absl::FailedPreconditionError("exporter: anchor of size " + std::to_string(record.tree_size) + " tx " +
                                           Hex0x(it->span()) + " reverted in block " +
                                           std::to_string(receipt->block_number));
    }
    record.state = AnchorState::kConfirmed;
    record.last_error.clear();
    RETURN_IF_ERROR(records_.Put(record));
    Log("anchored size " + std::to_string(record.tree_size) + " tx " + Hex0x(record.tx_hash.span()) + " block " +
        std::to_string(record.block_number) + " gas " + std::to_string(record.gas_used));
    return StepOutcome::kConfirmed;
  }
  ASSIGN_OR_RETURN(bool known, eth_.KnowsTransaction(record.tx_hash));
  if (known) return StepOutcome::kWaitingForReceipt;
  // Unknown to the node and not mined: the intent never left, the node lost
  // it (restart), or another transaction took its nonce.
  ASSIGN_OR_RETURN(uint64_t mined_nonce, eth_.TransactionCount(from_, "latest"));
  ASSIGN_OR_RETURN(uint64_t pending_nonce, eth_.TransactionCount(from_, "pending"));
  if (mined_nonce > record.nonce || pending_nonce < record.nonce) {
    // Taken (mined by someone else) or unreachable (a gap the node will not
    // fill): re-sign with a fresh nonce; the old hash stays on the watch list.
    Log("nonce " + std::to_string(record.nonce) + " of size " + std::to_string(record.tree_size) +
        " is no longer usable (mined nonce " + std::to_string(mined_nonce) + ", pending " +
        std::to_string(pending_nonce) + "); re-signing");
    record.earlier_tx_hashes.push_back(record.tx_hash);
    RETURN_IF_ERROR(SignAttempt(record));
    RETURN_IF_ERROR(records_.Put(record));
  }
  return Broadcast(record);
}

absl::StatusOr<StepOutcome> Exporter::CheckReorg(AnchorRecord& record) {
  ASSIGN_OR_RETURN(std::optional<Digest32> canonical, eth_.BlockHashAt(record.block_number));
  if (canonical.has_value() && *canonical == record.block_hash) return StepOutcome::kIdle;
  // The block we recorded is gone. If the transaction made it into the new
  // branch, just move the record; otherwise it is pending again and re-sent.
  ASSIGN_OR_RETURN(std::optional<TxReceipt> receipt, eth_.GetReceipt(record.tx_hash));
  if (receipt.has_value() && receipt->success) {
    record.block_number = receipt->block_number;
    record.block_hash = receipt->block_hash;
    RETURN_IF_ERROR(records_.Put(record));
    Log("reorg: anchor of size " + std::to_string(record.tree_size) + " moved to block " +
        std::to_string(record.block_number));
    return StepOutcome::kReorgDetected;
  }
  Log("reorg: block " + std::to_string(record.block_number) + " holding the anchor of size " +
      std::to_string(record.tree_size) + " is no longer canonical; re-sending");
  record.state = AnchorState::kPending;
  record.last_error = "reorged out of block " + std::to_string(record.block_number);
  record.block_number = 0;
  record.block_hash = Digest32();
  RETURN_IF_ERROR(records_.Put(record));
  return StepOutcome::kReorgDetected;
}

absl::StatusOr<std::optional<StepOutcome>> Exporter::MaybeAnchor(int64_t now_ms, bool force) {
  auto note = store_->LatestCheckpoint();
  if (absl::IsNotFound(note.status())) return std::optional<StepOutcome>();
  if (!note.ok()) return note.status();
  ASSIGN_OR_RETURN(CheckpointRef checkpoint, ParseCheckpointNote(*note));
  ASSIGN_OR_RETURN(Digest32 stored_root, store_->RootAt(checkpoint.size));
  if (stored_root != checkpoint.root) {
    return absl::DataLossError("exporter: checkpoint at size " + std::to_string(checkpoint.size) + " says root " +
                               HexEncode(checkpoint.root) + ", the stored tree gives " + HexEncode(stored_root));
  }
  ASSIGN_OR_RETURN(std::vector<AnchorRecord> all, records_.List());
  uint64_t anchored_size = 0;
  int64_t last_anchor_ms = 0;
  for (const AnchorRecord& r : all) {
    if (r.state == AnchorState::kReverted || r.log_id != checkpoint.log_id) continue;
    anchored_size = std::max(anchored_size, r.tree_size);
    last_anchor_ms = std::max(last_anchor_ms, r.created_at_ms);
  }
  // The chain is the authority on what is anchored (the database may be a
  // restored copy): never send a size it already holds.
  ASSIGN_OR_RETURN(Bytes latest_data, eth_.Call(config_.registry, EncodeLatestCall(checkpoint.log_id)));
  ASSIGN_OR_RETURN(LatestAnchor on_chain, DecodeLatestResult(latest_data));
  anchored_size = std::max(anchored_size, on_chain.tree_size);
  if (checkpoint.size <= anchored_size) return std::optional<StepOutcome>();
  const bool due = force || checkpoint.size - anchored_size >= config_.every_leaves ||
                   now_ms - last_anchor_ms >= config_.every_ms;
  if (!due) return std::optional<StepOutcome>();

  AnchorRecord record;
  record.tree_size = checkpoint.size;
  record.root = checkpoint.root;
  record.log_id = checkpoint.log_id;
  record.state = AnchorState::kPending;
  record.chain_id = config_.chain_id;
  record.registry = config_.registry;
  record.from = from_;
  record.created_at_ms = now_ms;
  RETURN_IF_ERROR(SignAttempt(record));
  // The intent is durable before the transaction exists anywhere else.
  RETURN_IF_ERROR(records_.Put(record));
  Log("anchoring size " + std::to_string(record.tree_size) + " root " + HexEncode(record.root) + " nonce " +
      std::to_string(record.nonce) + " tx " + Hex0x(record.tx_hash.span()));
  ASSIGN_OR_RETURN(StepOutcome outcome, Broadcast(record));
  return std::optional<StepOutcome>(outcome);
}

absl::Status Exporter::SignAttempt(AnchorRecord& record) {
  const Bytes calldata = EncodeAnchorCall(record.log_id, record.tree_size, record.root);
  auto gas = eth_.EstimateGas(from_, config_.registry, calldata);
  if (!gas.ok()) {
    if (absl::IsUnavailable(gas.status())) return gas.status();
    return absl::FailedPreconditionError("exporter: the registry would refuse the anchor of size " +
                                         std::to_string(record.tree_size) + " from " + ToChecksumAddress(from_) +
                                         ": " + std::string(gas.status().message()));
  }
  const uint64_t gas_limit = std::min(*gas + *gas / 5, config_.gas_limit_cap);
  if (*gas > gas_limit) {
    return absl::FailedPreconditionError("exporter: anchor needs " + std::to_string(*gas) + " gas, cap is " +
                                         std::to_string(config_.gas_limit_cap));
  }
  ASSIGN_OR_RETURN(FeeHistory history, eth_.GetFeeHistory(5, 50.0));
  std::optional<uint64_t> suggested_tip;
  auto tip = eth_.MaxPriorityFeePerGas();
  if (tip.ok()) suggested_tip = *tip;
  else if (absl::IsUnavailable(tip.status())) return tip.status();
  ASSIGN_OR_RETURN(Fees fees, ChooseFees(history.next_base_fee, suggested_tip, history.rewards, config_.fees));
  ASSIGN_OR_RETURN(uint64_t nonce, eth_.TransactionCount(from_, "pending"));

  Eip1559Tx tx;
  tx.chain_id = config_.chain_id;
  tx.nonce = nonce;
  tx.max_priority_fee_per_gas = fees.max_priority_fee_per_gas;
  tx.max_fee_per_gas = fees.max_fee_per_gas;
  tx.gas_limit = gas_limit;
  tx.to = config_.registry;
  tx.data = calldata;
  SignedTx signed_tx = SignEip1559(tx, key_);
  record.nonce = nonce;
  record.tx_hash = signed_tx.hash;
  record.raw_tx = std::move(signed_tx.raw);
  return absl::OkStatus();
}

absl::StatusOr<StepOutcome> Exporter::Broadcast(AnchorRecord& record) {
  auto sent = eth_.SendRawTransaction(record.raw_tx);
  if (sent.ok()) {
    if (*sent != record.tx_hash) {
      return absl::InternalError("exporter: node reports tx hash " + Hex0x(sent->span()) + ", we computed " +
                                 Hex0x(record.tx_hash.span()));
    }
    return StepOutcome::kSent;
  }
  const absl::Status& error = sent.status();
  if (absl::IsUnavailable(error)) return error;  // nothing known to have left; retried
  const std::string message(error.message());
  if (SaysAlreadyKnown(message)) return StepOutcome::kWaitingForReceipt;
  if (SaysNonceTooLow(message) || SaysNonceTooHigh(message)) {
    // The next Advance() sees the nonce taken (or a gap) and re-signs.
    record.last_error = "nonce " + std::to_string(record.nonce) + " rejected: " + message;
    RETURN_IF_ERROR(records_.Put(record));
    Log("exporter: " + record.last_error + "; will resync the nonce");
    return StepOutcome::kWaitingForReceipt;
  }
  record.last_error = message;
  RETURN_IF_ERROR(records_.Put(record));
  if (SaysInsufficientFunds(message)) {
    return absl::FailedPreconditionError("exporter: account " + ToChecksumAddress(from_) +
                                         " has insufficient funds for the anchor of size " +
                                         std::to_string(record.tree_size) + " (intent kept, will retry): " + message);
  }
  return absl::FailedPreconditionError("exporter: node refused the anchor of size " +
                                       std::to_string(record.tree_size) + ": " + message);
}

absl::Status Exporter::Run(const std::atomic<bool>& stop) {
  int64_t backoff = config_.poll_interval_ms;
  while (!stop.load()) {
    auto outcome = Step(NowMs());
    if (outcome.ok()) {
      backoff = config_.poll_interval_ms;
    } else {
      if (chain_check_.has_value() && !chain_check_->ok()) return *chain_check_;
      backoff = std::min(backoff * 2, config_.max_backoff_ms);
      Log(std::string(outcome.status().message()) + "; retrying in " + std::to_string(backoff) + " ms");
    }
    SleepUnlessStopped(backoff, stop);
  }
  return absl::OkStatus();
}

absl::StatusOr<AnchorRecord> Exporter::AnchorNewestAndWait(int64_t timeout_ms, const std::atomic<bool>& stop) {
  const int64_t deadline = NowMs() + timeout_ms;
  int64_t backoff = config_.poll_interval_ms;
  absl::Status last = absl::OkStatus();
  bool forced = false;
  while (!stop.load() && NowMs() < deadline) {
    absl::StatusOr<StepOutcome> outcome = StepOutcome::kIdle;
    if (!forced) {
      // First settle anything pending from an earlier run, then force one anchor.
      outcome = Step(NowMs());
      if (outcome.ok() && *outcome == StepOutcome::kIdle) {
        auto forced_outcome = MaybeAnchor(NowMs(), /*force=*/true);
        if (forced_outcome.ok()) {
          forced = true;
          outcome = forced_outcome->value_or(StepOutcome::kIdle);
        } else {
          outcome = forced_outcome.status();
        }
      }
    } else {
      outcome = Step(NowMs());
    }
    if (!outcome.ok()) {
      last = outcome.status();
      if (chain_check_.has_value() && !chain_check_->ok()) return *chain_check_;
      if (!absl::IsUnavailable(last)) return last;
      backoff = std::min(backoff * 2, config_.max_backoff_ms);
      Log(std::string(last.message()) + "; retrying in " + std::to_string(backoff) + " ms");
    } else {
      backoff = config_.poll_interval_ms;
      if (forced && *outcome == StepOutcome::kIdle) {
        // Nothing pending any more: the newest record is the answer.
        ASSIGN_OR_RETURN(std::vector<AnchorRecord> all, records_.List());
        for (auto it = all.rbegin(); it != all.rend(); ++it) {
          if (it->state == AnchorState::kConfirmed) return *it;
        }
        // No record here, yet nothing was due: either there is no checkpoint,
        // or the chain already holds this size (anchored from another copy
        // of the database, e.g. a backup the operator exported from).
        auto note = store_->LatestCheckpoint();
        if (absl::IsNotFound(note.status())) {
          return absl::NotFoundError("exporter: nothing anchored: the log has no checkpoint yet");
        }
        return absl::AlreadyExistsError(
            "exporter: nothing new is due: the newest checkpoint is already anchored on chain");
      }
    }
    SleepUnlessStopped(backoff, stop);
  }
  if (stop.load()) return absl::CancelledError("exporter: stopped before the anchor was confirmed");
  return absl::DeadlineExceededError("exporter: anchor not confirmed within " + std::to_string(timeout_ms) +
                                     " ms" + (last.ok() ? "" : ": " + std::string(last.message())));
}

}  // namespace attestd::chain
