// `attest model` and `attest run`: model folders and local inference.
//
//   attest model digest DIR [--manifest] [--cache-dir D | --no-cache] [--force] [--threads N]
//       prints the SPEC modelDigest of a model folder (64 lowercase hex
//       digits); with --manifest the manifest lines first, so `attest model
//       digest --manifest DIR | head -n -1 | sha256sum` reproduces the digest
//       with coreutils. Per-file hashes are cached (attest/model_digest.h) in
//       --cache-dir, by default $XDG_CACHE_HOME/attestd or ~/.cache/attestd;
//       --no-cache disables it, --force re-hashes every file.
//   attest model-digest DIR ...
//       the same command under the name receipts' docs cite
//       (docs/receipt-format.md); kept as an alias.
//   attest model synth OUT_DIR --family llama|qwen2 --shape tiny|qwen2-1.5b
//                      [--layers N] --seed S
//       writes a Hugging Face model folder with seeded random bf16 weights.
//   attest run MODEL_DIR --prompt TEXT [--max-tokens N] [--seed S]
//              [--temperature T] [--top-k K] [--top-p P] [--stop STR]...
//              [--threads N] [--scalar] [--allow-special] [--json]
//       runs the canonical CPU engine and prints the text, or with --json
//       {"text", "prompt_token_ids", "output_token_ids", "finish_reason", ...}.
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "model/engine.h"
#include "model/synth_model.h"
#include "services/cli/commands.h"
#include "verify/identity.h"

namespace attestd::cli {
namespace {

struct ModelDigestFlags {
  std::string model_dir;
  std::string cache_dir;
  bool no_cache = false;
  bool force = false;
  bool manifest = false;
  unsigned threads = 0;
};

std::string DefaultCacheDir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    return (std::filesystem::path(xdg) / "attestd").string();
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return (std::filesystem::path(home) / ".cache" / "attestd").string();
  }
  return "";
}

absl::Status RunModelDigest(const ModelDigestFlags& f) {
  ModelDigestOptions options;
  options.force_rehash = f.force;
  options.threads = f.threads;
  if (!f.no_cache) {
    options.cache_dir = f.cache_dir.empty() ? DefaultCacheDir() : f.cache_dir;
    std::error_code ec;
    if (!options.cache_dir.empty()) std::filesystem::create_directories(options.cache_dir, ec);
    if (ec) {
      std::cerr << "attest: not caching digests: cannot create " << options.cache_dir << ": " << ec.message() << "\n";
      options.cache_dir.clear();
    }
  }
  ASSIGN_OR_RETURN(ModelManifest manifest, ComputeModelDigest(f.model_dir, options));
  if (!manifest.cache_warning.empty()) std::cerr << "attest: " << manifest.cache_warning << "\n";
  if (f.manifest) std::cout << manifest.text;
  std::cout << HexEncode(manifest.digest) << "\n";
  return absl::OkStatus();
}

// DIR and the flags of `model digest`, on `cmd` (the group's subcommand or the alias).
void AddModelDigestOptions(CLI::App* cmd) {
  auto flags = std::make_shared<ModelDigestFlags>();
  cmd->add_option("DIR", flags->model_dir, "Model folder (config.json, tokenizer.json, *.safetensors)")->required();
  cmd->add_option("--cache-dir", flags->cache_dir, "Folder for the per-file hash cache");
  cmd->add_flag("--no-cache", flags->no_cache, "Neither read nor write the hash cache");
  cmd->add_flag("--force", flags->force, "Re-hash every file even if the cache has it");
  cmd->add_flag("--manifest", flags->manifest, "Print the manifest lines before the digest");
  cmd->add_option("--threads", flags->threads, "Hashing threads (default: CPU count, at most 8)");
  cmd->callback([flags] {
    absl::Status s = RunModelDigest(*flags);
    if (!s.ok()) ReportError(s);
  });
}

struct SynthFlags {
  std::string out_dir;
  std::string family = "qwen2";
  std::string shape = "tiny";
  int64_t layers = 0;
  uint64_t seed = 0;
};

absl::Status RunSynth(const SynthFlags& f) {
  model::SynthOptions o;
  auto family = model::ParseModelFamily(f.family);
  if (!family) return absl::InvalidArgumentError("--family: got \"" + f.family + "\", want llama or qwen2");
  o.family = *family;
  if (f.shape == "tiny") {
    o.shape = model::SynthShape::kTiny;
  } else if (f.shape == "qwen2-1.5b") {
    o.shape = model::SynthShape::kQwen2_1_5B;
  } else {
    return absl::InvalidArgumentError("--shape: got \"" + f.shape + "\", want tiny or qwen2-1.5b");
  }
  o.layers = f.layers;
  o.seed = f.seed;
  RETURN_IF_ERROR(model::WriteSynthModel(f.out_dir, o));
  std::cout << f.out_dir << "\n";
  return absl::OkStatus();
}

