// bench/prefill_stall: how long a long prompt joining a running batch holds
// up the requests already decoding, with its prompt fed whole (the peer,
// measured in the same run) and in pieces of --chunk tokens
// (model::BatchRunner::SetPrefillChunk, the service's limits.prefill_chunk).
//
//   prefill_stall [--model DIR | --shape tiny|qwen2-1.5b --layers N]
//                 [--threads 2] [--decoding 2] [--prompt-tokens 1024]
//                 [--chunk 256]
//
// Each run: --decoding requests decode (greedy, EOS ignored) for 4 steps,
// then the long prompt is admitted and steps continue until its first
// token. Reported per run: the longest gap between two tokens of a decoding
// request, the tokens the decoding requests got while the prompt was fed,
// and the time to the long request's first token. Outputs are checked
// bit-identical between the two runs before anything is printed.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

#include "model/batch_runner.h"
#include "model/engine.h"
#include "model/synth_model.h"

namespace {

using namespace attestd::model;
using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct RunResult {
  double longest_gap_ms = 0;    // between two tokens of any decoding request
  int64_t tokens_during = 0;    // decoding requests' tokens from admission to the first long-prompt token
  double first_token_ms = 0;    // admission of the long prompt to its first token
  std::vector<std::vector<int32_t>> outputs;  // decoding requests, then the long one
};

RunResult Run(Engine& engine, int decoding, const std::vector<int32_t>& long_prompt, int64_t chunk) {
  const int64_t vocab = engine.info().vocab_size;
  std::unique_ptr<BatchRunner> runner = engine.NewBatchRunner();
  runner->SetPrefillChunk(chunk);
  RunResult r;
  r.outputs.resize(static_cast<size_t>(decoding) + 1);
  std::vector<Clock::time_point> last_token(static_cast<size_t>(decoding));
  bool long_started = false;
  for (int i = 0; i < decoding; ++i) {
    GenerationRequest g;
    g.prompt_token_ids = {static_cast<int32_t>((i * 131 + 7) % vocab), static_cast<int32_t>((i * 17 + 3) % vocab)};
    g.max_tokens = 100000;
    g.ignore_eos = true;
    auto on_token = [&r, &last_token, &long_started, i](int32_t token, std::string_view) {
      const auto now = Clock::now();
      const auto idx = static_cast<size_t>(i);
      if (!r.outputs[idx].empty()) r.longest_gap_ms = std::max(r.longest_gap_ms, Ms(now - last_token[idx]));
      last_token[idx] = now;
      r.outputs[idx].push_back(token);
      if (long_started) ++r.tokens_during;
      return true;
    };
    if (!runner->Admit(g, on_token, nullptr).ok()) std::abort();  // a valid request by construction
  }
  for (int s = 0; s < 4; ++s) {
    if (!runner->Step().ok()) std::abort();
  }
  r.longest_gap_ms = 0;  // count gaps from here on
  GenerationRequest g;
  g.prompt_token_ids = long_prompt;
  g.max_tokens = 1;
  g.ignore_eos = true;
  bool long_done = false;
  const auto admitted = Clock::now();
  long_started = true;
  auto on_long = [&](int32_t token, std::string_view) {
    r.first_token_ms = Ms(Clock::now() - admitted);
    r.outputs.back().push_back(token);
    long_done = true;
    long_started = false;
    return true;
  };
  if (!runner->Admit(g, on_long, nullptr).ok()) std::abort();
  while (!long_done) {
    if (!runner->Step().ok()) std::abort();
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Stall of a decoding batch while a long prompt joins: whole prompt vs fed in pieces"};
  std::string model_dir, shape = "qwen2-1.5b";
  int64_t layers = 4, prompt_tokens = 1024, chunk = 256;
  int threads = 2, decoding = 2;
  app.add_option("--model", model_dir, "Model folder (default: synthesise one)");
  app.add_option("--shape", shape, "tiny or qwen2-1.5b (synthesised)");
  app.add_option("--layers", layers, "Layers of the synthesised model (0 = full depth)");
  app.add_option("--threads", threads, "Kernel threads")->check(CLI::Range(1, 256));
  app.add_option("--decoding", decoding, "Requests decoding when the long prompt joins")->check(CLI::Range(1, 64));
  app.add_option("--prompt-tokens", prompt_tokens, "Length of the joining prompt")->check(CLI::Range(2, 1 << 20));
  app.add_option("--chunk", chunk, "Prompt tokens per step in the chunked run")->check(CLI::Range(1, 1 << 20));
  CLI11_PARSE(app, argc, argv);

  std::string tmp;
  const std::string label = model_dir.empty() ? shape + " shape, " + std::to_string(layers) + " layers" : model_dir;
  if (model_dir.empty()) {
    tmp = (std::filesystem::temp_directory_path() / ("prefill_stall." + std::to_string(getpid()))).string();
    SynthOptions o;
    o.shape = shape == "tiny" ? SynthShape::kTiny : SynthShape::kQwen2_1_5B;
    o.layers = layers;
    o.seed = 1;
    std::fprintf(stderr, "synthesising %s into %s\n", label.c_str(), tmp.c_str());
    if (auto s = WriteSynthModel(tmp, o); !s.ok()) {
      std::fprintf(stderr, "prefill_stall: %s\n", s.ToString().c_str());
      return 1;
    }
    model_dir = tmp;
  }
  auto engine = Engine::Load(model_dir, {threads, NumericMode::kCanonical, KernelPath::kAuto});
  if (!tmp.empty()) std::filesystem::remove_all(tmp);
  if (!engine.ok()) {
    std::fprintf(stderr, "prefill_stall: %s\n", engine.status().ToString().c_str());
    return 1;
  }
  const int64_t vocab = (*engine)->info().vocab_size;
  if (prompt_tokens >= (*engine)->info().context_length) {
    std::fprintf(stderr, "prefill_stall: --prompt-tokens must be below the context length %lld\n",
                 static_cast<long long>((*engine)->info().context_length));
    return 1;
  }
  std::vector<int32_t> long_prompt;
  for (int64_t i = 0; i < prompt_tokens; ++i) long_prompt.push_back(static_cast<int32_t>((i * 7919 + 13) % vocab));

  RunResult whole = Run(**engine, decoding, long_prompt, 0);
  RunResult pieces = Run(**engine, decoding, long_prompt, chunk);
  // Same requests, same number of steps before the join: the chunked run's
  // outputs must be a prefix-equal match (it ran more steps, so longer).
  for (size_t i = 0; i < whole.outputs.size(); ++i) {
    const auto& a = whole.outputs[i];
    const auto& b = pieces.outputs[i];
    const size_t n = std::min(a.size(), b.size());
    if (n == 0 || !std::equal(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(n), b.begin())) {
      std::fprintf(stderr, "prefill_stall: request %zu differs between whole and chunked prefill\n", i);
      return 1;
    }
  }
  std::printf("prefill_stall: %d decoding + 1 joining prompt of %lld tokens, %d threads, %s\n", decoding,
              static_cast<long long>(prompt_tokens), threads, label.c_str());
  std::printf("validate: outputs bit-identical between the two runs: yes\n");
  auto line = [](const char* name, const RunResult& r) {
    std::printf("%-14s longest token gap %9.1f ms  decoding tokens while it was fed %5lld  its first token %9.1f ms\n",
                name, r.longest_gap_ms, static_cast<long long>(r.tokens_during), r.first_token_ms);
  };
  line("whole prompt", whole);
  std::string name = "chunk " + std::to_string(chunk);
  line(name.c_str(), pieces);
  std::printf("ratio          longest gap chunked/whole %.2fx  first token chunked/whole %.2fx\n",
              pieces.longest_gap_ms / whole.longest_gap_ms, pieces.first_token_ms / whole.first_token_ms);
  return 0;
}
