#include "model/nfc.h"

#include <cstdint>

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utypes.h>

#include "absl/strings/str_format.h"

namespace attestd::model {

absl::StatusOr<std::string> NormalizeNfc(std::string_view text) {
  // ICU indexes UTF-16 with int32_t.
  if (text.size() > static_cast<size_t>(INT32_MAX / 2)) {
    return absl::InvalidArgumentError(absl::StrFormat("text of %d bytes is too long to normalize (max %d)", text.size(), INT32_MAX / 2));
  }
  bool ascii = true;
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return std::string(text);
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status) || nfc == nullptr) {
    return absl::InternalError(absl::StrFormat("ICU NFC normalizer unavailable: %s", u_errorName(status)));
  }
  const icu::UnicodeString input = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  if (nfc->isNormalized(input, status) && U_SUCCESS(status)) return std::string(text);
  status = U_ZERO_ERROR;
  const icu::UnicodeString normalized = nfc->normalize(input, status);
  if (U_FAILURE(status)) {
    return absl::InternalError(absl::StrFormat("ICU NFC normalization failed: %s", u_errorName(status)));
  }
  std::string out;
  normalized.toUTF8String(out);
  return out;
}

}  // namespace attestd::model
