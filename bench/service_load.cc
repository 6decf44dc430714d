// service_load: a loopback load generator for attestd.
//
// Starts the real server twice in this process on the same model, first with
// attestation (commitments, signature, durable ledger append) and then with
// the bench-only switch that skips it, drives each with the same load (N
// client threads, each sending R unary Generate calls over gRPC), and prints
// requests/s, p50/p99 latency and the ratio between the two runs: the cost of
// attestation. Both run with continuous batching at --max-batch; when it is
// above 1 a third run, attested with max_batch 1 (one request at a time),
// gives the batched/unbatched throughput ratio measured in the same process.
// Validates first: a receipt from the attested server verifies, and every
// server gives the same output for the same request.
//
//   service_load [--clients 16] [--requests 8] [--max-tokens 8] [--max-batch 8] [--model-dir DIR]
#include <CLI/CLI.hpp>
#include <grpcpp/grpcpp.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "attest/receipt.h"
#include "model/synth_model.h"
#include "services/dev_keys.h"
#include "services/server.h"

using namespace attestd;
using namespace attestd::service;
using Clock = std::chrono::steady_clock;

namespace {

struct RunStats {
  double requests_per_s = 0, p50_ms = 0, p99_ms = 0, tokens_per_s = 0;
  double cpu_us_per_request = 0;      // this process's user+system CPU (server and clients)
  double sys_cpu_us_per_request = 0;  // the system (kernel) part of it: syscalls, fsync, wake-ups
  double attest_p50_ms = 0;  // the server's Timings.attest_ms: commitments, signature, durable append
  int failures = 0;
};

struct CpuSeconds {
  double user = 0, system = 0;
};

CpuSeconds ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; };
  return {seconds(usage.ru_utime), seconds(usage.ru_stime)};
}

v1::GenerateRequest RequestFor(const std::string& model, int client, int i, int64_t max_tokens) {
  v1::GenerateRequest r;
  r.set_model(model);
  r.set_prompt("load client " + std::to_string(client) + " request " + std::to_string(i));
  r.set_max_tokens(max_tokens);
  return r;
}

