// `attest model-digest DIR`: the SPEC modelDigest of a model folder.
//
// Prints the digest (64 lowercase hex digits) on stdout; with --manifest the
// manifest lines first, so `attest model-digest --manifest DIR | head -n -1 |
// sha256sum` reproduces the digest with coreutils. Per-file hashes are cached
// (attest/model_digest.h) in --cache-dir, by default $XDG_CACHE_HOME/attestd
// or ~/.cache/attestd; --no-cache disables it, --force re-hashes every file.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "attest/model_digest.h"
#include "services/cli/command_registry.h"

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

void AddModelDigestCommands(CLI::App& app) {
  auto flags = std::make_shared<ModelDigestFlags>();
  CLI::App* cmd = app.add_subcommand("model-digest", "Print the modelDigest (SHA-256 of the manifest) of a model folder");
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

}  // namespace
}  // namespace attestd::cli

ATTEST_CLI_COMMANDS(model_digest, attestd::cli::AddModelDigestCommands);
