// Receipts issued before a restart still verify afterwards, with a
// consistency proof from their checkpoint to the new head; a SIGTERM-style
// shutdown issues a final checkpoint of everything appended.
#include <gtest/gtest.h>

#include "ledger/log_store.h"
#include "services/grpc_ledger_source.h"
#include "kernels/device.h"
#include "tests/services/server_fixture.h"
#include "verify/ledger_evidence.h"
#include "verify/receipt_verifier.h"

namespace attestd::service {
namespace {

using namespace testing;

absl::StatusOr<v1::GenerateResponse> GenerateOnce(int port, const std::string& prompt) {
  auto stub = v1::InferenceService::NewStub(Connect(port));
  grpc::ClientContext ctx;
  Authorize(ctx);
  v1::GenerateResponse resp;
  grpc::Status s = stub->Generate(&ctx, SimpleRequest(prompt, 4), &resp);
  if (!s.ok()) return absl::InternalError(s.error_message());
  return resp;
}

// `attest receipt verify --server`'s evidence, fetched over gRPC.
absl::StatusOr<LedgerEvidence> FetchFromServer(int port, const std::string& pinned_key, Receipt& receipt) {
  GrpcLedgerSource source(Connect(port));
  return FetchLedgerEvidence(source, pinned_key, receipt);
}

TEST(RestartTest, ReceiptsFromBeforeARestartVerifyWithConsistencyToTheNewHead) {
  TempDir dir("restart");
  ServerConfig config = MakeTestConfig(dir.path());
  Receipt old_receipt;
  std::string verifier_key;
  uint64_t size_at_shutdown = 0;
  {
    auto server = AttestdServer::Start(config, {});
    ASSERT_TRUE(server.ok()) << server.status();
    auto resp = GenerateOnce((*server)->port(), "before restart");
    ASSERT_TRUE(resp.ok()) << resp.status();
    ASSERT_TRUE(GenerateOnce((*server)->port(), "second before").ok());
    auto parsed = ParseReceiptJson(resp->receipt().receipt_json());
    ASSERT_TRUE(parsed.ok());
    old_receipt = *parsed;
    // The receipt as an auditor would have stored it: with inclusion in the then-newest checkpoint.
    ASSERT_TRUE((*server)->IssueCheckpoint().ok());
    auto evidence = FetchFromServer((*server)->port(), "", old_receipt);
    ASSERT_TRUE(evidence.ok()) << evidence.status();
    verifier_key = evidence->verifier_key;
    ASSERT_TRUE(GenerateOnce((*server)->port(), "after the checkpoint").ok());
    size_at_shutdown = (*server)->ledger().Size();
    (*server)->Shutdown(std::chrono::seconds(5));
  }
  {
    // Shutdown issued a final checkpoint covering every leaf.
    ledger::LogStoreOptions read_only;
    read_only.mode = ledger::OpenMode::kReadOnly;
    auto store = ledger::LogStore::Open(config.ledger_dir, read_only);
    ASSERT_TRUE(store.ok()) << store.status();
    auto sizes = (*store)->CheckpointSizes();
    ASSERT_TRUE(sizes.ok());
    ASSERT_FALSE(sizes->empty());
    EXPECT_EQ(sizes->back(), size_at_shutdown);
  }
  auto server = AttestdServer::Start(config, {});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ((*server)->ledger().Size(), size_at_shutdown);
  ASSERT_TRUE(GenerateOnce((*server)->port(), "after restart").ok());
  ASSERT_TRUE((*server)->IssueCheckpoint().ok());

  const uint64_t old_size = old_receipt.ledger->inclusion->tree_size;
  auto evidence = FetchFromServer((*server)->port(), verifier_key, old_receipt);
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  ASSERT_TRUE(evidence->consistency.has_value());
  EXPECT_EQ(evidence->latest_size, size_at_shutdown + 1);
  EXPECT_NE(evidence->consistency->find(std::to_string(old_size) + " -> " + std::to_string(size_at_shutdown + 1)),
            std::string::npos)
      << *evidence->consistency;
  ReceiptVerifyInputs inputs;
  inputs.log_verifier_key = verifier_key;
  inputs.expected_attestor = (*server)->service().attestor();
  VerificationReport report = VerifyReceipt(old_receipt, inputs);
  EXPECT_TRUE(report.verified()) << report.ToText();
}

TEST(RestartTest, ALedgerOfAnotherOriginIsRefusedAtStart) {
  TempDir dir("origin");
  ServerConfig config = MakeTestConfig(dir.path());
  {
    auto server = AttestdServer::Start(config, {});
    ASSERT_TRUE(server.ok()) << server.status();
    ASSERT_TRUE(GenerateOnce((*server)->port(), "x").ok());
  }
  config.log_origin = "another.example/log";
  auto again = AttestdServer::Start(config, {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition) << again.status();
}

TEST(RestartTest, AnUnknownBackendStopsTheStartWithGotAndWant) {
  TempDir dir("backend");
  ServerConfig config = MakeTestConfig(dir.path());
  config.backend = "gpu";
  auto server = AttestdServer::Start(config, {});
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument) << server.status();
  EXPECT_NE(server.status().message().find("backend: got \"gpu\", want \"cpu\" or \"cuda\""), std::string_view::npos)
      << server.status();
}

TEST(RestartTest, ModelBackendsNamingNoServedModelStopTheStart) {
  TempDir dir("backend");
  ServerConfig config = MakeTestConfig(dir.path());
  config.model_backends = {{"tiny-qwen3", "cpu"}};
  auto server = AttestdServer::Start(config, {});
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find("\"tiny-qwen3\" names no model"), std::string_view::npos) << server.status();
}

TEST(RestartTest, CudaBackendWithoutAGpuStopsTheStartNamingTheModelAndTheReason) {
  if (kernels::cuda::OpenDevice().ok()) GTEST_SKIP() << "this machine has a GPU: a cuda model would load";
  TempDir dir("backend");
  ServerConfig config = MakeTestConfig(dir.path());
  config.model_backends = {{"tiny-qwen2", "cuda"}};
  auto server = AttestdServer::Start(config, {});
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kUnavailable) << server.status();
  EXPECT_EQ(server.status().message().rfind("model tiny-qwen2 (backend cuda): ", 0), 0u) << server.status();
}

// The README's flow runs `receipt verify --server` right after `generate`,
// before the checkpoint timer first fires: that is "retry later", not a
// missing thing (NotFound) or a bad receipt.
TEST(RestartTest, VerifyingBeforeTheFirstCheckpointSaysRetryAfterTheNextOne) {
  TempDir dir("first-checkpoint");
  auto server = AttestdServer::Start(MakeTestConfig(dir.path()), {});
  ASSERT_TRUE(server.ok()) << server.status();
  auto resp = GenerateOnce((*server)->port(), "before any checkpoint");
  ASSERT_TRUE(resp.ok()) << resp.status();
  auto receipt = ParseReceiptJson(resp->receipt().receipt_json());
  ASSERT_TRUE(receipt.ok());
  auto evidence = FetchFromServer((*server)->port(), "", *receipt);
  EXPECT_EQ(evidence.status().code(), absl::StatusCode::kUnavailable) << evidence.status();
  EXPECT_NE(evidence.status().message().find("retry after the next checkpoint"), std::string_view::npos)
      << evidence.status();
  ASSERT_TRUE((*server)->IssueCheckpoint().ok());
  EXPECT_TRUE(FetchFromServer((*server)->port(), "", *receipt).ok());
}

}  // namespace
}  // namespace attestd::service
