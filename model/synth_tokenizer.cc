#include "model/synth_tokenizer.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "absl/strings/str_format.h"
#include "model/byte_level.h"
#include "model/regex_splitter.h"
#include "model/synth_corpus.h"

namespace attestd::model {
namespace {

using Word = std::vector<std::string>;  // byte-level symbols

constexpr uint32_t kMaxSynthVocabSize = 1u << 20;

std::string_view SplitPatternOf(ModelFamily family) {
  return family == ModelFamily::kLlama ? kLlama3SplitPattern : kQwen2SplitPattern;
}

// When the corpus has no pairs left, the vocabulary is filled up so that
// every id names a token (an engine with random weights samples any id):
// each existing token, in id order, is extended by each letter or digit in
// turn wherever the result is new. Deterministic, and each merge joins two
// tokens that already exist, as BPE requires.
void AppendFillerMerges(std::vector<std::pair<std::string, std::string>>& merges, size_t max_merges) {
  if (merges.size() >= max_merges) return;
  std::vector<std::string> tokens;
  for (int b = 0; b < 256; ++b) tokens.emplace_back(ByteLevelChar(static_cast<uint8_t>(b)));
  for (const auto& [left, right] : merges) tokens.push_back(left + right);
  std::set<std::string> known(tokens.begin(), tokens.end());
  std::vector<std::string> letters;
  for (char c = 'a'; c <= 'z'; ++c) letters.emplace_back(1, c);
  for (char c = '0'; c <= '9'; ++c) letters.emplace_back(1, c);
  for (size_t left = 0; merges.size() < max_merges; ++left) {
    for (const std::string& right : letters) {
      if (merges.size() >= max_merges) break;
      std::string merged = tokens[left] + right;
      if (!known.insert(merged).second) continue;
      merges.emplace_back(tokens[left], right);
      tokens.push_back(std::move(merged));
    }
  }
}

// Learns up to `max_merges` merges. Greedy BPE training: each round merges
// the most frequent adjacent pair over all words (weighted by word count);
// ties go to the pair whose (left, right) strings sort first, so the result
// does not depend on hash or iteration order.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> LearnMerges(ModelFamily family,
                                                                              size_t max_merges) {
  ASSIGN_OR_RETURN(auto splitter, RegexSplitter::Create(SplitPatternOf(family)));
  std::vector<std::string_view> pieces;
  RETURN_IF_ERROR(splitter->Split(SynthTrainingCorpus(), pieces));
  std::map<std::string, int64_t> word_counts;
  for (std::string_view piece : pieces) ++word_counts[std::string(piece)];
  std::vector<std::pair<Word, int64_t>> words;
  for (const auto& [raw, count] : word_counts) {
    Word w;
    for (char c : raw) w.emplace_back(ByteLevelChar(static_cast<uint8_t>(c)));
    words.emplace_back(std::move(w), count);
  }

  std::vector<std::pair<std::string, std::string>> merges;
  while (merges.size() < max_merges) {
    std::map<std::pair<std::string, std::string>, int64_t> pair_counts;
    for (const auto& [w, count] : words) {
      for (size_t i = 0; i + 1 < w.size(); ++i) pair_counts[{w[i], w[i + 1]}] += count;
    }
    if (pair_counts.empty()) break;
    // std::map iterates in (left, right) order, and only a strictly larger
    // count replaces the best, so ties keep the first pair in that order.
    auto best = pair_counts.begin();
    for (auto it = pair_counts.begin(); it != pair_counts.end(); ++it) {
      if (it->second > best->second) best = it;
    }
    const auto [left, right] = best->first;
    for (auto& [w, count] : words) {
      Word merged;
      merged.reserve(w.size());
      for (size_t i = 0; i < w.size(); ++i) {
        if (i + 1 < w.size() && w[i] == left && w[i + 1] == right) {
          merged.push_back(left + right);
          ++i;
        } else {
          merged.push_back(w[i]);
        }
      }
      w = std::move(merged);
    }
    merges.emplace_back(left, right);
  }
  AppendFillerMerges(merges, max_merges);
  return merges;
}

nlohmann::ordered_json AddedToken(uint32_t id, const std::string& content) {
  return {{"id", id},          {"content", content}, {"single_word", false}, {"lstrip", false},
          {"rstrip", false},   {"normalized", false}, {"special", true}};
}

nlohmann::ordered_json ByteLevelComponent() {
  return {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}};
}

