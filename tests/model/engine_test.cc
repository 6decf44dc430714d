// Determinism and bad-input tests of the transformer and the Engine on
// synthetic tiny models.
#include "model/engine.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "kernels/bf16.h"
#include "kernels/context.h"
#include "model/safetensors.h"
#include "model/config.h"
#include "model/transformer.h"
#include "model/weights.h"
#include "tests/model/synth_fixture.h"

namespace attestd::model {
namespace {

// Greedy-decodes `steps` tokens with the transformer directly and returns
// every step's logits, concatenated.
std::vector<float> RunLogits(const ModelConfig& c, const ModelWeights& w, const kernels::KernelContext& ctx,
                             std::vector<int32_t> prompt, int steps) {
  Transformer tf(c, w);
  auto cache = tf.NewCache(static_cast<int64_t>(prompt.size()) + steps);
  std::vector<float> all, logits;
  std::vector<ForwardSegment> seg = {{cache.get(), prompt, &logits}};
  for (int s = 0; s < steps; ++s) {
    EXPECT_TRUE(tf.Forward(ctx, seg).ok());
    all.insert(all.end(), logits.begin(), logits.end());
    int32_t next = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    seg[0].ids = {next};
  }
  return all;
}

class TinyModelTest : public ::testing::TestWithParam<ModelFamily> {};

TEST_P(TinyModelTest, LogitsIgnoreThreadsPathRunAndBatch) {
  TempSynthModel m(GetParam(), 5);
  ASSERT_TRUE(m.status().ok()) << m.status();
  auto c = LoadModelConfig(m.dir());
  ASSERT_TRUE(c.ok()) << c.status();
  auto w = LoadModelWeights(m.dir(), *c);
  ASSERT_TRUE(w.ok()) << w.status();
  const std::vector<int32_t> prompt = {1, 17, 300, 42, 7, 99, 250};
  const int steps = 6;
  kernels::KernelContext scalar{nullptr, false};
  const std::vector<float> reference = RunLogits(*c, **w, scalar, prompt, steps);
  for (int threads : {1, 2, 4}) {
    kernels::ThreadPool pool(threads);
    for (bool vec : {false, true}) {
      kernels::KernelContext ctx{&pool, vec};
      auto got = RunLogits(*c, **w, ctx, prompt, steps);
      ASSERT_EQ(got.size(), reference.size());
      EXPECT_EQ(0, std::memcmp(got.data(), reference.data(), got.size() * 4)) << threads << " threads, vec " << vec;
    }
  }

  // The same prompt in a batch with two other sequences (one prefilling,
  // one longer) gives the same logits bits as alone.
  Transformer tf(*c, **w);
  kernels::ThreadPool pool(2);
  kernels::KernelContext ctx{&pool, true};
  auto a = tf.NewCache(64), b = tf.NewCache(64), d = tf.NewCache(64);
  std::vector<float> la, lb, ld;
  std::vector<ForwardSegment> batch = {{b.get(), {5, 6, 7, 8, 9, 10, 11, 12, 13}, &lb},
                                       {a.get(), prompt, &la},
                                       {d.get(), {3}, &ld}};
  ASSERT_TRUE(tf.Forward(ctx, batch).ok());
  EXPECT_EQ(0, std::memcmp(la.data(), reference.data(), la.size() * 4));
  // Prefill token by token (decode path) ends at the same logits as one prefill.
  auto e = tf.NewCache(64);
  std::vector<float> le;
  for (int32_t id : prompt) {
    std::vector<ForwardSegment> one = {{e.get(), {id}, &le}};
    ASSERT_TRUE(tf.Forward(ctx, one).ok());
  }
  EXPECT_EQ(0, std::memcmp(le.data(), reference.data(), le.size() * 4));
}

// Prompts long enough for the 4-row x 3-token matmul tiles, with lengths
// that leave a partial tile of tokens: one prefill must end at the same
// logits bits as feeding the prompt one token at a time (1-token matmuls).
TEST_P(TinyModelTest, PrefillWithPartialTokenTileMatchesTokenByToken) {
  TempSynthModel m(GetParam(), 6);
  ASSERT_TRUE(m.status().ok()) << m.status();
  auto c = LoadModelConfig(m.dir());
  ASSERT_TRUE(c.ok()) << c.status();
  auto w = LoadModelWeights(m.dir(), *c);
  ASSERT_TRUE(w.ok()) << w.status();
  Transformer tf(*c, **w);
  kernels::ThreadPool pool(2);
  kernels::KernelContext ctx{&pool, true};
  for (int length : {6, 8, 13, 31}) {
    std::vector<int32_t> prompt;
    for (int i = 0; i < length; ++i) prompt.push_back((i * 37 + 5) % 500);
    auto whole = tf.NewCache(64), stepwise = tf.NewCache(64);
    std::vector<float> lw, ls;
    std::vector<ForwardSegment> once = {{whole.get(), prompt, &lw}};
    ASSERT_TRUE(tf.Forward(ctx, once).ok());
    for (int32_t id : prompt) {
      std::vector<ForwardSegment> one = {{stepwise.get(), {id}, &ls}};
      ASSERT_TRUE(tf.Forward(ctx, one).ok());
    }
    ASSERT_EQ(lw.size(), ls.size());
    EXPECT_EQ(0, std::memcmp(lw.data(), ls.data(), lw.size() * 4)) << "prompt of " << length << " tokens";
  }
}

TEST_P(TinyModelTest, GenerateIgnoresThreadsAndBatch) {
  TempSynthModel m(GetParam(), 11);
  ASSERT_TRUE(m.status().ok()) << m.status();
  GenerationRequest greedy;
  greedy.prompt_token_ids = {10, 20, 30, 40};
  greedy.max_tokens = 12;
  greedy.ignore_eos = true;
  GenerationRequest sampled = greedy;
  sampled.temperature = 1.5f;
  sampled.top_k = 40;
  sampled.top_p = 0.9f;
  sampled.seed = 1234;
  sampled.prompt_token_ids = {7, 8};

  std::vector<GenerationResult> reference;
  for (int threads : {1, 2, 4}) {
    for (KernelPath path : {KernelPath::kScalar, KernelPath::kAuto}) {
      auto engine = Engine::Load(m.dir(), {threads, NumericMode::kCanonical, path});
      ASSERT_TRUE(engine.ok()) << engine.status();
      auto g = (*engine)->Generate(greedy, nullptr, nullptr);
      auto s = (*engine)->Generate(sampled, nullptr, nullptr);
      ASSERT_TRUE(g.ok() && s.ok());
      EXPECT_EQ(g->output_token_ids.size(), 12u);
      EXPECT_EQ(g->finish_reason, "length");
      if (reference.empty()) {
        reference = {*g, *s};
        continue;
      }
      EXPECT_EQ(g->output_token_ids, reference[0].output_token_ids);
      EXPECT_EQ(s->output_token_ids, reference[1].output_token_ids);
      EXPECT_EQ(s->text, reference[1].text);
      auto batch = (*engine)->GenerateBatch({sampled, greedy, sampled}, nullptr);
      ASSERT_TRUE(batch.ok()) << batch.status();
      EXPECT_EQ((*batch)[0].output_token_ids, reference[1].output_token_ids);
      EXPECT_EQ((*batch)[1].output_token_ids, reference[0].output_token_ids);
      EXPECT_EQ((*batch)[2].output_token_ids, reference[1].output_token_ids);
    }
  }
  // The seed matters: some other seed gives a different sample.
  auto engine = Engine::Load(m.dir(), {});
  ASSERT_TRUE(engine.ok());
  bool any_differs = false;
  for (uint64_t seed = 1235; seed < 1245 && !any_differs; ++seed) {
    sampled.seed = seed;
    auto other = (*engine)->Generate(sampled, nullptr, nullptr);
    ASSERT_TRUE(other.ok());
    any_differs = other->output_token_ids != reference[1].output_token_ids;
  }
  EXPECT_TRUE(any_differs);
}

// Rewrites dir/model.safetensors with every tensor widened exactly to F32.
void RewriteWeightsAsF32(const std::string& dir) {
  std::string data;
  nlohmann::json header;
  header["__metadata__"] = {{"format", "pt"}};
  {
    auto file = SafetensorsFile::Open(dir + "/model.safetensors");
    ASSERT_TRUE(file.ok()) << file.status();
    for (const auto& [name, info] : (*file)->tensors()) {
      ASSERT_EQ(info.dtype, StDtype::kBF16);
      auto view = (*file)->Get(name);
      ASSERT_TRUE(view.ok());
      const uint64_t begin = data.size();
      for (int64_t i = 0; i < info.elements(); ++i) {
        uint16_t h;
        std::memcpy(&h, view->data + 2 * i, 2);
        float f = kernels::Bf16ToF32(h);
        data.append(reinterpret_cast<const char*>(&f), 4);
      }
      header[name] = {{"dtype", "F32"}, {"shape", info.shape}, {"data_offsets", {begin, data.size()}}};
    }
  }
  std::string text = header.dump();
  std::ofstream out(dir + "/model.safetensors", std::ios::binary | std::ios::trunc);
  uint64_t n = text.size();
  out.write(reinterpret_cast<const char*>(&n), 8);
  out << text << data;
}

TEST_P(TinyModelTest, F32CopyOfTheWeightsGivesTheSameLogits) {
  // bf16 -> f32 widening is exact and all arithmetic is f32, so the same
  // weights stored as F32 must give bit-identical logits.
  TempSynthModel m(GetParam(), 8);
  ASSERT_TRUE(m.status().ok()) << m.status();
  const std::vector<int32_t> prompt = {3, 1, 4, 1, 5, 9, 2, 6};
  kernels::KernelContext ctx{nullptr, true};
  auto c = LoadModelConfig(m.dir());
  ASSERT_TRUE(c.ok());
  std::vector<float> from_bf16;
  {
    auto w = LoadModelWeights(m.dir(), *c);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ((*w)->dtype, "bf16");
    from_bf16 = RunLogits(*c, **w, ctx, prompt, 4);
  }
  RewriteWeightsAsF32(m.dir());
  auto w = LoadModelWeights(m.dir(), *c);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ((*w)->dtype, "f32");
  auto from_f32 = RunLogits(*c, **w, ctx, prompt, 4);
  ASSERT_EQ(from_f32.size(), from_bf16.size());
  EXPECT_EQ(0, std::memcmp(from_f32.data(), from_bf16.data(), from_f32.size() * 4));
}

INSTANTIATE_TEST_SUITE_P(Families, TinyModelTest, ::testing::Values(ModelFamily::kLlama, ModelFamily::kQwen2),
                         [](const auto& param_info) { return std::string(ModelFamilyName(param_info.param)); });

class EngineTest : public SynthEngineSuite {};

TEST_F(EngineTest, BadRequestsAreRejected) {
  const ModelInfo& info = engine_->info();
  EXPECT_EQ(info.vocab_size, 512);
  EXPECT_EQ(info.weight_dtype, "bf16");
  GenerationRequest r;
  r.prompt_token_ids = {};
  EXPECT_EQ(engine_->Generate(r, nullptr, nullptr).status().code(), absl::StatusCode::kInvalidArgument);
  r.prompt_token_ids = {1, 512};
  EXPECT_EQ(engine_->Generate(r, nullptr, nullptr).status().code(), absl::StatusCode::kInvalidArgument);
  r.prompt_token_ids = {1, -1};
  EXPECT_EQ(engine_->Generate(r, nullptr, nullptr).status().code(), absl::StatusCode::kInvalidArgument);
  r.prompt_token_ids.assign(static_cast<size_t>(info.context_length), 5);
  auto too_long = engine_->Generate(r, nullptr, nullptr);
  EXPECT_EQ(too_long.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(too_long.status().message().find("context holds"), std::string::npos) << too_long.status();
  r.prompt_token_ids = {1};
  r.top_p = 0.0f;
  EXPECT_FALSE(engine_->Generate(r, nullptr, nullptr).ok());
  r.top_p = 1.0f;
  r.temperature = -1.0f;
  EXPECT_FALSE(engine_->Generate(r, nullptr, nullptr).ok());
  r.temperature = 0.0f;
  r.max_tokens = 0;
  EXPECT_FALSE(engine_->Generate(r, nullptr, nullptr).ok());
  GenerationRequest good;
  good.prompt_token_ids = {1};
  auto batch = engine_->GenerateBatch({good, r}, nullptr);
  EXPECT_NE(batch.status().message().find("request 1"), std::string::npos) << batch.status();
}

TEST_F(EngineTest, MaxTokensIsCutToTheContext) {
  GenerationRequest r;
  r.prompt_token_ids.assign(static_cast<size_t>(engine_->info().context_length - 3), 9);
  r.max_tokens = 100;
  r.ignore_eos = true;
  auto g = engine_->Generate(r, nullptr, nullptr);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->output_token_ids.size(), 3u);
  EXPECT_EQ(g->finish_reason, "length");
}

TEST_F(EngineTest, StreamedDeltasConcatenateToTextWithoutTheStopString) {
  GenerationRequest r;
  ASSERT_TRUE(engine_->Encode("Hello world").ok());
  r.prompt_token_ids = *engine_->Encode("Hello world");
  r.max_tokens = 30;
  r.ignore_eos = true;
  r.temperature = 1.0f;
  r.seed = 5;
  std::string streamed;
  int calls = 0;
  auto full = engine_->Generate(r, [&](int32_t, std::string_view d) {
    streamed += d;
    ++calls;
    return true;
  }, nullptr);
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(calls, 30);
  EXPECT_EQ(streamed, full->text);
  auto decoded = engine_->Decode(full->output_token_ids);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, full->text);
  ASSERT_GE(full->text.size(), 6u);

