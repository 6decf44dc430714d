// libFuzzer target: tokenizer.json parsing, Encode, Decode and the stream
// decoder must never crash, leak or hit undefined behaviour, whatever the
// bytes. Build: see tests/fuzz/CMakeLists.txt. Run:
//   build-fuzz/tests/fuzz/tokenizer_fuzz -max_total_time=60 tests/fuzz/corpus/tokenizer
//
// The first input byte picks what the rest is:
//   0: a tokenizer.json; if it loads, it encodes its own text and a fixed probe.
//   1: text for a fixed Llama-style synthetic tokenizer; valid UTF-8 must
//      round-trip exactly (no normalizer), invalid UTF-8 must be refused.
//   2: little-endian u16 token ids; streaming must equal whole decoding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/synth_tokenizer.h"
#include "model/tokenizer.h"
#include "model/utf8.h"

namespace {

using attestd::model::ModelFamily;
using attestd::model::StreamDecoder;
using attestd::model::Tokenizer;

const Tokenizer& FixedTokenizer() {
  static const std::unique_ptr<Tokenizer> t = [] {
    auto json = attestd::model::SynthesizeTokenizerJson(ModelFamily::kLlama, 600);
    if (!json.ok()) std::abort();
    auto loaded = Tokenizer::FromJson(*json);
    if (!loaded.ok()) std::abort();
    return *std::move(loaded);
  }();
  return *t;
}

void FuzzJson(std::string_view input) {
  auto t = Tokenizer::FromJson(input);
  if (!t.ok()) return;
  for (std::string_view text : {std::string_view("Hello, world! 12345 \xF0\x9F\x98\x80 <|end|>"), input}) {
    auto ids = (*t)->Encode(text);
    if (!ids.ok()) continue;
    (void)(*t)->Decode(*ids);
  }
}

void FuzzEncode(std::string_view input) {
  const Tokenizer& t = FixedTokenizer();
  auto ids = t.Encode(input);
  if (!attestd::model::ValidateUtf8(input).ok()) {
    if (ids.ok()) std::abort();  // invalid UTF-8 must be refused
    return;
  }
  if (!ids.ok()) std::abort();
  auto back = t.Decode(*ids);
  if (!back.ok() || *back != input) std::abort();
}

void FuzzDecode(std::string_view input) {
  const Tokenizer& t = FixedTokenizer();
  std::vector<uint32_t> ids;
  for (size_t i = 0; i + 1 < input.size(); i += 2) {
    ids.push_back(static_cast<uint8_t>(input[i]) | (uint32_t{static_cast<uint8_t>(input[i + 1])} << 8));
  }
  auto whole = t.Decode(ids);
  StreamDecoder d(t);
  std::string streamed;
  for (uint32_t id : ids) {
    auto piece = d.Push(id);
    if (!piece.ok()) {
      if (whole.ok()) std::abort();  // the same id must fail both ways
      return;
    }
    streamed += *piece;
  }
  streamed += d.Finish();
  if (!whole.ok() || streamed != *whole) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      FuzzJson(rest);
      break;
    case 1:
      FuzzEncode(rest);
      break;
    default:
      FuzzDecode(rest);
      break;
  }
  return 0;
}
