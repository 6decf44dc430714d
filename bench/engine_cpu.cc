// bench/engine_cpu: prefill and decode tokens/s of the canonical CPU engine,
// with two peers measured in the same run: PyTorch CPU eager on the same
// weights, and this machine's memory read bandwidth (the roofline of a
// decode step, which reads every weight once).
//
//   engine_cpu [--shape tiny|qwen2-1.5b] [--layers N] [--model DIR]
//              [--threads 1,2] [--prompt-tokens 64] [--decode-tokens 32]
//              [--no-torch] [--torch-dtypes float32,bfloat16] [--keep DIR]
//              [--bandwidth-mib 1024]
// Without --model it synthesises the model (qwen2 family, seed 1) into a
// temporary folder; --layers 0 means the shape's full depth (28 for
// qwen2-1.5b: 3+ GB of bf16, so the default there is 4 layers).
//
// Order: (1) validate: greedy tokens and last-step logits must be
// bit-identical across every thread count and the scalar path; (2) time the
// engine per thread count; (3) time the torch peer (float32 and bfloat16)
// with the same thread count; (4) measure read bandwidth with the same
// thread count (bench/read_bandwidth.h: best of 5 passes over a buffer of
// --bandwidth-mib, far larger than the last-level cache); (5) print the
// ratios: engine/torch, and decode bytes/s over read bandwidth, where the
// bytes a decode step streams are summed from the loaded weights (every
// matrix, bias and norm in its stored dtype, the tied or separate lm_head,
// one embedding row).
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

#include "bench/run_command.h"
#include "bench/read_bandwidth.h"
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

int64_t MatrixBytes(const attestd::kernels::WeightView& w) {
  return w.rows * w.cols * (w.type == attestd::kernels::WeightType::kBf16 ? 2 : 4);
}

int64_t VectorBytes(const std::vector<float>& v) { return static_cast<int64_t>(v.size()) * 4; }

// Bytes of weights one decode step (one token, one sequence) reads: every
// matrix the step multiplies by, in its stored dtype, plus the f32 norms and
// biases and the one embedding row it gathers. KV-cache reads are not
// weights and are left out (a few KB at these lengths).
int64_t DecodeWeightBytes(const ModelWeights& w) {
  int64_t bytes = MatrixBytes(w.lm_head) + VectorBytes(w.final_norm) + MatrixBytes(w.embed.view) / w.embed.view.rows;
  for (const LayerWeights& l : w.layers) {
    for (const Matrix* m : {&l.q_proj, &l.k_proj, &l.v_proj, &l.o_proj, &l.gate_proj, &l.up_proj, &l.down_proj}) {
      bytes += MatrixBytes(m->view);
    }
    for (const std::vector<float>* v : {&l.input_norm, &l.post_norm, &l.q_bias, &l.k_bias, &l.v_bias}) {
      bytes += VectorBytes(*v);
    }
  }
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Canonical CPU engine throughput vs PyTorch eager"};
  std::string shape = "tiny", model_dir, keep;
  int64_t layers = -1, prompt_tokens = 64, decode_tokens = 32;
  std::vector<int> thread_counts = {1, 2};
  bool no_torch = false;
  std::vector<std::string> torch_dtypes = {"float32", "bfloat16"};
  int64_t bandwidth_mib = 1024;
  app.add_option("--shape", shape, "tiny or qwen2-1.5b (synthesised)");
  app.add_option("--layers", layers, "Layers of the synthesised model (0 = full depth)");
  app.add_option("--model", model_dir, "Use this model folder instead of synthesising");
  app.add_option("--threads", thread_counts, "Thread counts to time")->delimiter(',');
  app.add_option("--prompt-tokens", prompt_tokens, "Prompt length");
  app.add_option("--decode-tokens", decode_tokens, "Tokens to generate");
  app.add_flag("--no-torch", no_torch, "Skip the PyTorch peer");
  app.add_option("--torch-dtypes", torch_dtypes, "PyTorch peer dtypes (float32,bfloat16)")->delimiter(',');
  app.add_option("--keep", keep, "Write the synthesised model here and keep it");
  app.add_option("--bandwidth-mib", bandwidth_mib, "Buffer of the read-bandwidth peer (MiB; 0 skips it)");
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
    int64_t step_bytes = 0;
    {
      auto c = LoadModelConfig(model_dir);
      auto w = c.ok() ? LoadModelWeights(model_dir, *c) : absl::StatusOr<std::unique_ptr<ModelWeights>>(c.status());
      if (!w.ok()) {
        std::cerr << "load: " << w.status() << "\n";
        return 2;
      }
      step_bytes = DecodeWeightBytes(**w);
    }
    std::printf("decode streams %.1f MB of weights per token (summed from the loaded tensors)\n",
                static_cast<double>(step_bytes) / 1e6);

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
      if (bandwidth_mib > 0) {
        const double bw = attestd::bench::MeasureReadBandwidth(static_cast<size_t>(bandwidth_mib) << 20, t, 5);
        const double decode_bw = decode * static_cast<double>(step_bytes);
        if (bw > 0) {
          std::printf(
              "roofline threads=%d  decode streams %.0f MB/token: %.1f GB/s = %.2fx of measured read bandwidth %.1f "
              "GB/s (ceiling %.1f tok/s)\n",
              t, static_cast<double>(step_bytes) / 1e6, decode_bw / 1e9, decode_bw / bw, bw / 1e9,
              bw / static_cast<double>(step_bytes));
        } else {
          std::printf("roofline threads=%d  read bandwidth not measured (allocation failed); no ratio\n", t);
        }
      }
      if (no_torch) continue;
      for (const std::string& dtype_name : torch_dtypes) {
        const char* dtype = dtype_name.c_str();
        int rc = 0;
        std::string out = attestd::bench::RunCommand("/usr/bin/python3 bench/torch_peer.py " + model_dir + " " +
                                                         std::to_string(prompt_tokens) + " " +
                                                         std::to_string(decode_tokens) + " " + std::to_string(t) +
                                                         " " + dtype,
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