  // Stop at a string taken from the middle of the unconstrained output.
  r.stop_strings = {full->text.substr(full->text.size() / 2, 3)};
  streamed.clear();
  auto stopped = engine_->Generate(r, [&](int32_t, std::string_view d) {
    streamed += d;
    return true;
  }, nullptr);
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(stopped->finish_reason, "stop");
  EXPECT_EQ(streamed, stopped->text);
  EXPECT_EQ(stopped->text.find(r.stop_strings[0]), std::string::npos);
  EXPECT_EQ(full->text.substr(0, stopped->text.size()), stopped->text);
  EXPECT_EQ(full->text.find(r.stop_strings[0]), stopped->text.size());
}

TEST_F(EngineTest, EosStopsAndCancelEndsTheRequest) {
  // Force EOS: make it the only possible token with top_k over... use the
  // greedy output's first token as EOS instead: run, then check that a
  // request stops at an EOS id when not ignoring it.
  GenerationRequest r;
  r.prompt_token_ids = {4, 5, 6};
  r.max_tokens = 40;
  r.temperature = 1.5f;
  r.seed = 77;
  auto g = engine_->Generate(r, nullptr, nullptr);
  ASSERT_TRUE(g.ok());
  const auto& eos = engine_->info().eos_token_ids;
  ASSERT_FALSE(eos.empty());
  for (size_t i = 0; i < g->output_token_ids.size(); ++i) {
    bool is_eos = std::find(eos.begin(), eos.end(), g->output_token_ids[i]) != eos.end();
    if (is_eos) {
      EXPECT_EQ(i + 1, g->output_token_ids.size());
      EXPECT_EQ(g->finish_reason, "stop");
    }
  }
  // Cancellation from the callback and from the flag.
  r.ignore_eos = true;
  int calls = 0;
  auto c = engine_->Generate(r, [&](int32_t, std::string_view) { return ++calls < 3; }, nullptr);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->finish_reason, "cancelled");
  EXPECT_EQ(c->output_token_ids.size(), 3u);
  std::atomic<bool> cancel{true};
  auto f = engine_->Generate(r, nullptr, &cancel);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->finish_reason, "cancelled");
  EXPECT_EQ(f->output_token_ids.size(), 1u);
}

