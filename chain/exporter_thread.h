// ExporterThread: the exporter running inside attestd, on a thread of its own.
//
// Ownership: owns the Exporter and the thread; borrows the LogStore, which
// must outlive it (destroy the ExporterThread before the store). Destruction
// asks Run() to stop and joins (at most one poll interval or RPC timeout).
// Thread safety: result() may be called from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "chain/exporter.h"

namespace attestd::chain {

class ExporterThread {
 public:
  // Errors: those of Exporter::Create (nothing is started).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<ExporterThread>> Start(ExporterConfig config,
                                                                            ledger::LogStore* store,
                                                                            SecretKey32 key,
                                                                            Exporter::Logger logger);
  ~ExporterThread();
  ExporterThread(const ExporterThread&) = delete;
  ExporterThread& operator=(const ExporterThread&) = delete;

  // nullopt while running; Run()'s status once it returned (a wrong chain id).
  std::optional<absl::Status> result() const;
  // The anchor records (reads the store; safe while running).
  [[nodiscard]] absl::StatusOr<std::vector<AnchorRecord>> Records() const { return exporter_->records().List(); }

 private:
  explicit ExporterThread(std::unique_ptr<Exporter> exporter) : exporter_(std::move(exporter)) {}

  std::unique_ptr<Exporter> exporter_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::optional<absl::Status> result_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace attestd::chain
