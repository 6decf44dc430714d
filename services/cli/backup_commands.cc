// `attest backup`: a consistent copy of a ledger database, live or stopped.
//
//   attest backup DATA_DIR OUT_DIR [--json]
//
// Opens DATA_DIR as a RocksDB secondary (so a running attestd keeps its lock
// and is not paused), catches up with the primary and writes a RocksDB
// checkpoint into OUT_DIR: table files are hard-linked when OUT_DIR is on the
// same filesystem (copied otherwise), the manifest and write-ahead log are
// copied. The copy is a point-in-time prefix of the log: the ledger writes
// leaves, nodes, checkpoint and head of a group as one synced batch, so
// reopening the copy replays whole groups only. The copy is then opened
// read-only, which runs the ledger's recovery checks (docs/ledger.md), and
// its tree size and root are printed. A copy that fails those checks is
// removed. Verify the signatures with `attest ledger audit OUT_DIR --log-key`.
//
// OUT_DIR must not exist; its parent must. Exit codes: 0 a verified copy,
// 1 the copy failed the recovery checks (removed), 2 usage or I/O error.
#include <rocksdb/db.h>
#include <rocksdb/utilities/checkpoint.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <memory>

#include "ledger/log_store.h"
#include "services/cli/commands.h"

namespace attestd::cli {
namespace {

struct BackupFlags {
  std::string data_dir;
  std::string out_dir;
  bool json = false;
};

struct BackupResult {
  uint64_t tree_size = 0;
  Digest32 root;
  std::string last_checkpoint;  // the newest signed note in the copy, or empty
};

// A compaction in the live primary may delete a table file between the
// secondary's catch-up and the link; another catch-up sees the new files.
constexpr int kCheckpointAttempts = 3;

absl::Status WriteCheckpoint(ledger::LogStore& store, const std::string& out_dir) {
  rocksdb::Status last;
  for (int attempt = 0; attempt < kCheckpointAttempts; ++attempt) {
    RETURN_IF_ERROR(store.CatchUp());
    rocksdb::Checkpoint* raw = nullptr;
    last = rocksdb::Checkpoint::Create(store.raw_db(), &raw);
    if (!last.ok()) break;
    std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
    last = checkpoint->CreateCheckpoint(out_dir);
    if (last.ok()) return absl::OkStatus();
  }
  return absl::InternalError("backup: checkpoint of " + store.dir() + " into " + out_dir + " failed after " +
                             std::to_string(kCheckpointAttempts) + " attempts: " + last.ToString());
}

absl::StatusOr<BackupResult> VerifyCopy(const std::string& out_dir) {
  ledger::LogStoreOptions options;
  options.mode = ledger::OpenMode::kReadOnly;
  ASSIGN_OR_RETURN(std::unique_ptr<ledger::LogStore> copy, ledger::LogStore::Open(out_dir, options));
  BackupResult result;
  result.tree_size = copy->Size();
  ASSIGN_OR_RETURN(result.root, copy->RootAt(result.tree_size));
  absl::StatusOr<std::string> note = copy->LatestCheckpoint();
  if (note.ok()) {
    result.last_checkpoint = *note;
  } else if (!absl::IsNotFound(note.status())) {
    return note.status();
  }
  return result;
}

int RunBackup(const BackupFlags& f) {
  std::error_code ec;
  if (std::filesystem::exists(f.out_dir, ec)) {
    return ReportError(absl::AlreadyExistsError("backup: " + f.out_dir + " exists; want a new directory"));
  }
  ledger::LogStoreOptions options;
  options.mode = ledger::OpenMode::kSecondary;
  absl::StatusOr<std::unique_ptr<ledger::LogStore>> store = ledger::LogStore::Open(f.data_dir, options);
  if (!store.ok()) return ReportError(store.status(), absl::IsDataLoss(store.status()));
  if (absl::Status s = WriteCheckpoint(**store, f.out_dir); !s.ok()) return ReportError(s);
  store->reset();

  absl::StatusOr<BackupResult> result = VerifyCopy(f.out_dir);
  if (!result.ok()) {
    std::filesystem::remove_all(f.out_dir, ec);
    return ReportError(absl::DataLossError("backup: the copy in " + f.out_dir +
                                           " failed the recovery checks and was removed: " +
                                           std::string(result.status().message())),
                       /*is_verification=*/true);
  }
  const std::string root_hex = HexEncode(result->root);
  if (f.json) {
    nlohmann::json j = {{"ok", true},
                        {"out_dir", f.out_dir},
                        {"tree_size", result->tree_size},
                        {"root", root_hex},
                        {"last_checkpoint", result->last_checkpoint}};
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "backup OK: " << f.out_dir << " tree size " << result->tree_size << " root " << root_hex << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddBackupCommands(CLI::App& app) {
  auto flags = std::make_shared<BackupFlags>();
  CLI::App* cmd = app.add_subcommand(
      "backup", "Consistent copy of a ledger database (live or stopped) as a RocksDB checkpoint, checked on reopen");
  cmd->add_option("DATA_DIR", flags->data_dir, "ledger database directory (a running server's is fine)")->required();
  cmd->add_option("OUT_DIR", flags->out_dir, "new directory for the copy (must not exist)")->required();
  cmd->add_flag("--json", flags->json, "print JSON");
  cmd->callback([flags] { SetExitCode(RunBackup(*flags)); });
}

}  // namespace attestd::cli