// Rewrites the model's safetensors with one tensor renamed or reshaped.
class BrokenModelTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(model_.status().ok()) << model_.status(); }
  std::string ReadWeights() {
    std::ifstream in(model_.dir() + "/model.safetensors", std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void WriteWeights(const std::string& s) {
    std::ofstream out(model_.dir() + "/model.safetensors", std::ios::binary | std::ios::trunc);
    out << s;
  }
  // Replaces `from` by `to` (same length) in the header.
  void PatchHeader(const std::string& from, const std::string& to) {
    ASSERT_EQ(from.size(), to.size());
    std::string s = ReadWeights();
    size_t at = s.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    s.replace(at, from.size(), to);
    WriteWeights(s);
  }
  absl::Status LoadStatus() { return Engine::Load(model_.dir(), {}).status(); }
  TempSynthModel model_{ModelFamily::kLlama, 1};
};

TEST_F(BrokenModelTest, MissingTensorIsNotFoundByName) {
  PatchHeader("model.norm.weight", "model.norX.weight");
  absl::Status s = LoadStatus();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
  EXPECT_NE(s.message().find("model.norm.weight"), std::string::npos) << s;
}

TEST_F(BrokenModelTest, ShapeMismatchIsRefusedWithTheWantedShape) {
  // [64, 64] -> [8, 512] keeps the byte size, so only the shape check sees it.
  std::string s = ReadWeights();
  size_t at = s.find("\"model.layers.0.self_attn.q_proj.weight\"");
  ASSERT_NE(at, std::string::npos);
  size_t shape = s.find("[64,64]", at);
  ASSERT_NE(shape, std::string::npos);
  s.replace(shape, 7, "[8,512]");
  WriteWeights(s);
  absl::Status st = LoadStatus();
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("want [64, 64]"), std::string::npos) << st;
}

TEST_F(BrokenModelTest, TruncatedWeightsAreDataLoss) {
  std::string s = ReadWeights();
  WriteWeights(s.substr(0, s.size() - 100));
  absl::Status st = LoadStatus();
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << st;
}

TEST_F(BrokenModelTest, UnknownDtypeIsInvalidArgument) {
  PatchHeader("\"BF16\"", "\"BX16\"");
  absl::Status st = LoadStatus();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
}

TEST_F(BrokenModelTest, MissingConfigOrTokenizerIsNotFound) {
  std::filesystem::remove(model_.dir() + "/tokenizer.json");
  EXPECT_FALSE(LoadStatus().ok());
  std::filesystem::remove(model_.dir() + "/config.json");
  EXPECT_EQ(LoadStatus().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace attestd::model
