// bench/engine_gpu: the canonical CUDA engine on the Qwen2-1.5B shape:
// decode tokens/s at batch 1 and 8 and a 1,024-token prefill, with peers
// measured in the same run on the same card: its copy bandwidth and its
// unfused f32 multiply-then-add rate (bench/gpu_peers.h), and Hugging Face
// transformers eager bf16 on the same weights (bench/hf_peer.py).
//
//   engine_gpu [--model DIR | --shape qwen2-1.5b|tiny [--family qwen2|llama] [--layers N]] [--device cuda|simt]
//              [--decode-tokens 64] [--batches 1,8] [--prefill-tokens 1024]
//              [--validate-steps 2] [--no-hf] [--keep DIR] [--json FILE]
//   engine_gpu --shape S [--family F] --keep DIR --synth-only
//              writes the synthesised folder and exits (scripts/gpu-check.sh shares it).
//   engine_gpu --model DIR --greedy N
//              prints {"prompt": [...], "tokens": [...]}: N greedy tokens on
//              the device after a 16-token prompt, end-of-sequence ignored
//              (scripts/gpu-check.sh compares them with transformers').
// Without --model it synthesises the model (qwen2 family, seed 1, full
// depth) into a temporary folder. --device simt runs everything on the SIMT
// emulator (a smoke run of this program on a CPU; its figures mean nothing).
//
// Order: (1) validate: a short prompt and --validate-steps greedy decode
// steps on the device give logits memcmp-equal to the CPU Transformer's;
// nothing is timed if not; (2) the card's copy bandwidth and f32 rate;
// (3) prefill of --prefill-tokens tokens, then greedy decode at each batch
// size as the engine runs it (CUDA-graph steps, the argmax on the device, one
// id per sequence back to the host); (4) the transformers peer; (5) the figures, the ratios and
// the targets of the CUDA issue:
//   decode at batch 1 >= 0.60 x copy bandwidth and >= 2x transformers eager bf16;
//   prefill >= 0.40 x the f32 multiply-then-add rate.
// The bytes a decode step must read are the weights on the device (every
// matrix, bias and norm, the lm_head once); the prefill's flops are the
// matmuls' (two per multiply-add) plus attention's.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "bench/run_command.h"
#include "bench/gpu_peers.h"
#include "kernels/context.h"
#include "kernels/device.h"
#include "kernels/thread_pool.h"
#include "model/config.h"
#include "model/gpu_transformer.h"
#include "model/synth_model.h"
#include "model/transformer.h"
#include "model/weights.h"

