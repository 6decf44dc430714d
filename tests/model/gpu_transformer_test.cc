// The GPU forward pass (model/gpu_transformer.h) and the engine on it, run
// by the SIMT emulator: whole-model logits memcmp-equal to the CPU
// Transformer step for step, with a batch of three sequences and a prompt
// fed in pieces, through captured graphs and eagerly; and Engine results
// equal to the CPU engine's. A test that needs a real GPU skips, saying what
// it would have checked (scripts/gpu-check.sh runs it on one).
#include "model/gpu_transformer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <tuple>

#include "kernels/argmax.h"
#include "kernels/context.h"
#include "kernels/device.h"
#include "kernels/thread_pool.h"
#include "model/batch_runner.h"
#include "model/config.h"
#include "model/engine.h"
#include "model/synth_model.h"
#include "model/transformer.h"
#include "model/weights.h"
#include "tests/model/synth_fixture.h"

namespace attestd::model {
namespace {

std::unique_ptr<kernels::Device> Emulator() {
  auto d = kernels::simt::OpenDevice();
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? std::move(*d) : nullptr;
}

// The device a parameterised test runs on: "simt" always, "cuda" where a
// GPU is (else null, and the test skips saying what it would have checked).
std::unique_ptr<kernels::Device> OpenOrNull(const std::string& kind, std::string* why) {
  if (kind == "simt") return Emulator();
  auto d = kernels::cuda::OpenDevice();
  if (!d.ok()) {
    *why = std::string(d.status().message());
    return nullptr;
  }
  return std::move(*d);
}

::testing::AssertionResult SameBits(const std::vector<float>& got, const std::vector<float>& want) {
  if (got.size() != want.size()) return ::testing::AssertionFailure() << "sizes " << got.size() << ", " << want.size();
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::memcmp(&got[i], &want[i], 4) != 0) {
      return ::testing::AssertionFailure() << "logit " << i << ": got " << got[i] << ", want " << want[i];
    }
  }
  return ::testing::AssertionSuccess();
}

// Three sequences through one ForwardPass: A's 7-token prompt in pieces of
// 3, 3 and 1 while B (5 tokens) prefills whole and C (2 tokens) joins at the
// second step; then every sequence decodes greedily until it has 12 new
// tokens. Returns every logits vector produced, in order.
std::vector<std::vector<float>> RunSchedule(ForwardPass& pass) {
  const std::vector<int32_t> a = {1, 17, 300, 42, 7, 99, 250}, b = {5, 6, 7, 8, 9}, c = {511, 2};
  auto ca = pass.NewCache(40), cb = pass.NewCache(40), cc = pass.NewCache(40);
  EXPECT_TRUE(ca.ok() && cb.ok() && cc.ok());
  std::vector<std::vector<float>> out;
  std::vector<float> la, lb, lc;
  int32_t greedy = -1;
  const auto step = [&](std::vector<ForwardSegment> segments) {
    // C also asks for its greedy token, which must be the argmax of its logits.
    for (auto& seg : segments) {
      if (seg.logits == &lc) seg.greedy = &greedy;
    }
    absl::Status s = pass.Forward(segments);
    EXPECT_TRUE(s.ok()) << s;
    for (const auto& seg : segments) {
      if (seg.logits != nullptr) out.push_back(*seg.logits);
      if (seg.greedy != nullptr) {
        EXPECT_EQ(*seg.greedy, kernels::Argmax(seg.logits->data(), static_cast<int64_t>(seg.logits->size())));
      }
    }
  };
  const auto next = [](const std::vector<float>& l) {
    return static_cast<int32_t>(std::max_element(l.begin(), l.end()) - l.begin());
  };
  step({{ca->get(), {a.begin(), a.begin() + 3}, nullptr}, {cb->get(), b, &lb}});
  step({{ca->get(), {a.begin() + 3, a.begin() + 6}, nullptr}, {cb->get(), {next(lb)}, &lb}, {cc->get(), c, &lc}});
  step({{ca->get(), {a.begin() + 6, a.end()}, &la}, {cb->get(), {next(lb)}, &lb}, {cc->get(), {next(lc)}, &lc}});
  for (int i = 0; i < 11; ++i) {
    step({{ca->get(), {next(la)}, &la}, {cb->get(), {next(lb)}, &lb}, {cc->get(), {next(lc)}, &lc}});
  }
  return out;
}

