// `attest ledger`: read, prove and audit a ledger database (docs/ledger.md).
//
//   attest ledger info DATA_DIR [--json]
//   attest ledger checkpoint DATA_DIR [--size N] [--json]
//   attest ledger checkpoint DATA_DIR --issue --log-key-file F [--origin O]
//   attest ledger get DATA_DIR --index I [--json]
//   attest ledger prove DATA_DIR --index I [--size N] [--json]
//   attest ledger consistency DATA_DIR --from M --to N [--json]
//   attest ledger audit DATA_DIR --log-key VKEY [--json]
//   attest ledger anchors DATA_DIR
//
// Read commands open the database as a RocksDB secondary, so they work on a
// live server's directory without disturbing it, and on a copy. Only
// `checkpoint --issue` opens it read-write (and so fails while a server runs).
// Exit codes: 0 ok / audit clean, 1 audit found a disagreement or the
// database is corrupt, 2 usage or input error.
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

#include "attest/ed25519.h"
#include "attest/signed_note.h"
#include "attest/sha256.h"
#include "ledger/audit.h"
#include "chain/anchor_record.h"
#include "ledger/checkpoint.h"
#include "ledger/checkpoint_signing.h"
#include "ledger/log_store.h"
#include "ledger/merkle_hash.h"
#include "ledger/sequencer.h"
#include "ledger/store_proofs.h"
#include "services/cli/cli_helpers.h"
#include "services/cli/commands.h"

