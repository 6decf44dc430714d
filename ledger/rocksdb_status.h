// Converts a rocksdb::Status into the project's absl::Status in one place.
//
// Corruption (a bad checksum, a truncated or missing table file) becomes
// DataLoss; a held LOCK file becomes Unavailable; a missing database or
// column family becomes NotFound; everything else Internal. `context` says
// what was being done and is prefixed to RocksDB's own message.
#pragma once

#include <rocksdb/status.h>

#include <string>

#include "base/status.h"

namespace attestd::ledger {

[[nodiscard]] inline absl::Status FromRocksDb(const rocksdb::Status& s, const std::string& context) {
  if (s.ok()) return absl::OkStatus();
  std::string message = context + ": " + s.ToString();
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) return absl::UnavailableError(message);
  if (s.IsIOError() && s.ToString().find("No such file") != std::string::npos) {
    return absl::DataLossError(message);
  }
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsInvalidArgument() && s.ToString().find("does not exist") != std::string::npos) {
    return absl::NotFoundError(message);
  }
  return absl::InternalError(message);
}

}  // namespace attestd::ledger
