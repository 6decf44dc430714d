// A tiny hand-written byte-level BPE tokenizer.json for unit tests: the 256
// byte tokens (ids 0..255 in byte order), a few merges, and added tokens.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/byte_level.h"
#include "model/regex_splitter.h"

namespace attestd::model::testing {

// Merges in rank order; ids 256.. follow in the same order.
inline std::vector<std::pair<std::string, std::string>> TinyMerges() {
  return {{"h", "e"}, {"l", "l"}, {"he", "ll"}, {"hell", "o"}, {"a", "a"}, {"Ġ", "w"}, {"Ġw", "o"}};
}

inline nlohmann::json TinyTokenizerJson() {
  nlohmann::json vocab = nlohmann::json::object();
  for (int b = 0; b < 256; ++b) vocab[std::string(ByteLevelChar(static_cast<uint8_t>(b)))] = b;
  nlohmann::json merges = nlohmann::json::array();
  int next = 256;
  for (const auto& [l, r] : TinyMerges()) {
    vocab[l + r] = next++;
    merges.push_back(l + " " + r);
  }
  vocab["xyz"] = next++;  // reachable only as a whole word (ignore_merges)
  nlohmann::json added = nlohmann::json::array();
  added.push_back({{"id", 300}, {"content", "<|end|>"}, {"special", true}, {"normalized", false}});
  added.push_back({{"id", 301}, {"content", "<|end|>!"}, {"special", true}, {"normalized", false}});
  added.push_back({{"id", 302}, {"content", "<think>"}, {"special", false}, {"normalized", false}});
  return {
      {"version", "1.0"},
      {"added_tokens", added},
      {"normalizer", {{"type", "NFC"}}},
      {"pre_tokenizer",
       {{"type", "Sequence"},
        {"pretokenizers",
         {{{"type", "Split"}, {"pattern", {{"Regex", std::string(kQwen2SplitPattern)}}}, {"behavior", "Isolated"}, {"invert", false}},
          {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}}}}}},
      {"post_processor", nullptr},
      {"decoder", {{"type", "ByteLevel"}}},
      {"model", {{"type", "BPE"}, {"dropout", nullptr}, {"byte_fallback", false}, {"ignore_merges", false},
                 {"vocab", vocab}, {"merges", merges}}},
  };
}

}  // namespace attestd::model::testing
