// Proofs served from a LogStore, as the records of proof_json.h.
//
// Each reads O(log size) stored nodes through proof_plan.h's planner and
// checks every argument against the store's published size first.
// Thread safety: as LogStore's const methods (any thread, concurrent with
// the writer). Failure: OutOfRange for an index >= size or a size beyond the
// published size (size 0 included for inclusion); InvalidArgument for a
// consistency proof from size 0 (RFC 9162 defines none); OutOfRange if
// from > to; DataLoss / NotFound from storage.
#pragma once

#include <cstdint>

#include "base/status.h"
#include "ledger/log_store.h"
#include "ledger/proof_json.h"

namespace attestd::ledger {

[[nodiscard]] absl::StatusOr<InclusionProofRecord> ProveInclusion(const LogStore& store, uint64_t index,
                                                                  uint64_t size);
[[nodiscard]] absl::StatusOr<ConsistencyProofRecord> ProveConsistency(const LogStore& store, uint64_t from,
                                                                      uint64_t to);

}  // namespace attestd::ledger
