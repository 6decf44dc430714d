// Continuous batching (model/batch_runner.h): requests that join a running
// batch at different steps and leave it early must produce exactly what
// Engine::Generate produces for each of them alone: same token ids, text,
// finish reason, step count, and the same streamed (token, delta) calls.
#include "model/batch_runner.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "model/engine.h"
#include "tests/model/synth_fixture.h"

namespace attestd::model {
namespace {

using Calls = std::vector<std::pair<int32_t, std::string>>;

// How a test request ends besides its own limits.
struct Plan {
  GenerationRequest request;
  int join_step = 0;            // admitted just before this Step (0 = the first)
  int callback_false_at = -1;   // the callback returns false on this call (1-based)
  int set_cancel_at = -1;       // the callback sets the cancel flag on this call
};

struct Outcome {
  GenerationResult result;
  Calls calls;
};

// The callback of `plan`, recording into `calls` and driving `cancel`.
TokenCallback Recorder(const Plan& plan, Calls* calls, std::atomic<bool>* cancel) {
  return [&plan, calls, cancel](int32_t token, std::string_view delta) {
    calls->emplace_back(token, std::string(delta));
    const int n = static_cast<int>(calls->size());
    if (n == plan.set_cancel_at) cancel->store(true);
    return n != plan.callback_false_at;
  };
}

class BatchRunnerTest : public SynthEngineSuite {
 protected:
  static std::vector<int32_t> Tokens(const std::string& text) {
    auto ids = engine_->Encode(text);
    EXPECT_TRUE(ids.ok()) << ids.status();
    return ids.ok() ? *ids : std::vector<int32_t>{1};
  }

  static Outcome Alone(const Plan& plan) {
    Outcome out;
    std::atomic<bool> cancel{false};
    auto g = engine_->Generate(plan.request, Recorder(plan, &out.calls, &cancel), &cancel);
    EXPECT_TRUE(g.ok()) << g.status();
    if (g.ok()) out.result = std::move(*g);
    return out;
  }

  // Runs every plan through one runner, each admitted before its join step,
  // prompts fed `prefill_chunk` tokens per step (0 = whole). Returns the
  // outcomes in plan order and the largest batch seen.
  static std::pair<std::vector<Outcome>, size_t> Batched(const std::vector<Plan>& plans, int64_t prefill_chunk = 0) {
    std::unique_ptr<BatchRunner> runner = engine_->NewBatchRunner();
    runner->SetPrefillChunk(prefill_chunk);
    std::vector<Outcome> outs(plans.size());
    std::vector<std::atomic<bool>> cancels(plans.size());
    std::map<BatchRunner::Ticket, size_t> plan_of;
    size_t admitted = 0, largest = 0;
    for (int step = 0; admitted < plans.size() || runner->size() > 0; ++step) {
      for (size_t i = 0; i < plans.size(); ++i) {
        if (plans[i].join_step != step) continue;
        auto t = runner->Admit(plans[i].request, Recorder(plans[i], &outs[i].calls, &cancels[i]), &cancels[i]);
        EXPECT_TRUE(t.ok()) << t.status();
        if (t.ok()) plan_of[*t] = i;
        ++admitted;
      }
      largest = std::max(largest, runner->size());
      auto finished = runner->Step();
      EXPECT_TRUE(finished.ok()) << finished.status();
      if (!finished.ok()) break;
      for (auto& f : *finished) outs[plan_of.at(f.ticket)].result = std::move(f.result);
    }
    return {std::move(outs), largest};
  }