class GpuTransformerTest : public ::testing::TestWithParam<std::tuple<ModelFamily, std::string>> {
 protected:
  ModelFamily family() const { return std::get<0>(GetParam()); }
  // A fresh device of the test's kind; null after GTEST_SKIP.
  std::unique_ptr<kernels::Device> Device() {
    std::string why;
    auto d = OpenOrNull(std::get<1>(GetParam()), &why);
    if (d == nullptr && why.empty()) ADD_FAILURE() << "no emulator";
    return d;
  }
};

#define SKIP_WITHOUT_DEVICE(device, what)                                                   \
  if ((device) == nullptr) {                                                                \
    GTEST_SKIP() << "needs an NVIDIA GPU (none usable here); would check " << (what);       \
  }

TEST_P(GpuTransformerTest, LogitsEqualCpuOverTwelveBatchedStepsWithAChunkedPrompt) {
  auto probe = Device();
  SKIP_WITHOUT_DEVICE(probe, "that the GPU's per-step logits equal the CPU's on this schedule");
  probe.reset();
  TempSynthModel m(family(), 5);
  ASSERT_TRUE(m.status().ok()) << m.status();
  auto config = LoadModelConfig(m.dir());
  ASSERT_TRUE(config.ok()) << config.status();
  auto weights = LoadModelWeights(m.dir(), *config);
  ASSERT_TRUE(weights.ok()) << weights.status();

  Transformer cpu(*config, **weights);
  kernels::KernelContext ctx;
  CpuForwardPass cpu_pass(cpu, ctx);
  const std::vector<std::vector<float>> want = RunSchedule(cpu_pass);
  ASSERT_EQ(want.size(), 1u + 2u + 3u + 33u);

  for (bool graphs : {true, false}) {
    // Eagerly, also with attention in groups of one token (the path of a
    // prefill whose scores would not fit the scratch budget).
    GpuTransformer::Options options;
    options.decode_graphs = graphs;
    if (!graphs) options.attention_score_bytes = 1;
    auto gpu = GpuTransformer::Create(*config, **weights, Device(), options);
    ASSERT_TRUE(gpu.ok()) << gpu.status();
    const std::vector<std::vector<float>> got = RunSchedule(**gpu);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) ASSERT_TRUE(SameBits(got[i], want[i])) << "logits #" << i << ", graphs " << graphs;
    // Every step from the third feeds one token per sequence: the captured
    // graph of batch 3 serves all twelve.
    EXPECT_EQ((*gpu)->graph_replays(), graphs ? 12 : 0);
  }
}

