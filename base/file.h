// The one whole-file reader: config files, PEM files, keys, receipts, proofs
// and notes are small files read in one go. Header-only, as base/ has no
// library of its own.
//
// Thread safety: a free function; concurrent calls are safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>

#include "base/status.h"

namespace attestd {

// The bytes of the file at `path`. `what` names the file in errors
// ("receipt file", "--tls-ca"): NotFound "<what> <path>: cannot open" when it
// cannot be opened; InvalidArgument "<what> <path>: larger than N bytes" when
// it holds more than `max_bytes` (reading stops there, so a huge or endless
// file costs at most max_bytes of memory); Internal on a read error.
[[nodiscard]] inline absl::StatusOr<std::string> ReadWholeFile(
    const std::string& path, std::string_view what,
    size_t max_bytes = std::numeric_limits<size_t>::max()) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(std::string(what) + " " + path + ": cannot open");
  std::string data;
  char buf[65536];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    data.append(buf, static_cast<size_t>(in.gcount()));
    if (data.size() > max_bytes) {
      return absl::InvalidArgumentError(std::string(what) + " " + path + ": larger than " +
                                        std::to_string(max_bytes) + " bytes");
    }
  }
  if (in.bad()) return absl::InternalError(std::string(what) + " " + path + ": read error");
  return data;
}

}  // namespace attestd