  static void ExpectSame(const Outcome& alone, const Outcome& batched, size_t index) {
    EXPECT_EQ(batched.result.output_token_ids, alone.result.output_token_ids) << "request " << index;
    EXPECT_EQ(batched.result.text, alone.result.text) << "request " << index;
    EXPECT_EQ(batched.result.finish_reason, alone.result.finish_reason) << "request " << index;
    EXPECT_EQ(batched.result.decode_steps, alone.result.decode_steps) << "request " << index;
    EXPECT_EQ(batched.calls, alone.calls) << "request " << index;
  }
};

TEST_F(BatchRunnerTest, JoiningOrLeavingABatchKeepsOutputs) {
  std::vector<Plan> plans(7);
  plans[0].request.prompt_token_ids = Tokens("Hello world");
  plans[0].request.max_tokens = 24;
  plans[0].request.ignore_eos = true;

  plans[1].request.prompt_token_ids = Tokens("the quick brown fox");
  plans[1].request.max_tokens = 7;  // leaves early on length
  plans[1].request.temperature = 1.0f;
  plans[1].request.seed = 5;
  plans[1].request.ignore_eos = true;
  plans[1].join_step = 2;

  plans[2].request.prompt_token_ids = Tokens("a b c d e f g h i j");
  plans[2].request.max_tokens = 30;
  plans[2].request.temperature = 0.8f;
  plans[2].request.top_k = 50;
  plans[2].request.top_p = 0.9f;
  plans[2].request.seed = 9;
  plans[2].join_step = 4;

  plans[3].request.prompt_token_ids = Tokens("cancel me from the callback");
  plans[3].request.max_tokens = 25;
  plans[3].request.temperature = 1.2f;
  plans[3].request.seed = 11;
  plans[3].request.ignore_eos = true;
  plans[3].callback_false_at = 5;

  plans[4].request.prompt_token_ids = Tokens("cancel me with the flag");
  plans[4].request.max_tokens = 25;
  plans[4].request.ignore_eos = true;
  plans[4].set_cancel_at = 3;
  plans[4].join_step = 6;

  plans[5].request.prompt_token_ids = Tokens("one");
  plans[5].request.max_tokens = 1;
  plans[5].join_step = 3;

  plans[6].request.prompt_token_ids = Tokens("stop string seeker");
  plans[6].request.max_tokens = 28;
  plans[6].request.temperature = 1.0f;
  plans[6].request.seed = 21;
  plans[6].request.ignore_eos = true;
  plans[6].join_step = 1;
  // A stop string taken from the middle of its unconstrained output.
  const Outcome free_run = Alone(plans[6]);
  ASSERT_GE(free_run.result.text.size(), 8u);
  plans[6].request.stop_strings = {free_run.result.text.substr(free_run.result.text.size() / 2, 3)};

  std::vector<Outcome> alone;
  for (const auto& p : plans) alone.push_back(Alone(p));
  EXPECT_EQ(alone[1].result.finish_reason, "length");
  EXPECT_EQ(alone[3].result.finish_reason, "cancelled");
  EXPECT_EQ(alone[3].result.output_token_ids.size(), 5u);
  EXPECT_EQ(alone[4].result.finish_reason, "cancelled");
  EXPECT_EQ(alone[4].result.output_token_ids.size(), 4u);
  EXPECT_EQ(alone[6].result.finish_reason, "stop");

  for (int64_t chunk : {0, 1, 3}) {
    SCOPED_TRACE("prefill_chunk " + std::to_string(chunk));
    auto [batched, largest] = Batched(plans, chunk);
    EXPECT_GE(largest, 4u) << "the schedule should overlap requests";
    for (size_t i = 0; i < plans.size(); ++i) ExpectSame(alone[i], batched[i], i);
  }
}

TEST_F(BatchRunnerTest, LongPromptFedInPiecesKeepsTheBatchMovingAndOutputsEqual) {
  Plan running;
  running.request.prompt_token_ids = Tokens("already decoding");
  running.request.max_tokens = 40;
  running.request.ignore_eos = true;
  Plan joining;
  std::string text;
  for (int i = 0; i < 12; ++i) text += "word" + std::to_string(i) + " and ";
  joining.request.prompt_token_ids = Tokens(text);
  joining.request.max_tokens = 6;
  joining.request.temperature = 0.9f;
  joining.request.seed = 4;
  joining.request.ignore_eos = true;
  const size_t prompt = joining.request.prompt_token_ids.size();
  ASSERT_GE(prompt, 30u);

  std::unique_ptr<BatchRunner> runner = engine_->NewBatchRunner();
  const int64_t chunk = 8;
  runner->SetPrefillChunk(chunk);
  Outcome a, b;
  std::atomic<bool> cancel_a{false}, cancel_b{false};
  ASSERT_TRUE(runner->Admit(running.request, Recorder(running, &a.calls, &cancel_a), &cancel_a).ok());
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(runner->Step().ok());
  ASSERT_TRUE(runner->Admit(joining.request, Recorder(joining, &b.calls, &cancel_b), &cancel_b).ok());
  // Until its prompt is in, every step still gives the running request a token.
  const size_t pieces = (prompt + chunk - 1) / chunk;
  for (size_t step = 0; runner->size() > 0; ++step) {
    const size_t before = a.calls.size();
    auto finished = runner->Step();
    ASSERT_TRUE(finished.ok()) << finished.status();
    if (step < pieces && before < static_cast<size_t>(running.request.max_tokens)) {
      EXPECT_EQ(a.calls.size(), before + 1) << "step " << step << " of the joining prompt's feed";
    }
    EXPECT_EQ(b.calls.empty(), step + 1 < pieces) << "step " << step << ": first token after " << pieces << " pieces";
    for (auto& f : *finished) (f.ticket == 1 ? a : b).result = std::move(f.result);
  }
  ExpectSame(Alone(running), a, 0);
  ExpectSame(Alone(joining), b, 1);
}

TEST_F(BatchRunnerTest, CancelDuringAPiecewisePrefillStopsAtTheNextPiece) {
  GenerationRequest r;
  std::string text;
  for (int i = 0; i < 10; ++i) text += "piece" + std::to_string(i) + " ";
  r.prompt_token_ids = Tokens(text);
  r.max_tokens = 5;
  ASSERT_GE(r.prompt_token_ids.size(), 12u);
  std::unique_ptr<BatchRunner> runner = engine_->NewBatchRunner();
  runner->SetPrefillChunk(4);
  std::atomic<bool> cancel{false};
  int calls = 0;
  ASSERT_TRUE(runner->Admit(r, [&](int32_t, std::string_view) { return ++calls > 0; }, &cancel).ok());
  ASSERT_TRUE(runner->Step().ok());  // the first 4 prompt tokens
  cancel.store(true);
  auto finished = runner->Step();
  ASSERT_TRUE(finished.ok()) << finished.status();
  ASSERT_EQ(finished->size(), 1u) << "still feeding its prompt after a cancel";
  EXPECT_EQ((*finished)[0].result.finish_reason, "cancelled");
  EXPECT_TRUE((*finished)[0].result.output_token_ids.empty());
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(runner->size(), 0u);
}

TEST_F(BatchRunnerTest, ResultsDoNotDependOnAdmissionOrder) {
  // The same requests admitted together, forwards and backwards.
  std::vector<Plan> plans(4);
  for (size_t i = 0; i < plans.size(); ++i) {
    plans[i].request.prompt_token_ids = Tokens("prompt number " + std::to_string(i * 7));
    plans[i].request.max_tokens = 6 + static_cast<int64_t>(i) * 3;
    plans[i].request.temperature = i % 2 == 0 ? 0.0f : 0.9f;
    plans[i].request.seed = 100 + i;
  }
  auto [forward, largest] = Batched(plans);
  EXPECT_EQ(largest, plans.size());
  std::vector<Plan> reversed(plans.rbegin(), plans.rend());
  const std::vector<Outcome> backward = Batched(reversed).first;
  for (size_t i = 0; i < plans.size(); ++i) {
    ExpectSame(Alone(plans[i]), forward[i], i);
    ExpectSame(forward[i], backward[plans.size() - 1 - i], i);
  }
}

TEST_F(BatchRunnerTest, BadRequestIsRefusedWithoutDisturbingTheBatch) {
  std::unique_ptr<BatchRunner> runner = engine_->NewBatchRunner();
  EXPECT_TRUE(runner->Step().ok());  // nothing live: an empty step
  GenerationRequest good;
  good.prompt_token_ids = Tokens("Hello world");
  good.max_tokens = 5;
  good.ignore_eos = true;
  auto first = runner->Admit(good, nullptr, nullptr);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 1u);
  GenerationRequest bad = good;
  bad.prompt_token_ids.push_back(static_cast<int32_t>(engine_->info().vocab_size));
  auto refused = runner->Admit(bad, nullptr, nullptr);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("out of range"), std::string::npos) << refused.status();
  bad = good;
  bad.top_p = 0.0f;
  EXPECT_EQ(runner->Admit(bad, nullptr, nullptr).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(runner->size(), 1u);
  auto second = runner->Admit(good, nullptr, nullptr);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, 2u);