TEST_P(GpuTransformerTest, ForeignCacheIsRefusedAndNothingChanges) {
  auto device = Device();
  SKIP_WITHOUT_DEVICE(device, "that a forward pass refuses a cache of another backend");
  TempSynthModel m(family(), 6);
  ASSERT_TRUE(m.status().ok()) << m.status();
  auto config = LoadModelConfig(m.dir());
  auto weights = LoadModelWeights(m.dir(), *config);
  ASSERT_TRUE(weights.ok()) << weights.status();
  auto gpu = GpuTransformer::Create(*config, **weights, std::move(device));
  ASSERT_TRUE(gpu.ok()) << gpu.status();
  Transformer cpu(*config, **weights);
  auto host_cache = cpu.NewCache(8);
  auto own = (*gpu)->NewCache(8);
  ASSERT_TRUE(own.ok());
  std::vector<float> logits;
  std::vector<ForwardSegment> segments = {{own->get(), {1, 2}, &logits}, {host_cache.get(), {3}, nullptr}};
  absl::Status s = (*gpu)->Forward(segments);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find("another backend"), std::string_view::npos) << s;
  EXPECT_EQ((*own)->length(), 0);
  // And the CPU refuses the device cache.
  kernels::KernelContext ctx;
  std::vector<ForwardSegment> back = {{own->get(), {1}, nullptr}};
  EXPECT_EQ(cpu.Forward(ctx, back).code(), absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Families, GpuTransformerTest,
                         ::testing::Combine(::testing::Values(ModelFamily::kLlama, ModelFamily::kQwen2),
                                            ::testing::Values("simt", "cuda")),
                         [](const auto& p) {
                           return std::string(std::get<0>(p.param) == ModelFamily::kLlama ? "llama_" : "qwen2_") +
                                  std::get<1>(p.param);
                         });

// The Engine API on the emulated GPU: the same tokens, text and finish
// reasons as the CPU engine, greedy and sampled, alone and batched.
TEST(GpuEngineTest, GenerateEqualsCpuEngine) {
  TempSynthModel m(ModelFamily::kQwen2, 7);
  ASSERT_TRUE(m.status().ok()) << m.status();
  auto cpu = Engine::Load(m.dir(), EngineOptions{});
  ASSERT_TRUE(cpu.ok()) << cpu.status();
  auto gpu = Engine::LoadOnDevice(m.dir(), EngineOptions{}, Emulator());
  ASSERT_TRUE(gpu.ok()) << gpu.status();
  EXPECT_EQ((*gpu)->info().backend, Backend::kCuda);
  EXPECT_NE((*gpu)->info().runs_on.find("SIMT emulator"), std::string::npos) << (*gpu)->info().runs_on;
  EXPECT_EQ((*gpu)->info().weight_dtype, (*cpu)->info().weight_dtype);

  std::vector<GenerationRequest> requests(3);
  requests[0].prompt_token_ids = {3, 14, 15, 92, 65};
  requests[0].max_tokens = 9;
  requests[1].prompt_token_ids = {1, 2};
  requests[1].max_tokens = 7;
  requests[1].temperature = 0.8f;
  requests[1].top_p = 0.9f;
  requests[1].seed = 42;
  requests[2].prompt_token_ids = {100, 200, 300, 400};
  requests[2].max_tokens = 5;
  requests[2].temperature = 1.5f;
  requests[2].top_k = 20;
  requests[2].seed = 7;
  for (size_t i = 0; i < requests.size(); ++i) {
    auto want = (*cpu)->Generate(requests[i], nullptr, nullptr);
    auto got = (*gpu)->Generate(requests[i], nullptr, nullptr);
    ASSERT_TRUE(want.ok() && got.ok()) << want.status() << got.status();
    EXPECT_EQ(got->output_token_ids, want->output_token_ids) << "request " << i;
    EXPECT_EQ(got->text, want->text) << "request " << i;
    EXPECT_EQ(got->finish_reason, want->finish_reason) << "request " << i;
  }
  auto want = (*cpu)->GenerateBatch(requests, nullptr);
  auto got = (*gpu)->GenerateBatch(requests, nullptr);
  ASSERT_TRUE(want.ok() && got.ok()) << want.status() << got.status();
  for (size_t i = 0; i < requests.size(); ++i) EXPECT_EQ((*got)[i].output_token_ids, (*want)[i].output_token_ids);
}