namespace attestd::cli {
namespace {

using ledger::LogStore;
using ledger::LogStoreOptions;
using ledger::OpenMode;

struct LedgerFlags {
  std::string data_dir;
  bool json = false;
  uint64_t index = 0;
  uint64_t size = 0;
  uint64_t from = 0;
  uint64_t to = 0;
  bool issue = false;
  std::string log_key;
  std::string log_key_file;
  std::string origin;
  CLI::Option* size_option = nullptr;
};

// Corrupt data is a verification failure (exit 1); anything else is exit 2.
int Fail(const absl::Status& status) { return ReportError(status, absl::IsDataLoss(status)); }

absl::StatusOr<std::unique_ptr<LogStore>> OpenForReading(const std::string& dir, bool check_head = true) {
  LogStoreOptions options;
  options.mode = OpenMode::kSecondary;
  options.check_head = check_head;
  return LogStore::Open(dir, options);
}

void Print(const nlohmann::json& j) { std::cout << j.dump() << "\n"; }

absl::Status RunInfo(const LedgerFlags& f) {
  ASSIGN_OR_RETURN(auto store, OpenForReading(f.data_dir));
  ledger::LogHead head = store->Head();
  ASSIGN_OR_RETURN(Digest32 root, store->RootAt(head.size));
  ASSIGN_OR_RETURN(std::vector<uint64_t> checkpoints, store->CheckpointSizes());
  if (f.json) {
    Print({{"tree_size", head.size},
           {"root", HexEncode(root)},
           {"last_checkpoint_size", head.last_checkpoint_size},
           {"checkpoints", checkpoints.size()}});
  } else {
    std::cout << "tree size:            " << head.size << "\n"
              << "root:                 " << HexEncode(root) << "\n"
              << "last checkpoint size: " << head.last_checkpoint_size << "\n"
              << "checkpoints stored:   " << checkpoints.size() << "\n";
  }
  return absl::OkStatus();
}

absl::Status IssueCheckpoint(const LedgerFlags& f) {
  if (f.log_key_file.empty()) return absl::InvalidArgumentError("checkpoint --issue needs --log-key-file");
  ASSIGN_OR_RETURN(Ed25519PrivateKey key, Ed25519PrivateKey::LoadFile(f.log_key_file));
  LogStoreOptions options;
  options.create_if_missing = false;
  ASSIGN_OR_RETURN(auto store, LogStore::Open(f.data_dir, options));
  std::string origin = f.origin;
  if (origin.empty()) {
    // Keep the origin the log already signs under.
    absl::StatusOr<std::string> latest = store->LatestCheckpoint();
    if (!latest.ok()) return absl::InvalidArgumentError("checkpoint --issue: no checkpoint yet; give --origin");
    ASSIGN_OR_RETURN(ParsedNote note, ParseNote(*latest));
    ASSIGN_OR_RETURN(ledger::Checkpoint previous, ledger::ParseCheckpoint(note.text));
    origin = previous.origin;
  }
  auto shared_key = std::make_shared<const Ed25519PrivateKey>(std::move(key));
  ASSIGN_OR_RETURN(auto sequencer, ledger::Sequencer::Start(store.get(), ledger::MakeCheckpointSigner(origin, shared_key)));
  ASSIGN_OR_RETURN(ledger::IssuedCheckpoint issued, sequencer->IssueCheckpoint());
  std::cout << issued.note;
  return absl::OkStatus();
}

absl::Status RunCheckpoint(const LedgerFlags& f) {
  if (f.issue) return IssueCheckpoint(f);
  ASSIGN_OR_RETURN(auto store, OpenForReading(f.data_dir));
  uint64_t size = f.size_option->count() > 0 ? f.size : store->Head().last_checkpoint_size;
  if (size == 0) {
    return absl::NotFoundError(f.size_option->count() > 0 ? "no checkpoint at size 0 (size 0 is not allowed)"
                                                          : "no checkpoint has been issued");
  }
  ASSIGN_OR_RETURN(std::string note, store->GetCheckpoint(size));
  if (f.json) {
    ASSIGN_OR_RETURN(Digest32 root, store->RootAt(size));
    Print({{"tree_size", size}, {"root", HexEncode(root)}, {"note", note}});
  } else {
    std::cout << note;
  }
  return absl::OkStatus();
}

absl::Status RunGet(const LedgerFlags& f) {
  ASSIGN_OR_RETURN(auto store, OpenForReading(f.data_dir));
  ASSIGN_OR_RETURN(Bytes leaf, store->GetLeaf(f.index));
  Digest32 leaf_hash = ledger::HashLeaf(leaf);
  if (f.json) {
    Print({{"index", f.index}, {"leaf", HexEncode(leaf)}, {"leaf_hash", HexEncode(leaf_hash)}});
  } else {
    std::cout << HexEncode(leaf) << "\n";
  }
  return absl::OkStatus();
}

void PrintHashes(const std::vector<Digest32>& proof) {
  for (const Digest32& h : proof) std::cout << "  " << HexEncode(h) << "\n";
}

absl::Status RunProve(const LedgerFlags& f) {
  ASSIGN_OR_RETURN(auto store, OpenForReading(f.data_dir));
  uint64_t size = f.size_option->count() > 0 ? f.size : store->Size();
  ASSIGN_OR_RETURN(ledger::InclusionProofRecord record, ledger::ProveInclusion(*store, f.index, size));
  if (f.json) {
    std::cout << ledger::InclusionProofToJson(record) << "\n";
  } else {
    std::cout << "leaf " << record.index << " in tree size " << record.tree_size << "\n"
              << "leaf hash: " << HexEncode(record.leaf_hash) << "\n"
              << "root:      " << HexEncode(record.root) << "\n"
              << "proof (" << record.proof.size() << " hashes):\n";
    PrintHashes(record.proof);
  }
  return absl::OkStatus();
}

absl::Status RunConsistency(const LedgerFlags& f) {
  ASSIGN_OR_RETURN(auto store, OpenForReading(f.data_dir));
  ASSIGN_OR_RETURN(ledger::ConsistencyProofRecord record, ledger::ProveConsistency(*store, f.from, f.to));
  if (f.json) {
    std::cout << ledger::ConsistencyProofToJson(record) << "\n";
  } else {
    std::cout << "tree size " << record.from << " -> " << record.to << "\n"
              << "root " << record.from << ": " << HexEncode(record.root_from) << "\n"
              << "root " << record.to << ": " << HexEncode(record.root_to) << "\n"
              << "proof (" << record.proof.size() << " hashes):\n";
    PrintHashes(record.proof);
  }
  return absl::OkStatus();
}

// Returns the exit code: 0 clean, 1 a disagreement, 2 usage.
int RunAudit(const LedgerFlags& f) {
  absl::StatusOr<NoteVerifierKey> vkey = LoadLogKey(f.log_key);
  if (!vkey.ok()) return ReportError(vkey.status());
  absl::StatusOr<std::unique_ptr<LogStore>> store = OpenForReading(f.data_dir, /*check_head=*/false);
  if (!store.ok()) return Fail(store.status());
  // The exporter's anchor records keep the roots it sent to the chain; each
  // must be the log's root at its size, under this log's id.
  chain::AnchorLedger anchors(**store);
  absl::StatusOr<std::vector<chain::AnchorRecord>> records = anchors.List();
  if (!records.ok()) {
    std::cerr << "attest: audit FAILED: anchor records: " << records.status().message() << "\n";
    return absl::IsDataLoss(records.status()) ? kExitNotVerified : Fail(records.status());
  }
  const Digest32 log_id = Sha256(vkey->name);
  std::vector<ledger::StoredRoot> anchored_roots;
  for (const chain::AnchorRecord& record : *records) {
    if (record.log_id != log_id) {
      std::cerr << "attest: audit FAILED: anchor record at size " << record.tree_size << " names logId "
                << HexEncode(record.log_id) << ", want SHA-256(\"" << vkey->name << "\") " << HexEncode(log_id) << "\n";
      return kExitNotVerified;
    }
    anchored_roots.push_back({record.tree_size, record.root, "anchor record"});
  }
  absl::StatusOr<ledger::AuditReport> report =
      ledger::AuditLog(**store, ledger::MakeCheckpointVerifier(vkey->name, {*vkey}), std::move(anchored_roots));
  if (!report.ok()) return Fail(report.status());
  if (f.json) {
    nlohmann::json j = {{"ok", report->ok()},
                        {"tree_size", report->head_size},
                        {"leaves_checked", report->leaves_checked},
                        {"nodes_checked", report->nodes_checked},
                        {"checkpoints_checked", report->checkpoints_checked},
                        {"anchor_roots_checked", report->stored_roots_checked}};
    if (!report->ok()) {
      j["first_bad_index"] = report->first_problem->index;
      j["problem"] = report->first_problem->what;
    }
    Print(j);
  } else {
    std::cout << "leaves checked:      " << report->leaves_checked << "\n"
              << "subtree hashes:      " << report->nodes_checked << "\n"
              << "checkpoints checked: " << report->checkpoints_checked << "\n"
              << "anchor roots:        " << report->stored_roots_checked << "\n";
    if (report->ok()) std::cout << "audit OK: tree size " << report->head_size << "\n";
  }
  if (!report->ok()) {
    std::cerr << "attest: audit FAILED at index " << report->first_problem->index << ": "
              << report->first_problem->what << "\n";
    return kExitNotVerified;
  }
  return kExitOk;
}

// Wraps a Status-returning command into the exit-code convention.
std::function<void()> Runner(std::shared_ptr<LedgerFlags> flags, absl::Status (*run)(const LedgerFlags&)) {
  return [flags, run] {
    absl::Status status = run(*flags);
    SetExitCode(status.ok() ? kExitOk : Fail(status));
  };
}

void AddDataDir(CLI::App* cmd, LedgerFlags& f, bool json = true) {
  cmd->add_option("DATA_DIR", f.data_dir, "ledger database directory (live or a copy)")->required();
  if (json) cmd->add_flag("--json", f.json, "print JSON");
}

}  // namespace

void AddLedgerCommands(CLI::App& app) {
  CLI::App* ledger_cmd = app.add_subcommand("ledger", "Read, prove and audit the ledger database");
  ledger_cmd->require_subcommand(1);

  auto info = std::make_shared<LedgerFlags>();
  CLI::App* info_cmd = ledger_cmd->add_subcommand("info", "Tree size, root and checkpoints");
  AddDataDir(info_cmd, *info);
  info_cmd->callback(Runner(info, RunInfo));

  auto cp = std::make_shared<LedgerFlags>();
  CLI::App* cp_cmd = ledger_cmd->add_subcommand("checkpoint", "Print a stored signed checkpoint (or issue one)");
  AddDataDir(cp_cmd, *cp);
  cp->size_option = cp_cmd->add_option("--size", cp->size, "tree size of the checkpoint (default: the newest)");
  cp_cmd->add_flag("--issue", cp->issue, "sign and store a checkpoint of the current tree (server must be stopped)");
  cp_cmd->add_option("--log-key-file", cp->log_key_file, "with --issue: the log's Ed25519 key file (mode 0600)");
  cp_cmd->add_option("--origin", cp->origin, "with --issue: the log origin (default: the last checkpoint's)");
  cp_cmd->callback(Runner(cp, RunCheckpoint));

  auto get = std::make_shared<LedgerFlags>();
  CLI::App* get_cmd = ledger_cmd->add_subcommand("get", "Print the 321-byte leaf at an index (hex)");
  AddDataDir(get_cmd, *get);
  get_cmd->add_option("--index", get->index, "leaf index")->required();
  get_cmd->callback(Runner(get, RunGet));

  auto prove = std::make_shared<LedgerFlags>();
  CLI::App* prove_cmd = ledger_cmd->add_subcommand("prove", "Inclusion proof of a leaf (RFC 9162)");
  AddDataDir(prove_cmd, *prove);
  prove_cmd->add_option("--index", prove->index, "leaf index")->required();
  prove->size_option = prove_cmd->add_option("--size", prove->size, "tree size (default: the current size)");
  prove_cmd->callback(Runner(prove, RunProve));

  auto cons = std::make_shared<LedgerFlags>();
  CLI::App* cons_cmd = ledger_cmd->add_subcommand("consistency", "Consistency proof between two tree sizes");
  AddDataDir(cons_cmd, *cons);
  cons_cmd->add_option("--from", cons->from, "older tree size (>= 1)")->required();
  cons_cmd->add_option("--to", cons->to, "newer tree size")->required();
  cons_cmd->callback(Runner(cons, RunConsistency));

  auto audit = std::make_shared<LedgerFlags>();
  CLI::App* audit_cmd = ledger_cmd->add_subcommand(
      "audit", "Recompute every leaf and subtree hash and every checkpoint root (exit 1 on any disagreement)");
  AddDataDir(audit_cmd, *audit);
  audit_cmd->add_option("--log-key", audit->log_key, "the log's C2SP note verifier key (name+hash+base64), or a file holding it")
      ->required();
  audit_cmd->callback([audit] { SetExitCode(RunAudit(*audit)); });

  AddAnchorList(ledger_cmd->add_subcommand("anchors", "Print the anchor records (attest anchors list)"));
}

}  // namespace attestd::cli