namespace {

using namespace attestd;
using namespace attestd::model;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::vector<int32_t> Prompt(int64_t n, int64_t vocab, int64_t salt) {
  std::vector<int32_t> p;
  for (int64_t i = 0; i < n; ++i) p.push_back(static_cast<int32_t>((i * 7919 + 13 + salt * 104729) % vocab));
  return p;
}

int32_t Greedy(const std::vector<float>& logits) {
  return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

// Prompt then `steps` greedy steps of one sequence; every logits vector.
std::vector<std::vector<float>> Run(ForwardPass& pass, const std::vector<int32_t>& prompt, int steps) {
  std::vector<std::vector<float>> out;
  auto cache = pass.NewCache(static_cast<int64_t>(prompt.size()) + steps);
  if (!cache.ok()) return out;
  std::vector<float> logits;
  std::vector<ForwardSegment> seg = {{cache->get(), prompt, &logits}};
  for (int s = 0; s <= steps; ++s) {
    if (!pass.Forward(seg).ok()) return {};
    out.push_back(logits);
    seg[0].ids = {Greedy(logits)};
  }
  return out;
}

absl::StatusOr<std::unique_ptr<kernels::Device>> Open(const std::string& device) {
  return device == "simt" ? kernels::simt::OpenDevice() : kernels::cuda::OpenDevice();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Canonical CUDA engine: decode and prefill against the card's ceilings and transformers"};
  std::string model_dir, shape = "qwen2-1.5b", family = "qwen2", device_kind = "cuda", keep, json_out;
  bool synth_only = false;
  int64_t layers = 0, decode_tokens = 64, prefill_tokens = 1024;
  int validate_steps = 2;
  std::vector<int> batches = {1, 8};
  bool no_hf = false;
  int greedy = 0;
  app.add_option("--model", model_dir, "model folder (default: synthesised)");
  app.add_option("--shape", shape, "synthesised shape")->check(CLI::IsMember({"tiny", "qwen2-1.5b"}));
  app.add_option("--family", family, "synthesised family")->check(CLI::IsMember({"qwen2", "llama"}));
  app.add_option("--layers", layers, "synthesised depth (0 = the shape's)");
  app.add_flag("--synth-only", synth_only, "only write the synthesised model to --keep");
  app.add_option("--device", device_kind, "cuda, or simt for a smoke run on the emulator")
      ->check(CLI::IsMember({"cuda", "simt"}));
  app.add_option("--decode-tokens", decode_tokens, "timed decode steps per batch size")->check(CLI::Range(1, 100000));
  app.add_option("--batches", batches, "decode batch sizes")->delimiter(',');
  app.add_option("--prefill-tokens", prefill_tokens, "prompt length of the timed prefill")->check(CLI::Range(1, 1 << 20));
  app.add_option("--validate-steps", validate_steps, "decode steps compared with the CPU before timing")
      ->check(CLI::Range(0, 64));
  app.add_flag("--no-hf", no_hf, "skip the transformers peer");
  app.add_option("--keep", keep, "write the synthesised model here and keep it");
  app.add_option("--json", json_out, "also write the figures as JSON to this file");
  app.add_option("--greedy", greedy, "only print N greedy tokens after a 16-token prompt")->check(CLI::Range(0, 4096));
  CLI11_PARSE(app, argc, argv);
  nlohmann::json report;

  std::string tmp;
  if (model_dir.empty()) {
    SynthOptions o;
    o.family = family == "llama" ? ModelFamily::kLlama : ModelFamily::kQwen2;
    o.shape = shape == "tiny" ? SynthShape::kTiny : SynthShape::kQwen2_1_5B;
    o.layers = layers;
    o.seed = 1;
    if (synth_only && keep.empty()) {
      std::fprintf(stderr, "engine_gpu: --synth-only needs --keep DIR\n");
      return 2;
    }
    if (keep.empty()) {
      char tmpl[] = "/tmp/attestd-engine-gpu-XXXXXX";
      if (::mkdtemp(tmpl) == nullptr) return 2;
      tmp = tmpl;
    }
    model_dir = keep.empty() ? tmp : keep;
    const auto t0 = Clock::now();
    if (absl::Status s = WriteSynthModel(model_dir, o); !s.ok()) {
      std::fprintf(stderr, "engine_gpu: %s\n", std::string(s.message()).c_str());
      return 2;
    }
    std::printf("model   synthesised %s (%s %s) in %.1f s\n", model_dir.c_str(), family.c_str(), shape.c_str(),
                Seconds(t0));
    if (synth_only) return 0;
  } else if (synth_only) {
    std::fprintf(stderr, "engine_gpu: --synth-only writes a new model; give --keep, not --model\n");
    return 2;
  }
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      if (!dir.empty()) std::filesystem::remove_all(dir, ec);
    }
  } cleanup{tmp};

