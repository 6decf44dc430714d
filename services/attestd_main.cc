// attestd: the attested-inference gRPC server.
//
//   attestd [--config attestd.yaml] [--listen 127.0.0.1:50051] [--model DIR]...
//
// With no config file it runs on the embedded defaults (services/config.h,
// docs/service.md). Flags override the file, also on reload. Signals:
// SIGTERM/SIGINT drain in-flight requests, issue a final checkpoint and close
// the ledger; SIGHUP re-reads the config file.
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

#include "attest/keystore.h"
#include "services/dev_keys.h"
#include "services/log.h"
#include "services/server.h"

using namespace attestd::service;

int main(int argc, char** argv) {
  CLI::App app{"attestd: attested LLM inference over gRPC"};
  std::string config_path;
  std::string listen, metrics_listen, ledger_dir, log_origin, keystore, passphrase_file, passphrase_env, log_key;
  std::vector<std::string> models;
  int engine_threads = 0;
  int64_t max_batch = 0;
  int64_t prefill_chunk = -1;  // -1: not given
  int64_t checkpoint_ms = 0;
  bool print_config = false;
  bool dev_keys = false;
  app.add_option("--config", config_path, "YAML config file (see docs/service.md)");
  app.add_option("--listen", listen, "gRPC address host:port");
  app.add_option("--metrics-listen", metrics_listen, "Prometheus endpoint host:port ('' = off)");
  app.add_option("--model", models, "model folder (repeatable; replaces the config's list)");
  app.add_option("--ledger-dir", ledger_dir, "ledger database folder");
  app.add_option("--log-origin", log_origin, "checkpoint origin line");
  app.add_option("--attestor-keystore", keystore, "V3 keystore of the attestor key");
  app.add_option("--attestor-passphrase-file", passphrase_file, "file holding the keystore passphrase");
  app.add_option("--attestor-passphrase-env", passphrase_env, "environment variable holding the passphrase");
  app.add_option("--log-key", log_key, "Ed25519 checkpoint key file");
  app.add_option("--engine-threads", engine_threads, "kernel threads per model");
  app.add_option("--checkpoint-interval-ms", checkpoint_ms, "checkpoint timer");
  app.add_option("--max-batch", max_batch, "requests decoding together per model (limits.max_batch; 1 = one at a time)")
      ->check(CLI::Range(int64_t{1}, int64_t{256}));
  app.add_option("--prefill-chunk", prefill_chunk,
                 "prompt tokens per request per batch step (limits.prefill_chunk; 0 = whole prompt)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 20));
  app.add_flag("--dev-keys", dev_keys, "create DEV ONLY keys where the configured key files are missing");
  app.add_flag("--print-config", print_config, "print the effective config (secrets redacted) and exit");
  app.set_version_flag("--version", std::string("attestd ") + ATTESTD_VERSION);
  CLI11_PARSE(app, argc, argv);

  const bool metrics_listen_set = app.count("--metrics-listen") > 0;
  auto apply_flags = [=](ServerConfig& c) {
    if (!listen.empty()) c.listen = listen;
    if (metrics_listen_set) c.metrics_listen = metrics_listen;
    if (!models.empty()) c.model_dirs = models;
    if (!ledger_dir.empty()) c.ledger_dir = ledger_dir;
    if (!log_origin.empty()) c.log_origin = log_origin;
    if (!keystore.empty()) c.keys.attestor_keystore = keystore;
    if (!passphrase_file.empty()) c.keys.attestor_passphrase_file = passphrase_file;
    if (!passphrase_env.empty()) c.keys.attestor_passphrase_env = passphrase_env;
    if (!log_key.empty()) c.keys.log_key_file = log_key;
    if (engine_threads > 0) c.engine_threads = engine_threads;
    if (checkpoint_ms > 0) c.checkpoint_interval_ms = checkpoint_ms;
    if (max_batch > 0) c.limits.max_batch = max_batch;
    if (prefill_chunk >= 0) c.limits.prefill_chunk = prefill_chunk;
  };
  ServerConfig config;
  if (!config_path.empty()) {
    auto loaded = LoadConfigFile(config_path, ServerConfig{});
    if (!loaded.ok()) {
      LogError("bad config", {{"error", std::string(loaded.status().message())}});
      return 2;
    }
    config = *loaded;
  }
  apply_flags(config);
  if (absl::Status s = ValidateConfig(config); !s.ok()) {
    LogError("bad config", {{"error", std::string(s.message())}});
    return 2;
  }
  if (print_config) {
    std::cout << config.Describe();
    return 0;
  }

  // Before any key is loaded: a core dump of this process must not carry
  // the attestor or log key (SPEC: keys never appear in core dumps we control).
  if (absl::Status s = attestd::ExcludeProcessFromCoreDumps(); !s.ok()) {
    LogError("cannot exclude the process from core dumps", {{"error", std::string(s.message())}});
    return 1;
  }

  if (dev_keys) {
    if (absl::Status s = EnsureDevKeys(config.keys); !s.ok()) {
      LogError("cannot create dev keys", {{"error", std::string(s.message())}});
      return 1;
    }
  }

  // Block the signals in every thread; one thread takes them with sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  StartOptions options;
  options.config_path = config_path;
  options.apply_flags = apply_flags;
  auto server = AttestdServer::Start(config, options);
  if (!server.ok()) {
    LogError("cannot start", {{"error", std::string(server.status().message())}});
    return 1;
  }
  // Tests and scripts read this line to learn the bound port.
  std::printf("attestd listening on port %d metrics %d\n", (*server)->port(), (*server)->metrics_port());
  std::fflush(stdout);

  AttestdServer* s = server->get();
  std::thread signal_thread([s, signals] {
    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      if (sig == SIGHUP) {
        auto changes = s->Reload();
        if (!changes.ok()) LogError("reload failed", {{"error", std::string(changes.status().message())}});
        continue;
      }
      LogInfo("signal received", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      s->Shutdown();
      return;
    }
  });
  s->Wait();
  signal_thread.join();
  return 0;
}
