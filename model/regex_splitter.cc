#include "model/regex_splitter.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <utility>

#include "absl/strings/str_format.h"

namespace attestd::model {
namespace {

std::string Pcre2ErrorText(int code) {
  PCRE2_UCHAR buffer[256];
  const int n = pcre2_get_error_message(code, buffer, sizeof(buffer));
  if (n < 0) return absl::StrFormat("PCRE2 error %d", code);
  return std::string(reinterpret_cast<const char*>(buffer), static_cast<size_t>(n));
}

// Owns the per-call PCRE2 objects; JIT stacks grow on demand up to 64 MiB so
// that a very long run of one character class cannot exhaust them.
struct MatchResources {
  pcre2_match_data* data = nullptr;
  pcre2_match_context* context = nullptr;
  pcre2_jit_stack* jit_stack = nullptr;
  ~MatchResources() {
    if (jit_stack != nullptr) pcre2_jit_stack_free(jit_stack);
    if (context != nullptr) pcre2_match_context_free(context);
    if (data != nullptr) pcre2_match_data_free(data);
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<RegexSplitter>> RegexSplitter::Create(std::string_view pattern) {
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   PCRE2_UTF | PCRE2_UCP, &error_code, &error_offset, nullptr);
  if (code == nullptr) {
    return absl::InvalidArgumentError(absl::StrFormat("pre-tokenizer regex does not compile at offset %d: %s",
                                                      error_offset, Pcre2ErrorText(error_code)));
  }
  // JIT is an optimisation only: without it (unsupported platform) the
  // interpreter gives the same matches.
  (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  return std::unique_ptr<RegexSplitter>(new RegexSplitter(std::string(pattern), code));
}

RegexSplitter::~RegexSplitter() { pcre2_code_free(static_cast<pcre2_code*>(code_)); }

absl::Status RegexSplitter::Split(std::string_view text, std::vector<std::string_view>& pieces) const {
  auto* code = static_cast<pcre2_code*>(code_);
  MatchResources res;
  res.data = pcre2_match_data_create_from_pattern(code, nullptr);
  res.context = pcre2_match_context_create(nullptr);
  if (res.data == nullptr || res.context == nullptr) return absl::InternalError("PCRE2: out of memory");
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t start = 0;     // where the next search begins
  size_t emitted = 0;   // end of the last piece appended
  while (start <= text.size()) {
    int rc = pcre2_match(code, subject, text.size(), start, PCRE2_NO_UTF_CHECK, res.data, res.context);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT && res.jit_stack == nullptr) {
      res.jit_stack = pcre2_jit_stack_create(32 * 1024, 64 * 1024 * 1024, nullptr);
      if (res.jit_stack == nullptr) return absl::InternalError("PCRE2: cannot allocate a JIT stack");
      pcre2_jit_stack_assign(res.context, nullptr, res.jit_stack);
      continue;
    }
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      return absl::InternalError(absl::StrFormat("pre-tokenizer regex failed at byte offset %d: %s", start,
                                                 Pcre2ErrorText(rc)));
    }
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(res.data);
    const size_t match_begin = ovector[0];
    const size_t match_end = ovector[1];
    if (match_begin > emitted) pieces.push_back(text.substr(emitted, match_begin - emitted));
    if (match_end > match_begin) {
      pieces.push_back(text.substr(match_begin, match_end - match_begin));
      emitted = match_end;
      start = match_end;
    } else {
      // An empty match produces no piece; step over one whole character so
      // the search makes progress without splitting a UTF-8 sequence.
      if (match_begin >= text.size()) break;
      size_t next = match_begin + 1;
      while (next < text.size() && (static_cast<uint8_t>(text[next]) & 0xC0) == 0x80) ++next;
      start = next;
    }
  }
  if (emitted < text.size()) pieces.push_back(text.substr(emitted));
  return absl::OkStatus();
}

}  // namespace attestd::model
