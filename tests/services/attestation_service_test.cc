// The domain class without gRPC: append failures, cancellation, chat format
// and what the commitments cover.
#include "services/attestation_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

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
    std::lock_guard lock(mu_);  // request threads append concurrently
    leaves.push_back(leaf);
    return leaves.size() - 1;
  }
  absl::StatusOr<uint64_t> FindRequest(const Digest32&) const override {
    if (index_unreadable) return absl::DataLossError("injected: request index read failed");
    return absl::NotFoundError("none");
  }

  bool fail = false;
  bool index_unreadable = false;
  std::vector<AttestationLeaf321> leaves;

 private:
  std::mutex mu_;
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

// An unreadable request index cannot rule out a duplicate request_id: the
// call is refused before generating rather than risking a second receipt.
TEST_F(AttestationServiceTest, UnreadableRequestIndexRefusesTheCallAndLogsNothing) {
  log_.index_unreadable = true;
  InferenceRequest request = Request("hello");
  request.request_id = "client-chosen-1";
  auto result = service_->Generate(request, {}, {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable) << result.status();
  EXPECT_NE(result.status().message().find("request index"), std::string_view::npos) << result.status();
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

// The number after `name ` in the Prometheus text (-1 when absent).
int64_t MetricValue(const std::string& text, const std::string& name) {
  const std::string key = "\n" + name + " ";
  size_t at = text.find(key);
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + key.size()));
}

struct BatchRun {
  std::vector<absl::StatusOr<InferenceResult>> results;
  std::vector<std::string> streamed;  // chunks concatenated, per request
  bool interleaved = false;           // a request's chunks arrived between another's first and last
  bool overlapped = false;            // others streamed while request 0 held its slot
  std::string metrics;
  size_t leaves = 0;
};

