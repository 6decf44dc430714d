// The engine against a PyTorch implementation written from the published
// architecture (torch_reference.py): logits at every greedy step within a
// tight tolerance, and the greedy tokens exactly. Skips when /usr/bin/python3
// cannot import torch.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "kernels/context.h"
#include "model/config.h"
#include "model/engine.h"
#include "model/transformer.h"
#include "model/weights.h"
#include "tests/model/synth_fixture.h"

namespace attestd::model {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

bool TorchAvailable() {
  std::string cmd = std::string(kPython) + " -c 'import torch' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

class TorchReferenceTest : public ::testing::TestWithParam<ModelFamily> {};

// Runs torch_reference.py and the engine on the model in `dir` and compares
// logits at every greedy step and the tokens.
void ExpectEngineMatchesTorch(const std::string& dir, ModelFamily family, const std::string& want_dtype) {
  const std::vector<int32_t> prompt = {12, 200, 33, 480, 7, 64, 150, 9, 1, 310};
  const int steps = 10;
  std::string ids;
  for (int32_t t : prompt) ids += (ids.empty() ? "" : ",") + std::to_string(t);
  const std::string out = dir + "/torch.json";
  const std::string cmd =
      std::string(kPython) + " model/torch_reference.py " + dir + " " + ids + " " + std::to_string(steps) + " " + out;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(out);
  nlohmann::json ref = nlohmann::json::parse(in);

  auto c = LoadModelConfig(dir);
  ASSERT_TRUE(c.ok());
  auto w = LoadModelWeights(dir, *c);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ((*w)->dtype, want_dtype);
  Transformer tf(*c, **w);
  kernels::ThreadPool pool(2);
  kernels::KernelContext ctx{&pool, true};
  auto cache = tf.NewCache(64);
  std::vector<float> logits;
  std::vector<ForwardSegment> seg = {{cache.get(), prompt, &logits}};
  double max_err = 0, max_abs = 0;
  std::vector<int32_t> tokens;
  for (int s = 0; s < steps; ++s) {
    ASSERT_TRUE(tf.Forward(ctx, seg).ok());
    const auto& want = ref["logits"][static_cast<size_t>(s)];
    ASSERT_EQ(want.size(), logits.size());
    for (size_t i = 0; i < logits.size(); ++i) {
      max_err = std::max(max_err, std::fabs(static_cast<double>(logits[i]) - want[i].get<double>()));
      max_abs = std::max(max_abs, std::fabs(want[i].get<double>()));
    }
    auto next = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    tokens.push_back(next);
    seg[0].ids = {next};
  }
  std::cout << "[ torch    ] " << ModelFamilyName(family) << " " << want_dtype << ": max |logit - torch| = " << max_err
            << " over " << steps << " steps (max |logit| " << max_abs << ")\n";
  EXPECT_LT(max_err, 1e-4 * std::max(1.0, max_abs));
  EXPECT_EQ(tokens, ref["tokens"].get<std::vector<int32_t>>());

  // The Engine's greedy output is the same token sequence.
  auto engine = Engine::Load(dir, {1, NumericMode::kCanonical, KernelPath::kAuto});
  ASSERT_TRUE(engine.ok()) << engine.status();
  EXPECT_EQ((*engine)->info().weight_dtype, want_dtype);
  GenerationRequest r;
  r.prompt_token_ids = prompt;
  r.max_tokens = steps;
  r.ignore_eos = true;
  auto g = (*engine)->Generate(r, nullptr, nullptr);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->output_token_ids, tokens);
}

TEST_P(TorchReferenceTest, LogitsAndGreedyTokensMatchPyTorch) {
  if (!TorchAvailable()) GTEST_SKIP() << "skipping: /usr/bin/python3 cannot import torch (apt install python3-torch)";
  TempSynthModel m(GetParam(), 21, 3);
  ASSERT_TRUE(m.status().ok()) << m.status();
  ExpectEngineMatchesTorch(m.dir(), GetParam(), "bf16");
}

// Checkpoints also ship in f16 (and f32): the same model converted by
// PyTorch must load and agree with PyTorch on the converted weights.
TEST_P(TorchReferenceTest, F16AndF32CheckpointsMatchPyTorch) {
  if (!TorchAvailable()) GTEST_SKIP() << "skipping: /usr/bin/python3 cannot import torch (apt install python3-torch)";
  for (const std::string dtype : {"F16", "F32"}) {
    TempSynthModel m(GetParam(), 21, 3);
    ASSERT_TRUE(m.status().ok()) << m.status();
    const std::string rewrite = std::string(kPython) + " model/rewrite_safetensors_dtype.py " + m.dir() + " " + dtype;
    ASSERT_EQ(std::system(rewrite.c_str()), 0) << rewrite;
    ExpectEngineMatchesTorch(m.dir(), GetParam(), dtype == "F16" ? "f16" : "f32");
  }
}

// Sets "rope_scaling" in the config.json of `dir` to `scaling` (JSON text).
void SetRopeScaling(const std::string& dir, const std::string& scaling) {
  nlohmann::json config;
  {
    std::ifstream in(dir + "/config.json");
    config = nlohmann::json::parse(in);
  }
  config["rope_scaling"] = nlohmann::json::parse(scaling);
  std::ofstream(dir + "/config.json") << config.dump(2);
}

// The engine's logits for the last position of `prompt` on the model in `dir`.
std::vector<float> PromptLogits(const std::string& dir, const std::vector<int32_t>& prompt) {
  auto c = LoadModelConfig(dir);
  EXPECT_TRUE(c.ok()) << c.status();
  auto w = LoadModelWeights(dir, *c);
  EXPECT_TRUE(w.ok()) << w.status();
  if (!c.ok() || !w.ok()) return {};
  Transformer tf(*c, **w);
  kernels::ThreadPool pool(1);
  kernels::KernelContext ctx{&pool, true};
  auto cache = tf.NewCache(64);
  std::vector<float> logits;
  std::vector<ForwardSegment> seg = {{cache.get(), prompt, &logits}};
  EXPECT_TRUE(tf.Forward(ctx, seg).ok());
  return logits;
}

// Llama 3.x checkpoints scale RoPE ("llama3"), some fine-tunes linearly; the
// engine must apply both as Hugging Face does, not ignore them. The tiny
// model (head_dim 16, rope_theta 500000) has wavelengths 6.3, 32, 167, ...;
// a 16-position original context with low_freq_factor 0.25 and
// high_freq_factor 2 puts them in all three llama3 bands: below 8 kept,
// 8 to 64 blended, above 64 divided.
TEST_P(TorchReferenceTest, ScaledRopeMatchesPyTorch) {
  if (!TorchAvailable()) GTEST_SKIP() << "skipping: /usr/bin/python3 cannot import torch (apt install python3-torch)";
  const std::vector<int32_t> prompt = {12, 200, 33, 480, 7, 64, 150, 9, 1, 310};
  for (const std::string scaling :
       {R"({"rope_type":"llama3","factor":8.0,"low_freq_factor":0.25,"high_freq_factor":2.0,)"
        R"("original_max_position_embeddings":16})",
        R"({"type":"linear","factor":4.0})"}) {
    SCOPED_TRACE(scaling);
    TempSynthModel m(GetParam(), 21, 3);
    ASSERT_TRUE(m.status().ok()) << m.status();
    const std::vector<float> unscaled = PromptLogits(m.dir(), prompt);
    SetRopeScaling(m.dir(), scaling);
    const std::vector<float> scaled = PromptLogits(m.dir(), prompt);
    ASSERT_EQ(scaled.size(), unscaled.size());
    EXPECT_NE(0, std::memcmp(scaled.data(), unscaled.data(), scaled.size() * 4)) << "rope_scaling had no effect";
    ExpectEngineMatchesTorch(m.dir(), GetParam(), "bf16");
  }
}

INSTANTIATE_TEST_SUITE_P(Families, TorchReferenceTest, ::testing::Values(ModelFamily::kLlama, ModelFamily::kQwen2),
                         [](const auto& param_info) { return std::string(ModelFamilyName(param_info.param)); });

}  // namespace
}  // namespace attestd::model
