// AttestdServer: the whole attestd process minus main(): keys, models,
// ledger, gRPC (inference, ledger, admin, health, reflection), metrics HTTP
// endpoint and the checkpoint timer, wired from a ServerConfig.
//
// Lifecycle: Start() loads everything (computing each model digest with
// progress logs, warming each engine up) and starts serving; Reload()
// re-reads the config file (tokens and limits); Shutdown() stops accepting,
// drains in-flight calls up to `drain`, issues a final checkpoint and closes
// the ledger. The destructor calls Shutdown() if it was not called.
//
// Thread safety: Reload, IssueCheckpoint and Shutdown may be called from any
// thread (a signal-handling thread, the admin service); Shutdown is
// idempotent.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <grpcpp/server.h>

#include "chain/exporter_thread.h"
#include "services/attestation_service.h"
#include "services/config.h"
#include "services/grpc_services.h"
#include "services/raw_grpc_services.h"
#include "services/ledger_backend.h"
#include "services/metrics.h"

namespace attestd::service {

struct StartOptions {
  // The config file Reload() re-reads; empty = embedded defaults only.
  std::string config_path;
  // Values set on the command line, re-applied over the file on reload.
  std::function<absl::Status(ServerConfig&)> apply_flags;
  // Bench only: see AttestationService::Options.
  bool bench_disable_attestation = false;
};

class AttestdServer {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<AttestdServer>> Start(const ServerConfig& config,
                                                                            StartOptions options);
  ~AttestdServer();
  AttestdServer(const AttestdServer&) = delete;
  AttestdServer& operator=(const AttestdServer&) = delete;

  // The gRPC port actually bound (useful with port 0) and the metrics port (0 if off).
  int port() const { return port_; }
  int metrics_port() const { return metrics_http_ ? metrics_http_->port() : 0; }
  const AttestationService& service() const { return *service_; }
  LedgerBackend& ledger() { return *ledger_; }
  // The exporter thread when `anchoring.enabled`, else null. Valid until Shutdown().
  const chain::ExporterThread* exporter() const { return exporter_.get(); }

  [[nodiscard]] absl::StatusOr<std::vector<std::string>> Reload();
  [[nodiscard]] absl::StatusOr<ledger::IssuedCheckpoint> IssueCheckpoint();
  void Shutdown(std::chrono::milliseconds drain = std::chrono::seconds(30));
  // Blocks until Shutdown() has finished.
  void Wait();

 private:
  AttestdServer() = default;
  void CheckpointLoop();

  ServerConfig config_;
  StartOptions options_;
  Metrics metrics_;
  std::unique_ptr<LedgerBackend> ledger_;
  // Declared after ledger_ so that it is destroyed first: it borrows the store.
  std::unique_ptr<chain::ExporterThread> exporter_;
  std::unique_ptr<AttestationService> service_;
  std::unique_ptr<AuthHolder> auth_;
  std::unique_ptr<InferenceServiceImpl> inference_;
  std::unique_ptr<InferenceGrpcService> inference_grpc_;  // registered; parses, then calls inference_
  std::unique_ptr<LedgerQueries> ledger_queries_;
  std::unique_ptr<LedgerServiceImpl> ledger_service_;
  std::unique_ptr<LedgerGrpcService> ledger_grpc_;  // registered; parses, then calls ledger_service_
  std::unique_ptr<AdminServiceImpl> admin_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::unique_ptr<MetricsHttpServer> metrics_http_;
  int port_ = 0;

  std::mutex mu_;  // guards config_ on reload, stopping_, stopped_
  std::condition_variable cv_;
  bool stopping_ = false;
  bool stopped_ = false;
  std::thread checkpoint_thread_;
};

}  // namespace attestd::service