  auto config = LoadModelConfig(model_dir);
  if (!config.ok()) {
    std::fprintf(stderr, "engine_gpu: %s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  auto weights = LoadModelWeights(model_dir, *config);
  if (!weights.ok()) {
    std::fprintf(stderr, "engine_gpu: %s\n", std::string(weights.status().message()).c_str());
    return 2;
  }
  auto device = Open(device_kind);
  if (!device.ok()) {
    std::fprintf(stderr, "engine_gpu: %s\n", std::string(device.status().message()).c_str());
    return 3;
  }
  std::printf("device  %s\n", (*device)->name().c_str());
  report["device"] = (*device)->name();
  auto t0 = Clock::now();
  auto gpu = GpuTransformer::Create(*config, **weights, std::move(*device));
  if (!gpu.ok()) {
    std::fprintf(stderr, "engine_gpu: %s\n", std::string(gpu.status().message()).c_str());
    return 2;
  }
  const double weight_gb = static_cast<double>((*gpu)->weight_bytes()) / 1e9;
  std::printf("upload  %.3f GB of weights in %.1f s\n", weight_gb, Seconds(t0));

  if (greedy > 0) {
    const std::vector<int32_t> prompt = Prompt(16, config->vocab_size, 0);
    const auto steps = Run(**gpu, prompt, greedy - 1);
    if (steps.size() != static_cast<size_t>(greedy)) return 2;
    std::vector<int32_t> tokens;
    for (const auto& l : steps) tokens.push_back(Greedy(l));
    std::printf("%s\n", nlohmann::json({{"prompt", prompt}, {"tokens", tokens}}).dump().c_str());
    return 0;
  }

  // 1. Validate against the CPU Transformer (every core of this machine).
  if (validate_steps > 0) {
    const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    kernels::ThreadPool pool(threads);
    kernels::KernelContext ctx;
    ctx.pool = &pool;
    Transformer cpu(*config, **weights);
    CpuForwardPass cpu_pass(cpu, ctx);
    const std::vector<int32_t> prompt = Prompt(16, config->vocab_size, 0);
    t0 = Clock::now();
    const auto want = Run(cpu_pass, prompt, validate_steps);
    const auto got = Run(**gpu, prompt, validate_steps);
    bool same = !want.empty() && got.size() == want.size();
    for (size_t i = 0; same && i < got.size(); ++i) {
      same = got[i].size() == want[i].size() && std::memcmp(got[i].data(), want[i].data(), got[i].size() * 4) == 0;
    }
    std::printf("check   logits of a 16-token prompt and %d decode steps %s the CPU's (%.1f s)\n", validate_steps,
                same ? "memcmp-equal to" : "DIFFER from", Seconds(t0));
    report["validated"] = same;
    if (!same) return 1;
  }

  // 2. The card's ceilings.
  const bool emulated = device_kind == "simt";
  auto copy = device_kind == "simt" ? bench::simt::CopyBandwidth(size_t{1} << 24, 3)
                                    : bench::cuda::CopyBandwidth(size_t{1} << 30, 20);
  auto rate = device_kind == "simt" ? bench::simt::F32MulAddRate(16, 3) : bench::cuda::F32MulAddRate(4096, 10);
  if (!copy.ok() || !rate.ok()) {
    std::fprintf(stderr, "engine_gpu: peer failed: %s %s\n", std::string(copy.status().message()).c_str(),
                 std::string(rate.status().message()).c_str());
    return 2;
  }
  std::printf("peer    copy bandwidth %.1f GB/s (read + written), f32 multiply-then-add %.1f GFLOP/s\n", *copy,
              *rate);
  report["copy_gb_s"] = *copy;
  report["f32_gflop_s"] = *rate;

  // 3. Prefill, then decode at each batch size.
  const ModelConfig& c = *config;
  double prefill_f32 = 0.0;
  {
    const std::vector<int32_t> prompt = Prompt(prefill_tokens, c.vocab_size, 1);
    auto cache = (*gpu)->NewCache(prefill_tokens);
    if (!cache.ok()) return 2;
    std::vector<float> logits;
    std::vector<ForwardSegment> seg = {{cache->get(), prompt, &logits}};
    t0 = Clock::now();
    if (!(*gpu)->Forward(seg).ok()) return 2;
    const double s = Seconds(t0);
    const double matmul_params = static_cast<double>(c.num_layers) *
                                 static_cast<double>(c.hidden_size * (c.num_heads + 2 * c.num_kv_heads) * c.head_dim +
                                                     c.num_heads * c.head_dim * c.hidden_size +
                                                     3 * c.hidden_size * c.intermediate_size);
    const double t = static_cast<double>(prefill_tokens);
    const double attention = static_cast<double>(c.num_layers) * 4.0 * static_cast<double>(c.num_heads * c.head_dim) *
                             t * (t + 1) / 2;
    const double flops = 2.0 * matmul_params * t + attention + 2.0 * static_cast<double>(c.vocab_size * c.hidden_size);
    const double gflops = flops / s / 1e9;
    std::printf("prefill %lld tokens in %.3f s: %.1f tok/s, %.1f GFLOP/s = %.2fx the f32 rate (target >= 0.40)%s\n",
                static_cast<long long>(prefill_tokens), s, t / s, gflops, gflops / *rate,
                emulated ? "  [emulated]" : "");
    prefill_f32 = gflops / *rate;
    report["prefill"] = {{"tokens", prefill_tokens}, {"seconds", s}, {"gflop_s", gflops}, {"ratio_f32", gflops / *rate}};
  }
  double decode1 = 0.0, decode1_copy = 0.0;
  for (int batch : batches) {
    // Greedy requests, as the engine runs them: the argmax on the device,
    // one id per sequence back to the host.
    std::vector<std::unique_ptr<SequenceCache>> caches;
    std::vector<int32_t> greedy_ids(static_cast<size_t>(batch));
    std::vector<ForwardSegment> segs;
    for (int b = 0; b < batch; ++b) {
      auto cache = (*gpu)->NewCache(32 + decode_tokens + 2);
      if (!cache.ok()) return 2;
      caches.push_back(std::move(*cache));
      segs.push_back({caches.back().get(), Prompt(32, c.vocab_size, 2 + b), nullptr, &greedy_ids[static_cast<size_t>(b)]});
    }
    if (!(*gpu)->Forward(segs).ok()) return 2;
    const auto step = [&] {
      for (int b = 0; b < batch; ++b) segs[static_cast<size_t>(b)].ids = {greedy_ids[static_cast<size_t>(b)]};
      return (*gpu)->Forward(segs).ok();
    };
    if (!step()) return 2;  // captures the graph of this batch size
    t0 = Clock::now();
    for (int64_t i = 0; i < decode_tokens; ++i) {
      if (!step()) return 2;
    }
    const double s = Seconds(t0);
    const double tok_s = static_cast<double>(decode_tokens * batch) / s;
    const double gb_s = weight_gb * static_cast<double>(decode_tokens) / s;
    if (batch == 1) {
      decode1 = tok_s;
      decode1_copy = gb_s / *copy;
    }
    std::printf("decode  batch %d: %.1f tok/s, weights read at %.1f GB/s = %.2fx copy bandwidth%s%s\n", batch, tok_s,
                gb_s, gb_s / *copy, batch == 1 ? " (target >= 0.60)" : "", emulated ? "  [emulated]" : "");
    report["decode"].push_back({{"batch", batch}, {"tok_s", tok_s}, {"gb_s", gb_s}, {"ratio_copy", gb_s / *copy}});
  }

  // 4. The transformers peer, bf16 eager on the same folder.
  double hf = 0.0;
  if (!no_hf && !emulated) {
    int rc = 0;
    const std::string out = bench::RunCommand("python3 bench/hf_peer.py --model " + model_dir +
                                                  " --dtype bfloat16 --prompt-tokens 32 --decode-tokens " +
                                                  std::to_string(decode_tokens),
                                              &rc);
    try {
      if (rc == 0) hf = nlohmann::json::parse(out.substr(out.rfind('{'))).at("decode_tok_s").get<double>();
    } catch (const std::exception&) {
      hf = 0.0;
    }
    if (hf > 0.0) {
      std::printf("peer    transformers eager bf16 decode, batch 1: %.1f tok/s\n", hf);
    } else {
      std::printf("peer    transformers failed (rc %d); no ratio\n", rc);
    }
    report["hf_decode_tok_s"] = hf;
  }

  // 5. The targets of the CUDA engine.
  const auto verdict = [&](double ratio, double target) -> std::string {
    if (emulated) return "not a GPU measurement";
    if (ratio <= 0.0) return "not measured in this run";
    return ratio >= target ? "met" : "missed";
  };
  std::printf("\ntargets on %s:\n", report["device"].get<std::string>().c_str());
  if (decode1 > 0.0) {
    std::printf("  decode batch 1 / copy bandwidth            %.2fx  (>= 0.60) %s\n", decode1_copy,
                verdict(decode1_copy, 0.60).c_str());
    std::printf("  decode batch 1 / transformers eager bf16   %.2fx  (>= 2.00) %s\n", hf > 0.0 ? decode1 / hf : 0.0,
                verdict(hf > 0.0 ? decode1 / hf : 0.0, 2.0).c_str());
    if (hf > 0.0) report["ratio_hf"] = decode1 / hf;
  }
  std::printf("  prefill / f32 multiply-then-add rate       %.2fx  (>= 0.40) %s\n", prefill_f32,
              verdict(prefill_f32, 0.40).c_str());
  if (!json_out.empty()) std::ofstream(json_out) << report.dump(2) << "\n";
  return 0;
}
