// bench/engine_cpu: prefill and decode tokens/s of the canonical CPU engine,
// with PyTorch CPU eager on the same weights measured in the same run.
//
//   engine_cpu [--shape tiny|qwen2-1.5b] [--layers N] [--model DIR]
//              [--threads 1,2] [--prompt-tokens 64] [--decode-tokens 32]
//              [--no-torch] [--torch-dtypes float32,bfloat16] [--keep DIR]
// Without --model it synthesises the model (qwen2 family, seed 1) into a
// temporary folder; --layers 0 means the shape's full depth (28 for
// qwen2-1.5b: 3+ GB of bf16, so the default there is 4 layers).
//
// Order: (1) validate: greedy tokens and last-step logits must be
// bit-identical across every thread count and the scalar path; (2) time the
// engine per thread count; (3) time the torch peer (float32 and bfloat16)
// with the same thread count; (4) print the ratios.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/context.h"
#include "kernels/dot.h"
#include "model/config.h"
#include "model/engine.h"
#include "model/synth_model.h"
#include "model/transformer.h"
#include "model/weights.h"

namespace {

using namespace attestd::model;

std::vector<int32_t> BenchPrompt(int64_t n, int64_t vocab) {
  std::vector<int32_t> p;
  for (int64_t i = 0; i < n; ++i) p.push_back(static_cast<int32_t>((i * 7919 + 13) % vocab));
  return p;
}

// Greedy logits of the last of `steps` decode steps, via the transformer.
std::vector<float> LastLogits(const std::string& dir, int threads, bool vectorised, const std::vector<int32_t>& prompt,
                              int steps) {
  auto c = LoadModelConfig(dir);
  auto w = LoadModelWeights(dir, *c);
  if (!c.ok() || !w.ok()) return {};
  Transformer tf(*c, **w);
  attestd::kernels::ThreadPool pool(threads);
  attestd::kernels::KernelContext ctx{&pool, vectorised};
  auto cache = tf.NewCache(static_cast<int64_t>(prompt.size()) + steps);
  std::vector<float> logits;
  std::vector<ForwardSegment> seg = {{cache.get(), prompt, &logits}};
  for (int s = 0; s < steps; ++s) {
    if (!tf.Forward(ctx, seg).ok()) return {};
    seg[0].ids = {static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin())};
  }
  return logits;
}