struct RunFlags {
  std::string model_dir;
  std::string prompt;
  int64_t max_tokens = 64;
  uint64_t seed = 0;
  float temperature = 0.0f;
  int32_t top_k = 0;
  float top_p = 1.0f;
  std::vector<std::string> stop;
  int threads = 1;
  bool scalar = false;
  bool allow_special = false;
  bool json = false;
};

absl::Status RunRun(const RunFlags& f) {
  model::EngineOptions options;
  options.threads = f.threads;
  options.kernel_path = f.scalar ? model::KernelPath::kScalar : model::KernelPath::kAuto;
  ASSIGN_OR_RETURN(auto engine, model::Engine::Load(f.model_dir, options));
  model::GenerationRequest request;
  ASSIGN_OR_RETURN(request.prompt_token_ids, engine->Encode(f.prompt, f.allow_special));
  request.max_tokens = f.max_tokens;
  request.seed = f.seed;
  request.temperature = f.temperature;
  request.top_k = f.top_k;
  request.top_p = f.top_p;
  request.stop_strings = f.stop;
  model::TokenCallback print;
  if (!f.json) {
    print = [](int32_t, std::string_view delta) {
      std::cout << delta << std::flush;
      return true;
    };
  }
  ASSIGN_OR_RETURN(model::GenerationResult result, engine->Generate(request, print, nullptr));
  if (!f.json) {
    std::cout << "\n";
    return absl::OkStatus();
  }
  nlohmann::json out;
  out["text"] = result.text;
  out["prompt_token_ids"] = request.prompt_token_ids;
  out["output_token_ids"] = result.output_token_ids;
  out["finish_reason"] = result.finish_reason;
  out["prefill_ms"] = static_cast<double>(result.prefill_ns) / 1e6;
  out["decode_ms"] = static_cast<double>(result.decode_ns) / 1e6;
  // Invalid UTF-8 cannot occur in `text` (the decoder replaces it), but be
  // safe: replace rather than throw.
  std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return absl::OkStatus();
}

}  // namespace

void AddModelCommands(CLI::App& app) {
  CLI::App* model = app.add_subcommand("model", "Model folders: their digest, synthetic models");
  model->require_subcommand(1);
  AddModelDigestOptions(
      model->add_subcommand("digest", "Print the modelDigest (SHA-256 of the manifest) of a model folder"));
  auto sf = std::make_shared<SynthFlags>();
  CLI::App* synth = model->add_subcommand("synth", "Write a synthetic Hugging Face model folder (seeded random weights)");
  synth->add_option("out_dir", sf->out_dir, "Folder to write")->required();
  synth->add_option("--family", sf->family, "llama or qwen2")->capture_default_str();
  synth->add_option("--shape", sf->shape, "tiny or qwen2-1.5b")->capture_default_str();
  synth->add_option("--layers", sf->layers, "Number of layers (0 = the shape's own)");
  synth->add_option("--seed", sf->seed, "Weight seed")->required();
  synth->callback([sf] {
    absl::Status s = RunSynth(*sf);
    if (!s.ok()) ReportError(s);
  });

  auto rf = std::make_shared<RunFlags>();
  CLI::App* run = app.add_subcommand("run", "Generate text with the canonical CPU engine");
  run->add_option("model_dir", rf->model_dir, "Hugging Face model folder")->required();
  run->add_option("--prompt", rf->prompt, "Prompt text")->required();
  run->add_option("--max-tokens", rf->max_tokens, "Most tokens to generate")->capture_default_str();
  run->add_option("--seed", rf->seed, "Sampling seed")->capture_default_str();
  run->add_option("--temperature", rf->temperature, "0 = greedy")->capture_default_str();
  run->add_option("--top-k", rf->top_k, "0 = off")->capture_default_str();
  run->add_option("--top-p", rf->top_p, "1 = off")->capture_default_str();
  run->add_option("--stop", rf->stop, "Stop string (repeatable)");
  run->add_option("--threads", rf->threads, "Worker threads (results do not depend on it)")->capture_default_str();
  run->add_flag("--scalar", rf->scalar, "Use the scalar kernels (bit-identical, slower)");
  run->add_flag("--allow-special", rf->allow_special, "Match special tokens written in the prompt");
  run->add_flag("--json", rf->json, "Print a JSON object instead of the text");
  run->callback([rf] {
    absl::Status s = RunRun(*rf);
    if (!s.ok()) ReportError(s);
  });

  AddModelDigestOptions(app.add_subcommand("model-digest", "Alias of `attest model digest`"));
}

}  // namespace attestd::cli
