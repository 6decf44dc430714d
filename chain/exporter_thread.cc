#include "chain/exporter_thread.h"

namespace attestd::chain {

absl::StatusOr<std::unique_ptr<ExporterThread>> ExporterThread::Start(ExporterConfig config, ledger::LogStore* store,
                                                                      SecretKey32 key, Exporter::Logger logger) {
  ASSIGN_OR_RETURN(auto exporter, Exporter::Create(std::move(config), store, std::move(key), std::move(logger)));
  std::unique_ptr<ExporterThread> out(new ExporterThread(std::move(exporter)));
  ExporterThread* self = out.get();
  out->thread_ = std::thread([self] {
    absl::Status status = self->exporter_->Run(self->stop_);
    std::lock_guard<std::mutex> lock(self->mu_);
    self->result_ = status;
  });
  return out;
}

ExporterThread::~ExporterThread() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

std::optional<absl::Status> ExporterThread::result() const {
  std::lock_guard<std::mutex> lock(mu_);
  return result_;
}

}  // namespace attestd::chain