std::string RunCommand(const std::string& cmd, int* rc) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) {
    *rc = -1;
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  *rc = ::pclose(p);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Canonical CPU engine throughput vs PyTorch eager"};
  std::string shape = "tiny", model_dir, keep;
  int64_t layers = -1, prompt_tokens = 64, decode_tokens = 32;
  std::vector<int> thread_counts = {1, 2};
  bool no_torch = false;
  std::vector<std::string> torch_dtypes = {"float32", "bfloat16"};
  app.add_option("--shape", shape, "tiny or qwen2-1.5b (synthesised)");
  app.add_option("--layers", layers, "Layers of the synthesised model (0 = full depth)");
  app.add_option("--model", model_dir, "Use this model folder instead of synthesising");
  app.add_option("--threads", thread_counts, "Thread counts to time")->delimiter(',');
  app.add_option("--prompt-tokens", prompt_tokens, "Prompt length");
  app.add_option("--decode-tokens", decode_tokens, "Tokens to generate");
  app.add_flag("--no-torch", no_torch, "Skip the PyTorch peer");
  app.add_option("--torch-dtypes", torch_dtypes, "PyTorch peer dtypes (float32,bfloat16)")->delimiter(',');
  app.add_option("--keep", keep, "Write the synthesised model here and keep it");
  CLI11_PARSE(app, argc, argv);

  std::string tmp;
  if (model_dir.empty()) {
    SynthOptions o;
    o.family = ModelFamily::kQwen2;
    o.seed = 1;
    o.shape = shape == "qwen2-1.5b" ? SynthShape::kQwen2_1_5B : SynthShape::kTiny;
    o.layers = layers >= 0 ? layers : (o.shape == SynthShape::kTiny ? 0 : 4);
    if (keep.empty()) {
      char tmpl[] = "/tmp/attestd-bench-XXXXXX";
      if (::mkdtemp(tmpl) == nullptr) return 2;
      tmp = model_dir = tmpl;
    } else {
      model_dir = keep;
    }
    auto t0 = std::chrono::steady_clock::now();
    absl::Status s = WriteSynthModel(model_dir, o);
    if (!s.ok()) {
      std::cerr << "synth: " << s << "\n";
      return 2;
    }
    std::cout << "model: synthetic qwen2 " << shape << ", " << (o.layers ? std::to_string(o.layers) : "full")
              << " layers, bf16, written in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s\n";
  }
  int exit_code = 0;
  {
    auto probe = Engine::Load(model_dir, {1, NumericMode::kCanonical, KernelPath::kAuto});
    if (!probe.ok()) {
      std::cerr << "load: " << probe.status() << "\n";
      return 2;
    }
    const ModelInfo info = (*probe)->info();
    probe->reset();
    std::cout << "model: " << info.num_layers << " layers, hidden " << info.hidden_size << ", vocab " << info.vocab_size
              << ", vector kernels "
              << (!info.vectorised ? "off" : attestd::kernels::CpuHasAvx512() ? "AVX-512" : "AVX2") << "\n";
    const auto prompt = BenchPrompt(prompt_tokens, info.vocab_size);

    // 1. Validate: bits do not depend on thread count or instruction path.
    const auto reference = LastLogits(model_dir, 1, false, prompt, 3);
    bool identical = !reference.empty();
    for (int t : thread_counts) {
      auto got = LastLogits(model_dir, t, true, prompt, 3);
      identical = identical && got.size() == reference.size() &&
                  std::memcmp(got.data(), reference.data(), got.size() * 4) == 0;
    }
    std::cout << "validate: logits after 3 greedy steps bit-identical across scalar/1 thread and vector/"
              << "{threads}: " << (identical ? "yes" : "NO") << "\n";
    if (!identical) exit_code = 1;

    // 2. Time the engine; 3. the torch peer with the same threads.
    std::vector<int32_t> first_tokens;
    for (int t : thread_counts) {
      auto engine = Engine::Load(model_dir, {t, NumericMode::kCanonical, KernelPath::kAuto});
      if (!engine.ok()) return 2;
      GenerationRequest r;
      r.prompt_token_ids = BenchPrompt(4, info.vocab_size);
      r.max_tokens = 2;
      r.ignore_eos = true;
      (void)(*engine)->Generate(r, nullptr, nullptr);  // warm-up
      r.prompt_token_ids = prompt;
      r.max_tokens = decode_tokens;
      auto g = (*engine)->Generate(r, nullptr, nullptr);
      if (!g.ok()) {
        std::cerr << "generate: " << g.status() << "\n";
        return 2;
      }
      if (first_tokens.empty()) first_tokens = g->output_token_ids;
      if (g->output_token_ids != first_tokens) {
        std::cout << "validate: tokens differ with " << t << " threads\n";
        exit_code = 1;
      }
      const double prefill = static_cast<double>(prompt_tokens) / (static_cast<double>(g->prefill_ns) / 1e9);
      const double decode = static_cast<double>(g->decode_steps) / (static_cast<double>(g->decode_ns) / 1e9);
      std::printf("engine  threads=%d  prefill %8.1f tok/s  decode %8.2f tok/s\n", t, prefill, decode);
      if (no_torch) continue;
      for (const std::string& dtype_name : torch_dtypes) {
        const char* dtype = dtype_name.c_str();
        int rc = 0;
        std::string out = RunCommand("/usr/bin/python3 bench/torch_peer.py " + model_dir + " " +
                                         std::to_string(prompt_tokens) + " " + std::to_string(decode_tokens) + " " +
                                         std::to_string(t) + " " + dtype,
                                     &rc);
        if (rc != 0) {
          std::printf("torch   threads=%d  %s: peer failed or torch missing (rc %d); no ratio\n", t, dtype, rc);
          continue;
        }
        auto j = nlohmann::json::parse(out, nullptr, false);
        if (j.is_discarded()) continue;
        const double tp = j["prefill_tok_s"].get<double>(), td = j["decode_tok_s"].get<double>();
        const bool same = j["tokens"].get<std::vector<int32_t>>() == g->output_token_ids;
        std::printf("torch   threads=%d  prefill %8.1f tok/s  decode %8.2f tok/s  (%s eager; greedy tokens %s)\n", t,
                    tp, td, dtype, same ? "match" : "differ");
        std::printf("ratio   threads=%d  engine/torch-%s: prefill %.2fx  decode %.2fx\n", t, dtype, prefill / tp,
                    decode / td);
      }
    }
  }
  if (!tmp.empty()) std::filesystem::remove_all(tmp);
  return exit_code;
}