RunStats Drive(int port, const std::string& model, int clients, int requests, int64_t max_tokens) {
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
  std::vector<std::vector<double>> latencies(static_cast<size_t>(clients));
  std::vector<std::vector<double>> attest_ms(static_cast<size_t>(clients));
  std::vector<int64_t> tokens(static_cast<size_t>(clients), 0);
  std::vector<int> failures(static_cast<size_t>(clients), 0);
  auto start = Clock::now();
  const CpuSeconds cpu_start = ProcessCpuSeconds();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      auto stub = v1::InferenceService::NewStub(channel);
      for (int i = 0; i < requests; ++i) {
        grpc::ClientContext ctx;
        v1::GenerateResponse resp;
        auto t0 = Clock::now();
        grpc::Status s = stub->Generate(&ctx, RequestFor(model, c, i, max_tokens), &resp);
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (!s.ok()) {
          ++failures[static_cast<size_t>(c)];
          continue;
        }
        latencies[static_cast<size_t>(c)].push_back(ms);
        attest_ms[static_cast<size_t>(c)].push_back(static_cast<double>(resp.timings().attest_ms()));
        tokens[static_cast<size_t>(c)] += resp.usage().completion_tokens();
      }
    });
  }
  for (auto& t : threads) t.join();
  const CpuSeconds cpu_end = ProcessCpuSeconds();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  int64_t total_tokens = 0;
  RunStats stats;
  for (int c = 0; c < clients; ++c) {
    all.insert(all.end(), latencies[static_cast<size_t>(c)].begin(), latencies[static_cast<size_t>(c)].end());
    total_tokens += tokens[static_cast<size_t>(c)];
    stats.failures += failures[static_cast<size_t>(c)];
  }
  std::sort(all.begin(), all.end());
  if (!all.empty()) {
    stats.p50_ms = all[all.size() / 2];
    stats.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
    std::vector<double> attest;
    for (const auto& per_client : attest_ms) attest.insert(attest.end(), per_client.begin(), per_client.end());
    std::sort(attest.begin(), attest.end());
    stats.attest_p50_ms = attest[attest.size() / 2];
  }
  stats.requests_per_s = static_cast<double>(all.size()) / seconds;
  stats.tokens_per_s = static_cast<double>(total_tokens) / seconds;
  if (!all.empty()) {
    const double n = static_cast<double>(all.size());
    const double sys = cpu_end.system - cpu_start.system;
    stats.cpu_us_per_request = (cpu_end.user - cpu_start.user + sys) * 1e6 / n;
    stats.sys_cpu_us_per_request = sys * 1e6 / n;
  }
  return stats;
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "service_load: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"service_load: attestd loopback load, attested vs attestation disabled"};
  int clients = 16, requests = 8;
  int64_t max_tokens = 8;
  int64_t max_batch = Limits{}.max_batch;
  std::string model_dir;
  app.add_option("--clients", clients, "concurrent client threads")->capture_default_str();
  app.add_option("--requests", requests, "requests per client")->capture_default_str();
  app.add_option("--max-tokens", max_tokens, "tokens per request (ignore_eos is not set)")->capture_default_str();
  app.add_option("--max-batch", max_batch, "limits.max_batch of the attested and unattested runs")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{256}));
  app.add_option("--model-dir", model_dir, "model folder (default: a synthetic tiny qwen2)");
  CLI11_PARSE(app, argc, argv);

  std::string pattern = (std::filesystem::temp_directory_path() / "attestd-bench-XXXXXX").string();
  const std::string root = mkdtemp(pattern.data());
  if (model_dir.empty()) {
    model_dir = root + "/models/tiny-qwen2";
    model::SynthOptions synth;
    synth.seed = 1;
    if (auto s = model::WriteSynthModel(model_dir, synth); !s.ok()) return Fail(std::string(s.message()));
  }
  ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.metrics_listen = "";
  config.model_dirs = {model_dir};
  config.digest_cache_dir = root + "/digest-cache";
  config.checkpoint_interval_ms = 1000;
  config.keys = {root + "/keys/attestor.json", root + "/keys/DEV-ONLY-passphrase.txt", "", root + "/keys/log.pem"};
  config.limits.max_queue = 4096;
  config.limits.max_streams_per_client = 4096;
  config.limits.max_tokens = std::max<int64_t>(max_tokens, 1);
  if (auto s = EnsureDevKeys(config.keys); !s.ok()) return Fail(std::string(s.message()));

  // Runs: 1 = attested, 0 = attestation off, both at max_batch; 2 = attested
  // at max_batch 1 (only when max_batch > 1).
  RunStats stats[3];
  std::string texts[3];
  std::string model_name;
  const int runs = max_batch > 1 ? 3 : 2;
  for (int run : {1, 0, 2}) {
    if (run >= runs) continue;
    const bool attested = run != 0;
    config.limits.max_batch = run == 2 ? 1 : max_batch;
    config.ledger_dir = root + "/ledger-run" + std::to_string(run);
    StartOptions options;
    options.bench_disable_attestation = attested == 0;
    auto server = AttestdServer::Start(config, options);
    if (!server.ok()) return Fail(std::string(server.status().message()));
    model_name = (*server)->service().models()[0].name;
    // Validate before timing.
    auto stub = v1::InferenceService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string((*server)->port()), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    v1::GenerateResponse resp;
    grpc::Status s = stub->Generate(&ctx, RequestFor(model_name, -1, 0, max_tokens), &resp);
    if (!s.ok()) return Fail("validation request failed: " + s.error_message());
    texts[run] = resp.text();
    if (attested) {
      auto receipt = ParseReceiptJson(resp.receipt().receipt_json());
      if (!receipt.ok()) return Fail("receipt does not parse");
      if (!VerifyAttestation(receipt->statement, receipt->signature, (*server)->service().attestor()).ok()) {
        return Fail("receipt signature does not verify");
      }
    } else if (resp.has_receipt()) {
      return Fail("the unattested run returned a receipt");
    }
    stats[run] = Drive((*server)->port(), model_name, clients, requests, max_tokens);
    if (attested && (*server)->ledger().Size() != static_cast<uint64_t>(clients * requests + 1 - stats[run].failures)) {
      return Fail("ledger size does not match the number of successful requests");
    }
    (*server)->Shutdown(std::chrono::seconds(5));
  }
  if (texts[0] != texts[1]) return Fail("outputs differ with attestation on and off");
  if (runs == 3 && texts[2] != texts[1]) return Fail("outputs differ between max_batch 1 and max_batch " + std::to_string(max_batch));
  std::error_code ignored;
  std::filesystem::remove_all(root, ignored);

  std::printf("service_load: %d clients x %d requests, max_tokens %lld, max_batch %lld, model %s, loopback gRPC"
              " (unary)\n",
              clients, requests, static_cast<long long>(max_tokens), static_cast<long long>(max_batch),
              model_name.c_str());
  const char* names[2] = {"attestation off", "attested       "};
  for (int a = 1; a >= 0; --a) {
    std::printf("  %s  %8.1f req/s  p50 %7.2f ms  p99 %7.2f ms  %8.1f tokens/s  failures %d\n", names[a],
                stats[a].requests_per_s, stats[a].p50_ms, stats[a].p99_ms, stats[a].tokens_per_s, stats[a].failures);
  }
  std::printf("  attestation overhead: throughput attested/off = %.3f, p50 latency attested/off = %.3f\n",
              stats[1].requests_per_s / stats[0].requests_per_s, stats[1].p50_ms / stats[0].p50_ms);
  // The same cost without the run-to-run noise of two separate runs: the
  // server's own timing of the attestation step on the attested run.
  std::printf("  attestation step (server Timings.attest_ms, whole ms, 0 = under 1 ms): p50 %.0f ms = %.2f%% of the attested p50 latency\n",
              stats[1].attest_p50_ms, 100.0 * stats[1].attest_p50_ms / stats[1].p50_ms);
  // Both runs serve the same requests in this process, so the difference in
  // CPU per request is what attestation costs (statement, commitments,
  // signature, append, the receipt in the response). It is small next to the
  // engine's CPU per request and varies from run to run; bench/receipt_cpu
  // measures the attestation path alone.
  std::printf("  CPU per request: attested %.1f us, off %.1f us, attestation adds %.1f us per receipt"
              " (of which kernel %.1f us)\n",
              stats[1].cpu_us_per_request, stats[0].cpu_us_per_request,
              stats[1].cpu_us_per_request - stats[0].cpu_us_per_request,
              stats[1].sys_cpu_us_per_request - stats[0].sys_cpu_us_per_request);
  if (runs == 3) {
    std::printf("  attested, max_batch 1  %8.1f req/s  p50 %7.2f ms  p99 %7.2f ms  %8.1f tokens/s  failures %d\n",
                stats[2].requests_per_s, stats[2].p50_ms, stats[2].p99_ms, stats[2].tokens_per_s, stats[2].failures);
    std::printf("  continuous batching: throughput max_batch %lld / max_batch 1 = %.3f, p50 latency = %.3f\n",
                static_cast<long long>(max_batch), stats[1].requests_per_s / stats[2].requests_per_s,
                stats[1].p50_ms / stats[2].p50_ms);
  }
  return stats[0].failures + stats[1].failures + stats[2].failures == 0 ? 0 : 1;
}
