#include "services/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

namespace attestd::service {

void Metrics::RecordRequest(const std::string& code) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [c, n] : by_code_) {
    if (c == code) {
      ++n;
      return;
    }
  }
  by_code_.emplace_back(code, 1);
}

void Metrics::RecordTokens(int64_t prompt_tokens, int64_t completion_tokens, int64_t decode_ns) {
  prompt_tokens_ += static_cast<uint64_t>(prompt_tokens);
  completion_tokens_ += static_cast<uint64_t>(completion_tokens);
  decode_ns_ += static_cast<uint64_t>(decode_ns);
}

void Metrics::RecordAppendLatency(int64_t nanos) {
  ++append_count_;
  append_ns_sum_ += static_cast<uint64_t>(nanos);
  last_append_ns_ = nanos;
}

void Metrics::RecordBatchStep(int64_t live_requests) {
  ++batch_steps_;
  batch_step_requests_ += static_cast<uint64_t>(live_requests);
}

void Metrics::RecordCheckpoint(int64_t unix_ms) { last_checkpoint_unix_ms_ = unix_ms; }

void Metrics::SetLedgerSizeSource(std::function<uint64_t()> source) {
  std::lock_guard<std::mutex> lock(mu_);
  ledger_size_ = std::move(source);
}

std::string Metrics::RenderPrometheus() const {
  std::string out;
  auto metric = [&out](const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  uint64_t ledger_size = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    metric("attestd_requests_total", "counter", "Inference calls by gRPC status code.");
    for (const auto& [code, n] : by_code_) {
      out += "attestd_requests_total{code=\"" + code + "\"} " + std::to_string(n) + "\n";
    }
    if (ledger_size_) ledger_size = ledger_size_();
  }
  metric("attestd_prompt_tokens_total", "counter", "Prompt tokens processed.");
  out += "attestd_prompt_tokens_total " + std::to_string(prompt_tokens_.load()) + "\n";
  metric("attestd_completion_tokens_total", "counter", "Tokens generated.");
  out += "attestd_completion_tokens_total " + std::to_string(completion_tokens_.load()) + "\n";
  double decode_s = static_cast<double>(decode_ns_.load()) / 1e9;
  metric("attestd_decode_tokens_per_second", "gauge", "Generated tokens per second of decode time, since start.");
  out += "attestd_decode_tokens_per_second " +
         std::to_string(decode_s > 0 ? static_cast<double>(completion_tokens_.load()) / decode_s : 0.0) + "\n";
  metric("attestd_queue_depth", "gauge", "Requests waiting for an engine.");
  out += "attestd_queue_depth " + std::to_string(queue_depth_.load()) + "\n";
  metric("attestd_batch_steps_total", "counter", "Forward passes run by the batch schedulers (all models).");
  out += "attestd_batch_steps_total " + std::to_string(batch_steps_.load()) + "\n";
  metric("attestd_batch_step_requests_total", "counter",
         "Requests summed over those passes; over attestd_batch_steps_total, the mean batch size.");
  out += "attestd_batch_step_requests_total " + std::to_string(batch_step_requests_.load()) + "\n";
  metric("attestd_ledger_size", "gauge", "Leaves in the ledger.");
  out += "attestd_ledger_size " + std::to_string(ledger_size) + "\n";
  metric("attestd_ledger_append_seconds", "summary", "Sign-and-append latency of a receipt (durable).");
  out += "attestd_ledger_append_seconds_sum " + std::to_string(static_cast<double>(append_ns_sum_.load()) / 1e9) + "\n";
  out += "attestd_ledger_append_seconds_count " + std::to_string(append_count_.load()) + "\n";
  metric("attestd_last_checkpoint_age_seconds", "gauge", "Seconds since the last checkpoint (-1: none yet).");
  int64_t last = last_checkpoint_unix_ms_.load();
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  out += "attestd_last_checkpoint_age_seconds " +
         std::to_string(last == 0 ? -1.0 : static_cast<double>(now_ms - last) / 1e3) + "\n";
  return out;
}

absl::StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(const std::string& listen,
                                                                            const Metrics* metrics) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return absl::InvalidArgumentError("metrics_listen: got \"" + listen + "\", want host:port");
  std::string host = listen.substr(0, colon);
  int port = 0;
  try {
    port = std::stoi(listen.substr(colon + 1));
  } catch (...) {
    return absl::InvalidArgumentError("metrics_listen: bad port in \"" + listen + "\"");
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return absl::InvalidArgumentError("metrics_listen: got host \"" + host + "\", want an IPv4 address");
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::UnavailableError("metrics: socket() failed");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd, 16) != 0) {
    close(fd);
    return absl::UnavailableError("metrics: cannot listen on " + listen + ": " + std::strerror(errno));
  }
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::unique_ptr<MetricsHttpServer> server(new MetricsHttpServer());
  server->metrics_ = metrics;
  server->listen_fd_ = fd;
  server->port_ = ntohs(addr.sin_port);
  server->thread_ = std::thread([s = server.get()] { s->Serve(); });
  return server;
}

MetricsHttpServer::~MetricsHttpServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
}

void MetricsHttpServer::Serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    std::string request;
    char buf[1024];
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 8192 &&
           std::chrono::steady_clock::now() < deadline) {
      pollfd c{client, POLLIN, 0};
      if (poll(&c, 1, 200) <= 0) continue;
      ssize_t n = read(client, buf, sizeof(buf));
      if (n <= 0) break;
      request.append(buf, static_cast<size_t>(n));
    }
    std::string status = "404 Not Found";
    std::string body = "not found; try /metrics\n";
    std::string type = "text/plain";
    if (request.rfind("GET /metrics ", 0) == 0 || request.rfind("GET /metrics?", 0) == 0) {
      status = "200 OK";
      body = metrics_->RenderPrometheus();
      type = "text/plain; version=0.0.4";
    }
    std::string response = "HTTP/1.0 " + status + "\r\nContent-Type: " + type +
                           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    size_t sent = 0;
    while (sent < response.size()) {
      ssize_t n = send(client, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    close(client);
  }
}

}  // namespace attestd::service
