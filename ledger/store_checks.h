// Consistency checks the LogStore runs on every open (docs/ledger.md, "Recovery").
//
// The durable head (meta/head) is compared with the data it summarises:
//   1. there are exactly head.size leaves: the last stored leaf is size-1 and
//      none is stored at or beyond size;
//   2. the head's frontier equals the stored nodes it names;
//   3. the newest stored checkpoint is at head.last_checkpoint_size and the
//      root recomputed from stored nodes at that size equals the head's copy
//      of that checkpoint's root.
// Each check is O(log n) reads. Nothing is repaired: the first disagreement is
// returned as DataLoss naming the index, level or size that disagrees.
// (The full O(n) recomputation is the offline audit, audit.h.)
#pragma once

#include "attest/bytes.h"
#include "base/status.h"
#include "ledger/store_format.h"

namespace attestd::ledger {

class LogStore;

// Reads meta/head (a fresh, empty database has none: size 0) and runs the
// checks above against `store`'s families, ignoring its published size.
[[nodiscard]] absl::StatusOr<LogHead> CheckStoredHead(const LogStore& store);

}  // namespace attestd::ledger
