#include "model/forward_pass.h"

#include "absl/strings/str_cat.h"

namespace attestd::model {

absl::Status ValidateSegments(const std::vector<ForwardSegment>& segments, int64_t vocab_size) {
  for (size_t s = 0; s < segments.size(); ++s) {
    const ForwardSegment& seg = segments[s];
    if (seg.cache == nullptr || seg.ids.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("segment ", s, ": no cache or no tokens"));
    }
    if (seg.cache->length() + static_cast<int64_t>(seg.ids.size()) > seg.cache->capacity()) {
      return absl::InvalidArgumentError(absl::StrCat("segment ", s, ": ", seg.cache->length() + seg.ids.size(),
                                                     " positions, cache holds ", seg.cache->capacity()));
    }
    for (int32_t id : seg.ids) {
      if (id < 0 || id >= vocab_size) {
        return absl::InvalidArgumentError(absl::StrCat("token id ", id, " out of range [0, ", vocab_size, ")"));
      }
    }
    for (size_t o = 0; o < s; ++o) {
      if (segments[o].cache == seg.cache) return absl::InvalidArgumentError("two segments share one cache");
    }
  }
  return absl::OkStatus();
}

}  // namespace attestd::model