std::string JsonString(const std::string& s) { return nlohmann::json(s).dump(); }

// Appends `  "model": {...}\n` in the layout Hugging Face writes: vocab in id
// order (bytes 0..255 in byte order, then one id per merge), merges as pairs.
void AppendModelJson(ModelFamily family, const std::vector<std::pair<std::string, std::string>>& merges,
                     std::string& out) {
  out += "  \"model\": {\n";
  out += "    \"type\": \"BPE\",\n    \"dropout\": null,\n    \"unk_token\": null,\n";
  out += "    \"continuing_subword_prefix\": null,\n    \"end_of_word_suffix\": null,\n";
  out += "    \"fuse_unk\": false,\n    \"byte_fallback\": false,\n";
  out += absl::StrFormat("    \"ignore_merges\": %s,\n", family == ModelFamily::kLlama ? "true" : "false");
  out += "    \"vocab\": {\n";
  uint32_t id = 0;
  for (; id < 256; ++id) {
    out += absl::StrFormat("      %s: %d,\n", JsonString(std::string(ByteLevelChar(static_cast<uint8_t>(id)))), id);
  }
  for (const auto& [left, right] : merges) out += absl::StrFormat("      %s: %d,\n", JsonString(left + right), id++);
  out.resize(out.size() - 2);  // the last entry takes no comma
  out += "\n    },\n    \"merges\": [\n";
  for (const auto& [left, right] : merges) out += absl::StrFormat("      [%s, %s],\n", JsonString(left), JsonString(right));
  if (!merges.empty()) out.resize(out.size() - 2);
  out += "\n    ]\n  }\n";
}

}  // namespace

std::vector<std::string> SynthSpecialTokens(ModelFamily family) {
  if (family == ModelFamily::kLlama) {
    return {"<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"};
  }
  return {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
}

uint32_t MinSynthVocabSize(ModelFamily family) {
  return 256 + static_cast<uint32_t>(SynthSpecialTokens(family).size());
}

absl::StatusOr<std::string> SynthesizeTokenizerJson(ModelFamily family, uint32_t vocab_size) {
  const uint32_t min_size = MinSynthVocabSize(family);
  if (vocab_size < min_size || vocab_size > kMaxSynthVocabSize) {
    return absl::InvalidArgumentError(absl::StrFormat("synth tokenizer: vocab_size %d out of range [%d, %d]",
                                                      vocab_size, min_size, kMaxSynthVocabSize));
  }
  const std::vector<std::string> specials = SynthSpecialTokens(family);
  ASSIGN_OR_RETURN(auto merges, LearnMerges(family, vocab_size - min_size));

  nlohmann::ordered_json added = nlohmann::ordered_json::array();
  const auto first_special = static_cast<uint32_t>(vocab_size - specials.size());
  for (size_t i = 0; i < specials.size(); ++i) added.push_back(AddedToken(first_special + static_cast<uint32_t>(i), specials[i]));

  nlohmann::ordered_json root;
  root["version"] = "1.0";
  root["truncation"] = nullptr;
  root["padding"] = nullptr;
  root["added_tokens"] = std::move(added);
  root["normalizer"] = family == ModelFamily::kQwen2 ? nlohmann::ordered_json{{"type", "NFC"}} : nlohmann::ordered_json();
  root["pre_tokenizer"] = {
      {"type", "Sequence"},
      {"pretokenizers",
       {{{"type", "Split"},
         {"pattern", {{"Regex", std::string(SplitPatternOf(family))}}},
         {"behavior", "Isolated"},
         {"invert", false}},
        ByteLevelComponent()}}};
  root["post_processor"] = ByteLevelComponent();
  root["decoder"] = ByteLevelComponent();
  // "model" is written by hand: with 10^5 tokens, nlohmann's ordered object
  // (a vector searched linearly on insert) would take quadratic time.
  std::string out = root.dump(2);
  out.resize(out.size() - 2);  // drop the closing "\n}"
  out += ",\n";
  AppendModelJson(family, merges, out);
  out += "}\n";
  return out;
}

}  // namespace attestd::model