  std::vector<BatchRunner::Finished> done;
  while (runner->size() > 0) {
    auto f = runner->Step();
    ASSERT_TRUE(f.ok()) << f.status();
    for (auto& x : *f) done.push_back(std::move(x));
  }
  ASSERT_EQ(done.size(), 2u);
  auto alone = engine_->Generate(good, nullptr, nullptr);
  ASSERT_TRUE(alone.ok());
  for (const auto& f : done) {
    EXPECT_EQ(f.result.output_token_ids, alone->output_token_ids) << "ticket " << f.ticket;
    EXPECT_EQ(f.result.decode_steps, 4);
    EXPECT_GT(f.result.prefill_ns, 0);
  }
}

TEST_F(BatchRunnerTest, GenerateBetweenStepsKeepsRunnerOutputs) {
  // Another caller's Generate may run between a runner's steps (they share
  // the engine's lock one step at a time); neither may disturb the other.
  GenerationRequest r;
  r.prompt_token_ids = Tokens("interleaved");
  r.max_tokens = 10;
  r.temperature = 0.7f;
  r.seed = 3;
  r.ignore_eos = true;
  auto alone = engine_->Generate(r, nullptr, nullptr);
  ASSERT_TRUE(alone.ok());
  std::unique_ptr<BatchRunner> runner = engine_->NewBatchRunner();
  ASSERT_TRUE(runner->Admit(r, nullptr, nullptr).ok());
  std::vector<int32_t> got;
  while (runner->size() > 0) {
    auto f = runner->Step();
    ASSERT_TRUE(f.ok());
    for (auto& x : *f) got = x.result.output_token_ids;
    auto between = engine_->Generate(r, nullptr, nullptr);
    ASSERT_TRUE(between.ok());
    EXPECT_EQ(between->output_token_ids, alone->output_token_ids);
  }
  EXPECT_EQ(got, alone->output_token_ids);
}

}  // namespace
}  // namespace attestd::model
