#include "model/tokenizer.h"
#include "model/tokenizer_impl.h"
#include "model/utf8.h"

namespace attestd::model {

StreamDecoder::StreamDecoder(const Tokenizer& tokenizer, bool skip_special)
    : tokenizer_(tokenizer), skip_special_(skip_special) {}

absl::StatusOr<std::string> StreamDecoder::Push(uint32_t id) {
  std::string bytes = pending_;
  RETURN_IF_ERROR(tokenizer_.impl_->AppendTokenBytes(id, skip_special_, bytes));
  // Everything up to the last complete character can go out now (with
  // broken sequences replaced); an unfinished character waits.
  const size_t complete = Utf8CompletePrefixLength(bytes);
  std::string text;
  AppendUtf8Lossy(std::string_view(bytes).substr(0, complete), text);
  pending_ = bytes.substr(complete);
  return text;
}

std::string StreamDecoder::Finish() {
  std::string text;
  AppendUtf8Lossy(pending_, text);
  pending_.clear();
  return text;
}

}  // namespace attestd::model
