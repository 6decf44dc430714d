// Service metrics and their Prometheus text exposition (format 0.0.4).
//
// Thread safety: every method may be called from any thread; counters are
// atomics, the gauges read through callbacks registered before serving.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"

namespace attestd::service {

class Metrics {
 public:
  // Outcome of one inference call (label `code` is the gRPC code name).
  void RecordRequest(const std::string& code);
  void RecordTokens(int64_t prompt_tokens, int64_t completion_tokens, int64_t decode_ns);
  void RecordAppendLatency(int64_t nanos);
  void RecordCheckpoint(int64_t unix_ms);
  void SetQueueDepth(int64_t depth) { queue_depth_.store(depth); }
  // One decode step of a model's batch scheduler, over `live_requests`.
  void RecordBatchStep(int64_t live_requests);
  void SetLedgerSizeSource(std::function<uint64_t()> source);

  // The exposition text, "# HELP"/"# TYPE" lines included.
  std::string RenderPrometheus() const;

 private:
  mutable std::mutex mu_;  // guards by_code_ and ledger_size_
  std::vector<std::pair<std::string, uint64_t>> by_code_;
  std::function<uint64_t()> ledger_size_;
  std::atomic<uint64_t> prompt_tokens_{0};
  std::atomic<uint64_t> completion_tokens_{0};
  std::atomic<uint64_t> decode_ns_{0};
  std::atomic<int64_t> queue_depth_{0};
  std::atomic<uint64_t> batch_steps_{0};
  std::atomic<uint64_t> batch_step_requests_{0};
  std::atomic<uint64_t> append_count_{0};
  std::atomic<uint64_t> append_ns_sum_{0};
  std::atomic<int64_t> last_append_ns_{0};
  std::atomic<int64_t> last_checkpoint_unix_ms_{0};
};

// A minimal HTTP/1.0 server answering GET /metrics with Metrics::RenderPrometheus
// and 404 otherwise. One thread, one connection at a time (scrapes are rare
// and small); reads at most 8 KiB of request with a 2 s timeout per client.
class MetricsHttpServer {
 public:
  // Binds `host:port` (port 0 picks one). InvalidArgument for a bad address,
  // Unavailable if the bind fails. `metrics` must outlive the server.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(const std::string& listen,
                                                                                  const Metrics* metrics);
  ~MetricsHttpServer();  // stops and joins the thread
  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  int port() const { return port_; }

 private:
  MetricsHttpServer() = default;
  void Serve();

  const Metrics* metrics_ = nullptr;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace attestd::service