TEST(GpuEngineTest, ContinuousBatchingWithPrefillChunksEqualsCpuEngine) {
  TempSynthModel m(ModelFamily::kLlama, 8);
  ASSERT_TRUE(m.status().ok()) << m.status();
  auto cpu = Engine::Load(m.dir(), EngineOptions{});
  auto gpu = Engine::LoadOnDevice(m.dir(), EngineOptions{}, Emulator());
  ASSERT_TRUE(cpu.ok() && gpu.ok());
  const auto run = [](Engine& engine) {
    std::unique_ptr<BatchRunner> runner = engine.NewBatchRunner();
    runner->SetPrefillChunk(3);
    std::vector<std::vector<int32_t>> outputs(3);
    GenerationRequest r;
    r.prompt_token_ids = {9, 8, 7, 6, 5, 4, 3, 2};
    r.max_tokens = 6;
    EXPECT_TRUE(runner->Admit(r, nullptr, nullptr).ok());
    int step = 0;
    while (runner->size() > 0) {
      if (step == 2) {  // two more join while the first is still prefilling
        r.prompt_token_ids = {11, 12, 13, 14, 15};
        r.max_tokens = 4;
        EXPECT_TRUE(runner->Admit(r, nullptr, nullptr).ok());
        r.prompt_token_ids = {21};
        r.temperature = 0.7f;
        r.seed = 3;
        EXPECT_TRUE(runner->Admit(r, nullptr, nullptr).ok());
      }
      auto finished = runner->Step();
      EXPECT_TRUE(finished.ok()) << finished.status();
      if (!finished.ok()) break;
      for (auto& f : *finished) outputs[f.ticket - 1] = f.result.output_token_ids;
      ++step;
    }
    return outputs;
  };
  const auto want = run(**cpu);
  const auto got = run(**gpu);
  EXPECT_EQ(got, want);
  for (const auto& o : want) EXPECT_FALSE(o.empty());
}

TEST(GpuEngineTest, GpuBackendIsRefusedWithTheReasonWhereThereIsNoGpu) {
  if (kernels::cuda::OpenDevice().ok()) GTEST_SKIP() << "this machine has a GPU; CudaEngineEqualsCpuEngine covers it";
  TempSynthModel m(ModelFamily::kQwen2, 9);
  ASSERT_TRUE(m.status().ok()) << m.status();
  EngineOptions o;
  o.backend = Backend::kCuda;
  auto e = Engine::Load(m.dir(), o);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), absl::StatusCode::kUnavailable) << e.status();
  EXPECT_FALSE(e.status().message().empty());
}

TEST(GpuEngineTest, CudaEngineEqualsCpuEngine) {
  auto device = kernels::cuda::OpenDevice();
  if (!device.ok()) {
    GTEST_SKIP() << "needs an NVIDIA GPU (" << device.status().message()
                 << "); would check that greedy and sampled generations on the CUDA backend equal the CPU engine's";
  }
  TempSynthModel m(ModelFamily::kQwen2, 10);
  ASSERT_TRUE(m.status().ok()) << m.status();
  auto cpu = Engine::Load(m.dir(), EngineOptions{});
  auto gpu = Engine::LoadOnDevice(m.dir(), EngineOptions{}, std::move(*device));
  ASSERT_TRUE(cpu.ok() && gpu.ok());
  GenerationRequest r;
  r.prompt_token_ids = {3, 1, 4, 1, 5, 9, 2, 6};
  r.max_tokens = 16;
  for (float temperature : {0.0f, 0.9f}) {
    r.temperature = temperature;
    auto want = (*cpu)->Generate(r, nullptr, nullptr);
    auto got = (*gpu)->Generate(r, nullptr, nullptr);
    ASSERT_TRUE(want.ok() && got.ok());
    EXPECT_EQ(got->output_token_ids, want->output_token_ids) << "temperature " << temperature;
  }
}

