// How the `attest` command-line tool is put together: each *_commands.cc
// defines the Add*Commands function for its group below, and attest_main.cc
// calls them in a fixed order (the order `attest --help` lists them). Shared
// helpers (TLS, the log key, input files) are cli_helpers.h.
//
// Exit codes, for every command:
//   0  success / verified
//   1  checked and NOT verified (the reason is printed on stderr)
//   2  usage or input error (bad flag, unreadable file, malformed input)
//
// Single-threaded: the app is built and run on main's thread.
#pragma once

#include <CLI/CLI.hpp>

#include "base/status.h"

namespace attestd::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitNotVerified = 1;
inline constexpr int kExitUsage = 2;

// Sets the process exit code from a subcommand's callback.
void SetExitCode(int code);

// Prints "attest: <message>" for an error status on stderr and sets exit code
// 1 for verification failures (Unauthenticated, DataLoss, FailedPrecondition
// from a verifier) or 2 otherwise. Returns the exit code it chose.
int ReportError(const absl::Status& status, bool is_verification = false);

// The command groups, in attest_main.cc's order.
void AddAnchorsCommands(CLI::App& app);   // anchors list|verify (export_commands.cc)
void AddBackupCommands(CLI::App& app);    // backup (backup_commands.cc)
void AddExportCommands(CLI::App& app);    // export (export_commands.cc)
void AddGenerateCommands(CLI::App& app);  // generate (generate_commands.cc)
void AddHealthCommands(CLI::App& app);    // health (health_commands.cc)
void AddKeyCommands(CLI::App& app);       // keygen, address (keys_commands.cc)
void AddLedgerCommands(CLI::App& app);    // ledger info|checkpoint|get|prove|consistency|audit|anchors
void AddLogKeyCommands(CLI::App& app);    // logkey generate|vkey (logkey_commands.cc)
void AddModelCommands(CLI::App& app);     // model digest|synth, run, and the model-digest alias
void AddProofCommands(CLI::App& app);     // proof verify inclusion|consistency (proof_commands.cc)
void AddReceiptCommands(CLI::App& app);   // receipt verify (receipt_commands.cc)

// `anchors list` and `ledger anchors` are one command under two groups:
// adds DATA_DIR and the callback to `list` (export_commands.cc).
void AddAnchorList(CLI::App* list);

}  // namespace attestd::cli
