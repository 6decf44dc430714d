// attestd: the attested-inference gRPC server.
//
//   attestd [--config attestd.yaml] [--listen 127.0.0.1:50051] [--model DIR]...
//
// With no config file it runs on the embedded defaults (services/config.h,
// docs/service.md). Flags override the file, also on reload; each is a
// config key (ConfigFlags) and takes that key's values. Signals:
// SIGTERM/SIGINT drain in-flight requests, issue a final checkpoint and close
// the ledger; SIGHUP re-reads the config file.
//
// Exit codes: 0 after a clean shutdown (or --print-config), 1 when the server
// cannot start, 2 for a bad flag or config.
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <thread>

#include "attest/key_source.h"
#include "services/dev_keys.h"
#include "services/log.h"
#include "services/server.h"

using namespace attestd::service;

namespace {

constexpr int kExitCannotStart = 1;
constexpr int kExitBadConfig = 2;

// What the command line said: the config file, the two switches, and the
// values of every config flag that was given.
struct CommandLine {
  std::string config_path;
  bool print_config = false;
  bool dev_keys = false;
  std::map<std::string_view, std::vector<std::string>> flag_values;  // by config key
  std::map<std::string_view, CLI::Option*> flag_options;             // by config key

  // Applies the given flags over `config`, in table order.
  absl::Status ApplyFlags(ServerConfig& config) const {
    for (const ConfigFlag& flag : ConfigFlags()) {
      if (flag_options.at(flag.key)->count() == 0) continue;
      RETURN_IF_ERROR(ApplyConfigFlag(flag.key, flag_values.at(flag.key), config));
    }
    return absl::OkStatus();
  }
};

void AddOptions(CLI::App& app, CommandLine& cli) {
  app.add_option("--config", cli.config_path, "YAML config file (see docs/service.md)");
  for (const ConfigFlag& flag : ConfigFlags()) {
    std::vector<std::string>& values = cli.flag_values[flag.key];
    CLI::Option* option = app.add_option(std::string(flag.flag), values, std::string(flag.help));
    option->type_name(std::string(flag.value_name));
    if (!flag.repeatable) option->expected(1);
    cli.flag_options[flag.key] = option;
  }
  app.add_flag("--dev-keys", cli.dev_keys, "create DEV ONLY keys where the configured key files are missing");
  app.add_flag("--print-config", cli.print_config, "print the effective config (secrets redacted) and exit");
  app.set_version_flag("--version", std::string("attestd ") + ATTESTD_VERSION);
}

// The embedded defaults, then the file, then the flags; validated.
absl::StatusOr<ServerConfig> EffectiveConfig(const CommandLine& cli) {
  ServerConfig config;
  if (!cli.config_path.empty()) {
    ASSIGN_OR_RETURN(config, LoadConfigFile(cli.config_path, ServerConfig{}));
  }
  RETURN_IF_ERROR(cli.ApplyFlags(config));
  RETURN_IF_ERROR(ValidateConfig(config));
  return config;
}

// Logs why attestd stops and returns its exit code.
int Stop(std::string_view why, const absl::Status& status, int exit_code) {
  LogError(why, {{"error", std::string(status.message())}});
  return exit_code;
}

// Blocks SIGTERM, SIGINT and SIGHUP in this thread and every thread started
// after it, so that only ServeUntilStopped's sigwait takes them.
sigset_t BlockControlSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// SIGHUP reloads; SIGTERM or SIGINT shuts down. Returns once the server has
// stopped.
void ServeUntilStopped(AttestdServer& server, sigset_t signals) {
  std::thread signal_thread([&server, signals] {
    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      if (sig == SIGHUP) {
        auto changes = server.Reload();
        if (!changes.ok()) LogError("reload failed", {{"error", std::string(changes.status().message())}});
        continue;
      }
      LogInfo("signal received", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      server.Shutdown();
      return;
    }
  });
  server.Wait();
  signal_thread.join();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"attestd: attested LLM inference over gRPC"};
  CommandLine cli;
  AddOptions(app, cli);
  CLI11_PARSE(app, argc, argv);

  absl::StatusOr<ServerConfig> config = EffectiveConfig(cli);
  if (!config.ok()) return Stop("bad config", config.status(), kExitBadConfig);
  if (cli.print_config) {
    std::cout << config->Describe();
    return 0;
  }
  // Before any key is loaded: a core dump of this process must not carry
  // the attestor or log key (SPEC: keys never appear in core dumps we control).
  if (absl::Status s = attestd::ExcludeProcessFromCoreDumps(); !s.ok()) {
    return Stop("cannot exclude the process from core dumps", s, kExitCannotStart);
  }
  if (cli.dev_keys) {
    if (absl::Status s = EnsureDevKeys(config->keys); !s.ok()) return Stop("cannot create dev keys", s, kExitCannotStart);
  }
  const sigset_t signals = BlockControlSignals();

  StartOptions options;
  options.config_path = cli.config_path;
  options.apply_flags = [cli](ServerConfig& c) { return cli.ApplyFlags(c); };
  auto server = AttestdServer::Start(*config, options);
  if (!server.ok()) return Stop("cannot start", server.status(), kExitCannotStart);
  // Tests and scripts read this line to learn the bound port.
  std::printf("attestd listening on port %d metrics %d\n", (*server)->port(), (*server)->metrics_port());
  std::fflush(stdout);
  ServeUntilStopped(**server, signals);
  return 0;
}