// The exact Qwen2-1.5B shape (28 layers, random weights): 32 decode steps
// after a 1,000-token prompt, at batch 4 and at batch 1, logits memcmp-equal
// to the CPU's at every step. The CPU runs the four sequences once; batch
// does not change a token's bits, so its first sequence is also batch 1's
// reference. ATTESTD_QWEN2_SHAPE_DIR names a folder made already
// (scripts/gpu-check.sh shares one), else the test writes one (3 GB).
TEST(GpuEngineTest, CudaQwen2ShapeLogitsEqualCpuAfterALongPromptAtBatch1And4) {
  auto device = kernels::cuda::OpenDevice();
  if (!device.ok()) {
    GTEST_SKIP() << "needs an NVIDIA GPU (" << device.status().message()
                 << "); would check 32 decode steps after a 1,000-token prompt on the Qwen2-1.5B shape, batch 1 and 4";
  }
  std::string dir;
  bool made_here = false;
  if (const char* given = std::getenv("ATTESTD_QWEN2_SHAPE_DIR"); given != nullptr && *given != '\0') {
    dir = given;
  } else {
    char tmpl[] = "/tmp/attestd-qwen2-shape-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir = tmpl;
    made_here = true;
    SynthOptions o;
    o.family = ModelFamily::kQwen2;
    o.shape = SynthShape::kQwen2_1_5B;
    o.seed = 1;
    ASSERT_TRUE(WriteSynthModel(dir, o).ok());
  }
  auto config = LoadModelConfig(dir);
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->num_layers, 28);
  ASSERT_EQ(config->hidden_size, 1536);
  auto weights = LoadModelWeights(dir, *config);
  ASSERT_TRUE(weights.ok()) << weights.status();
  constexpr int kPrompt = 1000, kSteps = 32, kBatch = 4;
  std::vector<std::vector<int32_t>> prompts(kBatch);
  for (int b = 0; b < kBatch; ++b) {
    for (int i = 0; i < kPrompt; ++i) prompts[b].push_back((i * 7919 + b * 104729 + 13) % config->vocab_size);
  }
  const auto next = [](const std::vector<float>& l) {
    return static_cast<int32_t>(std::max_element(l.begin(), l.end()) - l.begin());
  };
  // Runs `count` sequences together; logits[step][sequence].
  const auto run = [&](ForwardPass& pass, int count) {
    std::vector<std::unique_ptr<SequenceCache>> caches;
    std::vector<std::vector<float>> logits(count);
    std::vector<ForwardSegment> segs;
    for (int b = 0; b < count; ++b) {
      auto c = pass.NewCache(kPrompt + kSteps);
      EXPECT_TRUE(c.ok()) << c.status();
      caches.push_back(std::move(*c));
      segs.push_back({caches.back().get(), prompts[b], &logits[b]});
    }
    std::vector<std::vector<std::vector<float>>> out;
    for (int s = 0; s <= kSteps; ++s) {
      absl::Status st = pass.Forward(segs);
      EXPECT_TRUE(st.ok()) << st;
      if (!st.ok()) break;
      out.push_back(logits);
      for (int b = 0; b < count; ++b) segs[b].ids = {next(logits[b])};
    }
    return out;
  };
  kernels::ThreadPool pool(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  kernels::KernelContext ctx;
  ctx.pool = &pool;
  Transformer cpu(*config, **weights);
  CpuForwardPass cpu_pass(cpu, ctx);
  const auto want = run(cpu_pass, kBatch);
  ASSERT_EQ(want.size(), static_cast<size_t>(kSteps + 1));
  auto gpu = GpuTransformer::Create(*config, **weights, std::move(*device));
  ASSERT_TRUE(gpu.ok()) << gpu.status();
  const auto got4 = run(**gpu, kBatch);
  const auto got1 = run(**gpu, 1);
  ASSERT_EQ(got4.size(), want.size());
  ASSERT_EQ(got1.size(), want.size());
  for (size_t s = 0; s < want.size(); ++s) {
    for (int b = 0; b < kBatch; ++b) ASSERT_TRUE(SameBits(got4[s][b], want[s][b])) << "batch 4, step " << s << ", sequence " << b;
    ASSERT_TRUE(SameBits(got1[s][0], want[s][0])) << "batch 1, step " << s;
  }
  if (made_here) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
}

}  // namespace
}  // namespace attestd::model
