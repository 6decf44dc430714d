// The domain class without gRPC: append failures, cancellation, chat format
// and what the commitments cover.
#include "services/attestation_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "attest/sha256.h"
#include "model/synth_model.h"
#include "tests/services/server_fixture.h"

namespace attestd::service {
namespace {

class MemoryLog : public ReceiptLog {
 public:
  Digest32 log_id() const override { return Sha256(origin_); }
  const std::string& origin() const override { return origin_; }
  absl::StatusOr<uint64_t> Append(const AttestationLeaf321& leaf) override {
    if (fail) return absl::DataLossError("injected: fsync failed");
    leaves.push_back(leaf);
    return leaves.size() - 1;
  }
  absl::StatusOr<uint64_t> FindRequest(const Digest32&) const override { return absl::NotFoundError("none"); }

  bool fail = false;
  std::vector<AttestationLeaf321> leaves;

 private:
  std::string origin_ = "test.example/log";
};

class AttestationServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir("domain");
    model::SynthOptions synth;
    synth.seed = 1;
    ASSERT_TRUE(model::WriteSynthModel(dir_->path() + "/tiny-qwen2", synth).ok());
  }
  static void TearDownTestSuite() { delete dir_; }

  void SetUp() override {
    auto engine = model::Engine::Load(dir_->path() + "/tiny-qwen2", {});
    ASSERT_TRUE(engine.ok()) << engine.status();
    std::vector<ServedModel> models(1);
    models[0].name = "tiny-qwen2";
    models[0].engine = std::move(*engine);
    models[0].queue = std::make_unique<FairQueue>(16, 16);
    service_ = std::make_unique<AttestationService>(AttestationService::Options{}, std::move(models),
                                                    SecretKey32::Generate(), &log_, &metrics_);
  }

  InferenceRequest Request(const std::string& prompt) {
    InferenceRequest r;
    r.model = "tiny-qwen2";
    r.prompt = prompt;
    r.max_tokens = 5;
    r.client = "test";
    return r;
  }

  static testing::TempDir* dir_;
  MemoryLog log_;
  Metrics metrics_;
  std::unique_ptr<AttestationService> service_;
};

testing::TempDir* AttestationServiceTest::dir_ = nullptr;

TEST_F(AttestationServiceTest, AppendFailureReturnsTheErrorAndNoReceipt) {
  log_.fail = true;
  auto result = service_->Generate(Request("hello"), {}, {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(result.status().message().find("fsync"), std::string_view::npos);
  EXPECT_TRUE(log_.leaves.empty());
}

TEST_F(AttestationServiceTest, TheLoggedLeafIsTheSignedStatementOverTheReturnedCommitments) {
  auto result = service_->Generate(Request("hello"), {}, {});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_TRUE(result->receipt.has_value());
  ASSERT_EQ(log_.leaves.size(), 1u);
  auto decoded = DecodeLedgerLeaf(log_.leaves[0].span());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->statement.input_commitment, InputCommitment(result->salt, result->committed_request));
  EXPECT_EQ(decoded->statement.output_commitment, OutputCommitment(result->salt, result->committed_response));
  EXPECT_EQ(decoded->statement.request_id, RequestIdDigest(result->request_id));
  EXPECT_TRUE(VerifyAttestation(decoded->statement, decoded->signature, service_->attestor()).ok());
  // Unset top_p is committed as the value the engine used.
  EXPECT_EQ(result->committed_request.sampling.top_p, 1.0f);
}

TEST_F(AttestationServiceTest, CallbackCancelStopsAndLogsNothing) {
  int tokens_seen = 0;
  auto result = service_->Generate(Request("cancel"), [&](std::string_view, int32_t) { return ++tokens_seen < 2; }, {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(tokens_seen, 2) << "generation must stop at the first refused chunk";
  EXPECT_TRUE(log_.leaves.empty());
}

TEST_F(AttestationServiceTest, PastDeadlineIsDeadlineExceededBeforeAnyWork) {
  CallContext call;
  call.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  auto result = service_->Generate(Request("late"), {}, call);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(log_.leaves.empty());
}

TEST_F(AttestationServiceTest, ConcurrentCallWithTheSameRequestIdIsRefusedWhileTheFirstRuns) {
  InferenceRequest first = Request("same id");
  first.request_id = "client-chosen-id";
  absl::Status second_status;
  bool second_ran = false;
  auto result = service_->Generate(
      first,
      [&](std::string_view, int32_t) {
        if (!second_ran) {
          second_ran = true;
          // From another thread with a short deadline: without the in-flight
          // claim the second call would queue behind the first and time out.
          CallContext call;
          call.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
          auto second = std::async(std::launch::async, [&] { return service_->Generate(first, {}, call); });
          second_status = second.get().status();
        }
        return true;
      },
      {});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_TRUE(second_ran);
  EXPECT_EQ(second_status.code(), absl::StatusCode::kAlreadyExists) << second_status;
  EXPECT_EQ(log_.leaves.size(), 1u);
}

TEST_F(AttestationServiceTest, FailedCallReleasesItsRequestIdForARetry) {
  InferenceRequest request = Request("retry");
  request.request_id = "retry-id";
  log_.fail = true;
  ASSERT_FALSE(service_->Generate(request, {}, {}).ok());
  log_.fail = false;
  auto retry = service_->Generate(request, {}, {});
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(log_.leaves.size(), 1u);
}

TEST(ChatFormatTest, QwenUsesChatMlAndLlamaUsesLlama3Headers) {
  std::vector<ChatTurn> turns = {{"system", "be brief"}, {"user", "hi"}};
  EXPECT_EQ(RenderChat(model::ModelFamily::kQwen2, turns),
            "<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(RenderChat(model::ModelFamily::kLlama, turns),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nbe brief<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

}  // namespace
}  // namespace attestd::service