// Runs `requests` concurrently through a service whose queue grants
// `max_batch` turns at once and whose scheduler feeds prompts
// `prefill_chunk` tokens per step; request `cancel_index` refuses its third
// chunk.
// With max_batch > 1, request 0 starts first and its first chunk callback
// waits (up to 5 s, holding its batch slot) until another request streams: a
// slow client must not stall the others.
BatchRun RunConcurrently(const std::string& model_dir, int64_t max_batch, int64_t prefill_chunk,
                         const std::vector<InferenceRequest>& requests, size_t cancel_index) {
  auto engine = model::Engine::Load(model_dir, {});
  EXPECT_TRUE(engine.ok()) << engine.status();
  std::vector<ServedModel> models(1);
  models[0].name = "tiny-qwen2";
  models[0].engine = std::move(*engine);
  models[0].queue = std::make_unique<FairQueue>(64, 64, max_batch);
  MemoryLog log;
  Metrics metrics;
  AttestationService::Options options;
  options.limits.prefill_chunk = prefill_chunk;
  AttestationService service(options, std::move(models), SecretKey32::Generate(), &log, &metrics);
  BatchRun run;
  run.results.resize(requests.size(), absl::UnknownError("not run"));
  run.streamed.resize(requests.size());
  std::mutex order_mu;
  std::condition_variable order_changed;
  std::vector<size_t> order;  // request index of every chunk, in arrival order
  std::atomic<bool> first_streaming{false};
  std::vector<std::thread> threads;
  for (size_t i = 0; i < requests.size(); ++i) {
    threads.emplace_back([&, i] {
      int chunks = 0;
      run.results[i] = service.Generate(
          requests[i],
          [&](std::string_view text, int32_t) {
            std::unique_lock<std::mutex> lock(order_mu);
            order.push_back(i);
            order_changed.notify_all();
            if (i == 0 && max_batch > 1 && !first_streaming.exchange(true)) {
              run.overlapped = order_changed.wait_for(lock, std::chrono::seconds(5), [&] {
                return std::any_of(order.begin(), order.end(), [](size_t j) { return j != 0; });
              });
            }
            lock.unlock();
            run.streamed[i] += text;
            return !(i == cancel_index && ++chunks == 3);
          },
          {});
    });
    if (i == 0 && max_batch > 1) {
      while (!first_streaming.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  for (auto& t : threads) t.join();
  std::map<size_t, std::pair<size_t, size_t>> span;  // request -> first and last chunk position
  for (size_t p = 0; p < order.size(); ++p) {
    auto [it, fresh] = span.try_emplace(order[p], p, p);
    if (!fresh) it->second.second = p;
  }
  for (const auto& [a, sa] : span) {
    for (const auto& [b, sb] : span) {
      if (a != b && sb.first > sa.first && sb.first < sa.second) run.interleaved = true;
    }
  }
  run.metrics = metrics.RenderPrometheus();
  run.leaves = log.leaves.size();
  return run;
}

TEST_F(AttestationServiceTest, BatchedRequestsMatchOneAtATimeAndCountTheSame) {
  std::vector<InferenceRequest> requests;
  for (int i = 0; i < 12; ++i) {
    InferenceRequest r = Request("client " + std::to_string(i % 4) + " asks question " + std::to_string(i * 13));
    r.client = "c" + std::to_string(i % 4);
    r.max_tokens = i == 0 ? 60 : 6 + (i * 7) % 23;
    if (i % 3 == 1) {
      r.temperature = 0.9f;
      r.seed = static_cast<uint64_t>(i);
    }
    if (i == 7) r.stop = {"e"};
    requests.push_back(r);
  }
  const size_t cancel_index = 5;
  BatchRun one = RunConcurrently(dir_->path() + "/tiny-qwen2", 1, 0, requests, cancel_index);
  // Prompts fed 3 tokens per step (all are longer; checked below) while others decode.
  BatchRun four = RunConcurrently(dir_->path() + "/tiny-qwen2", 4, 3, requests, cancel_index);
  EXPECT_FALSE(one.interleaved) << "max_batch 1 must run one request at a time";
  EXPECT_TRUE(four.overlapped) << "no request streamed while request 0 held its batch slot";
  EXPECT_TRUE(four.interleaved);

  int64_t prompt_tokens = 0, completion_tokens = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    if (i == cancel_index) {
      EXPECT_EQ(one.results[i].status().code(), absl::StatusCode::kCancelled) << one.results[i].status();
      EXPECT_EQ(four.results[i].status().code(), absl::StatusCode::kCancelled) << four.results[i].status();
      continue;
    }
    ASSERT_TRUE(one.results[i].ok()) << i << ": " << one.results[i].status();
    ASSERT_TRUE(four.results[i].ok()) << i << ": " << four.results[i].status();
    const InferenceResult& a = *one.results[i];
    const InferenceResult& b = *four.results[i];
    EXPECT_EQ(b.token_ids, a.token_ids) << i;
    EXPECT_EQ(b.text, a.text) << i;
    EXPECT_EQ(b.finish_reason, a.finish_reason) << i;
    EXPECT_EQ(four.streamed[i], b.text) << i;
    EXPECT_EQ(one.streamed[i], a.text) << i;
    EXPECT_TRUE(b.receipt.has_value()) << i;
    EXPECT_GT(b.prompt_token_ids.size(), 3u) << i << ": too short to be fed in pieces";
    prompt_tokens += static_cast<int64_t>(b.prompt_token_ids.size());
    completion_tokens += static_cast<int64_t>(b.token_ids.size());
  }
  for (const BatchRun* run : {&one, &four}) {
    EXPECT_EQ(run->leaves, requests.size() - 1);
    EXPECT_EQ(MetricValue(run->metrics, "attestd_prompt_tokens_total"), prompt_tokens);
    EXPECT_EQ(MetricValue(run->metrics, "attestd_completion_tokens_total"), completion_tokens);
    EXPECT_EQ(MetricValue(run->metrics, "attestd_ledger_append_seconds_count"),
              static_cast<int64_t>(requests.size() - 1));
    // Every generated token took one step of its request.
    EXPECT_GE(MetricValue(run->metrics, "attestd_batch_step_requests_total"), completion_tokens);
  }
  EXPECT_EQ(MetricValue(one.metrics, "attestd_batch_step_requests_total"),
            MetricValue(one.metrics, "attestd_batch_steps_total"))
      << "max_batch 1 ran a step over more than one request";
  EXPECT_GT(MetricValue(four.metrics, "attestd_batch_step_requests_total"),
            MetricValue(four.metrics, "attestd_batch_steps_total"))
      << "max_batch 4 never ran a step over more than one request";
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
