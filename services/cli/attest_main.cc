// `attest`: the command-line tool for operators, clients and auditors.
// Subcommands live in services/cli/*_commands.cc (see command_registry.h).
#include <algorithm>
#include <iostream>
#include <utility>
#include <vector>

#include "attest/keystore.h"
#include "services/cli/command_registry.h"

namespace attestd::cli {
namespace {

std::vector<std::pair<std::string, CommandGroup>>& Groups() {
  static auto* groups = new std::vector<std::pair<std::string, CommandGroup>>();
  return *groups;
}

int g_exit_code = kExitOk;

}  // namespace

bool RegisterCommandGroup(const char* name, CommandGroup group) {
  Groups().emplace_back(name, std::move(group));
  return true;
}

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
  auto& groups = Groups();
  std::sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [name, add] : groups) add(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }
  return g_exit_code;
}
