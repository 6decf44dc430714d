#include "services/metrics.h"

#include <gtest/gtest.h>

#include "tests/testing/http_get.h"

namespace attestd::service {
namespace {

using ::attestd::testing::HttpGet;

TEST(MetricsTest, PrometheusTextHasEveryOperatorMetric) {
  Metrics m;
  m.RecordRequest("OK");
  m.RecordRequest("OK");
  m.RecordRequest("INVALID_ARGUMENT");
  m.RecordTokens(10, 20, 2'000'000'000);
  m.RecordAppendLatency(1'000'000);
  m.SetLedgerSizeSource([] { return uint64_t{42}; });
  m.SetQueueDepth(3);
  std::string text = m.RenderPrometheus();
  EXPECT_NE(text.find("attestd_requests_total{code=\"OK\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("attestd_requests_total{code=\"INVALID_ARGUMENT\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("attestd_decode_tokens_per_second 10.0"), std::string::npos) << text;
  EXPECT_NE(text.find("attestd_queue_depth 3\n"), std::string::npos);
  EXPECT_NE(text.find("attestd_ledger_size 42\n"), std::string::npos);
  EXPECT_NE(text.find("attestd_ledger_append_seconds_count 1\n"), std::string::npos);
  EXPECT_NE(text.find("attestd_last_checkpoint_age_seconds -1"), std::string::npos);
}

TEST(MetricsTest, HttpEndpointServesMetricsAnd404sElsewhere) {
  Metrics m;
  m.RecordRequest("OK");
  auto server = MetricsHttpServer::Start("127.0.0.1:0", &m);
  ASSERT_TRUE(server.ok()) << server.status();
  std::string ok = HttpGet((*server)->port(), "/metrics");
  EXPECT_EQ(ok.rfind("HTTP/1.0 200 OK", 0), 0u) << ok;
  EXPECT_NE(ok.find("attestd_requests_total{code=\"OK\"} 1"), std::string::npos);
  EXPECT_EQ(HttpGet((*server)->port(), "/other").rfind("HTTP/1.0 404", 0), 0u);
}

TEST(MetricsTest, BadListenAddressIsInvalidArgument) {
  Metrics m;
  EXPECT_EQ(MetricsHttpServer::Start("localhost", &m).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MetricsHttpServer::Start("nohost:1", &m).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace attestd::service
