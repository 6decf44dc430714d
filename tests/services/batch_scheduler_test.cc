// The per-model scheduler thread without the service: bad requests, a stop
// poll while tokens flow, and shutdown with a request still in the batch.
#include "services/batch_scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "model/synth_model.h"
#include "tests/services/server_fixture.h"

namespace attestd::service {
namespace {

class BatchSchedulerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir("scheduler");
    model::SynthOptions synth;
    synth.seed = 2;
    synth.layers = 8;  // slow enough that 1000 tokens outlast a stop poll or a shutdown
    ASSERT_TRUE(model::WriteSynthModel(dir_->path() + "/tiny", synth).ok());
  }
  static void TearDownTestSuite() { delete dir_; }

  void SetUp() override {
    auto engine = model::Engine::Load(dir_->path() + "/tiny", {});
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
  }

  static model::GenerationRequest LongRequest() {
    model::GenerationRequest r;
    r.prompt_token_ids = {5, 6, 7};
    r.max_tokens = 1000;
    r.ignore_eos = true;
    return r;
  }

  static testing::TempDir* dir_;
  std::unique_ptr<model::Engine> engine_;
};
testing::TempDir* BatchSchedulerTest::dir_ = nullptr;

TEST_F(BatchSchedulerTest, BadRequestIsNotInvalidArgument) {
  BatchScheduler scheduler(engine_.get());
  model::GenerationRequest r = LongRequest();
  r.prompt_token_ids.push_back(static_cast<int32_t>(engine_->info().vocab_size));
  auto result = scheduler.Run(r, {}, {});
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << result.status();
  r = LongRequest();
  r.max_tokens = 4;
  auto good = scheduler.Run(r, {}, {});
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->output_token_ids.size(), 4u);
}

TEST_F(BatchSchedulerTest, StopPollDoesNotEndTheRequest) {
  BatchScheduler scheduler(engine_.get());
  std::atomic<int> tokens{0};
  auto result = scheduler.Run(
      LongRequest(),
      [&](int32_t, std::string_view) {
        ++tokens;
        return true;
      },
      [&] { return tokens.load() >= 5; });
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->finish_reason, "cancelled");
  EXPECT_LT(result->output_token_ids.size(), 1000u);
  EXPECT_GE(tokens.load(), 5);
}

TEST_F(BatchSchedulerTest, ShutdownCancelsALiveRequestAndReturnsIt) {
  auto scheduler = std::make_unique<BatchScheduler>(engine_.get());
  std::atomic<bool> streaming{false};
  absl::StatusOr<model::GenerationResult> result = absl::UnknownError("not run");
  std::thread caller([&] {
    result = scheduler->Run(
        LongRequest(),
        [&](int32_t, std::string_view) {
          streaming = true;
          return true;
        },
        {});
  });
  while (!streaming.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  scheduler.reset();  // cancels the live request and joins the thread
  caller.join();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->finish_reason, "cancelled");
}

}  // namespace
}  // namespace attestd::service
