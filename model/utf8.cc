#include "model/utf8.h"

#include <cstdint>

#include "absl/strings/str_format.h"

namespace attestd::model {
namespace {

// Unicode 15 table 3-7 (well-formed UTF-8 byte sequences): the allowed range
// of the second byte depends on the first; later bytes are 80..BF.
struct LeadInfo {
  int length;  // 0 = not a lead byte
  uint8_t second_lo;
  uint8_t second_hi;
};

LeadInfo ClassifyLead(uint8_t b) {
  if (b < 0x80) return {1, 0, 0};
  if (b < 0xC2) return {0, 0, 0};
  if (b < 0xE0) return {2, 0x80, 0xBF};
  if (b == 0xE0) return {3, 0xA0, 0xBF};
  if (b == 0xED) return {3, 0x80, 0x9F};
  if (b < 0xF0) return {3, 0x80, 0xBF};
  if (b == 0xF0) return {4, 0x90, 0xBF};
  if (b < 0xF4) return {4, 0x80, 0xBF};
  if (b == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

// Number of bytes at the start of `bytes` that form a valid prefix of some
// well-formed sequence (>= 1 if the lead byte is a lead byte), and whether
// the sequence is complete.
struct Scan {
  size_t valid_prefix;  // bytes matched; 0 if bytes[0] is not a lead byte
  bool complete;
};

Scan ScanSequence(std::string_view bytes) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const LeadInfo lead = ClassifyLead(p[0]);
  if (lead.length == 0) return {0, false};
  if (lead.length == 1) return {1, true};
  size_t i = 1;
  for (; i < static_cast<size_t>(lead.length); ++i) {
    if (i >= bytes.size()) return {i, false};
    const uint8_t lo = i == 1 ? lead.second_lo : 0x80;
    const uint8_t hi = i == 1 ? lead.second_hi : 0xBF;
    if (p[i] < lo || p[i] > hi) return {i, false};
  }
  return {i, true};
}

}  // namespace

size_t Utf8SequenceLength(std::string_view bytes, size_t* maximal_subpart) {
  if (bytes.empty()) {
    if (maximal_subpart != nullptr) *maximal_subpart = 0;
    return 0;
  }
  const Scan scan = ScanSequence(bytes);
  if (scan.complete) return scan.valid_prefix;
  if (maximal_subpart != nullptr) *maximal_subpart = scan.valid_prefix == 0 ? 1 : scan.valid_prefix;
  return 0;
}

absl::Status ValidateUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<uint8_t>(text[i]);
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t subpart = 0;
    const size_t n = Utf8SequenceLength(text.substr(i), &subpart);
    if (n == 0) {
      // Name the byte that broke the sequence: the lead if it is not a lead,
      // otherwise the first unexpected continuation (or the end of input).
      const size_t bad = i + (subpart == 1 && ClassifyLead(b).length == 0 ? 0 : subpart);
      if (bad >= text.size()) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "invalid UTF-8 at byte offset %d: sequence starting with byte 0x%02X is truncated at end of input",
            i, b));
      }
      return absl::InvalidArgumentError(absl::StrFormat("invalid UTF-8 at byte offset %d (byte 0x%02X)", bad,
                                                        static_cast<uint8_t>(text[bad])));
    }
    i += n;
  }
  return absl::OkStatus();
}

size_t Utf8CompletePrefixLength(std::string_view bytes) {
  // Only the last (up to) 3 bytes can be the start of an incomplete character.
  const size_t n = bytes.size();
  const size_t lookback = n < 3 ? n : 3;
  for (size_t back = 1; back <= lookback; ++back) {
    const size_t start = n - back;
    const auto b = static_cast<uint8_t>(bytes[start]);
    if (b >= 0x80 && b < 0xC0) continue;  // continuation byte: look further back
    const Scan scan = ScanSequence(bytes.substr(start));
    // Incomplete only if every byte to the end fits and more are needed.
    if (!scan.complete && scan.valid_prefix == back) return start;
    return n;
  }
  return n;
}

void AppendUtf8Lossy(std::string_view bytes, std::string& out) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  size_t i = 0;
  while (i < bytes.size()) {
    size_t subpart = 0;
    const size_t n = Utf8SequenceLength(bytes.substr(i), &subpart);
    if (n > 0) {
      out.append(bytes.substr(i, n));
      i += n;
    } else {
      out.append(kReplacement);
      i += subpart;
    }
  }
}

}  // namespace attestd::model
