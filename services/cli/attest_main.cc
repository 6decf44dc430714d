// `attest`: the command-line tool for operators, clients and auditors.
// Command groups live in services/cli/*_commands.cc (see commands.h).
#include <iostream>

#include "attest/key_source.h"
#include "services/cli/commands.h"

namespace attestd::cli {
namespace {

int g_exit_code = kExitOk;

// Every group, in the order `attest --help` lists them.
void AddAllCommands(CLI::App& app) {
  AddAnchorsCommands(app);
  AddBackupCommands(app);
  AddExportCommands(app);
  AddGenerateCommands(app);
  AddHealthCommands(app);
  AddKeyCommands(app);
  AddLedgerCommands(app);
  AddLogKeyCommands(app);
  AddModelCommands(app);
  AddProofCommands(app);
  AddReceiptCommands(app);
}

}  // namespace

void SetExitCode(int code) { g_exit_code = code; }

int ReportError(const absl::Status& status, bool is_verification) {
  std::cerr << "attest: " << status.message() << "\n";
  int code = is_verification ? kExitNotVerified : kExitUsage;
  SetExitCode(code);
  return code;
}

}  // namespace attestd::cli

int main(int argc, char** argv) {
  using namespace attestd::cli;
  // keygen, logkey, ledger and export load secret keys: keep every command
  // out of core dumps (SPEC: keys never appear in core dumps we control).
  if (absl::Status s = attestd::ExcludeProcessFromCoreDumps(); !s.ok()) {
    std::cerr << "attest: cannot exclude this process from core dumps: " << s.message() << "\n";
    return kExitUsage;
  }
  CLI::App app{"attest: keys, models, receipts, proofs and the ledger of an attestd service"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("attest ") + ATTESTD_VERSION);
  AddAllCommands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }
  return g_exit_code;
}
