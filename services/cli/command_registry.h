// How `attest` subcommands plug into the command-line tool.
//
// Each services/cli/*_commands.cc file defines a function that adds its
// subcommands to the CLI11 app and registers it with ATTEST_CLI_COMMANDS.
// The `attest` executable links every such file, so a new command group is a
// new file and nothing else. Registration happens during static
// initialisation; the app is built in main() after it, single-threaded.
//
// Exit codes, for every command:
//   0  success / verified
//   1  checked and NOT verified (the reason is printed on stderr)
//   2  usage or input error (bad flag, unreadable file, malformed input)
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "base/status.h"

namespace attestd::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitNotVerified = 1;
inline constexpr int kExitUsage = 2;

using CommandGroup = std::function<void(CLI::App& app)>;

// Adds a command group; call only through ATTEST_CLI_COMMANDS.
bool RegisterCommandGroup(const char* name, CommandGroup group);

// Sets the process exit code from a subcommand's callback.
void SetExitCode(int code);

// Prints "attest: <message>" for an error status on stderr and sets exit code
// 1 for verification failures (Unauthenticated, DataLoss, FailedPrecondition
// from a verifier) or 2 otherwise. Returns the exit code it chose.
int ReportError(const absl::Status& status, bool is_verification = false);

}  // namespace attestd::cli

#define ATTEST_CLI_COMMANDS(name, fn)                                               \
  static const bool attest_cli_registered_##name [[maybe_unused]] = \
      ::attestd::cli::RegisterCommandGroup(#name, fn)
