// Offline audit of a ledger database (docs/ledger.md, "Audit").
//
// Recomputes, from the stored leaves alone, every leaf hash and every
// perfect-subtree hash and compares each with what is stored; checks every
// stored checkpoint's signature and that its root equals the recomputed root
// at its size; then checks the head (size, frontier, newest checkpoint) and
// that nothing is stored beyond the head. It stops at the first disagreement
// and names it, with the first leaf index it concerns (for a checkpoint: its
// tree size). Roots kept outside the tree (the chain exporter's anchor
// records, passed in as StoredRoot) are checked like checkpoint roots.
//
// Run it on a store opened with LogStoreOptions.check_head = false (so a
// damaged head is reported rather than refused), in kReadOnly mode on a copy
// or kSecondary mode on a live server's directory; it never writes.
//
// Cost: one sequential pass over the leaves, one point read per stored node
// (about 2 per leaf) and one per checkpoint. Thread safety: reads only; may
// run concurrently with the server that owns the primary.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attest/bytes.h"
#include "base/status.h"
#include "ledger/log_store.h"

namespace attestd::ledger {

// What a verified checkpoint note commits to.
struct CheckpointClaim {
  uint64_t size = 0;
  Digest32 root;
};

// Verifies a stored checkpoint note (origin and log key signature) and
// returns its size and root. An error means the note does not verify.
using CheckpointVerifier = std::function<absl::StatusOr<CheckpointClaim>(std::string_view note)>;

// A root the database keeps outside the tree for one tree size, e.g. an
// anchor record of the chain exporter (chain/anchor_record.h, which
// this library does not link). It must equal the recomputed root at its size.
struct StoredRoot {
  uint64_t tree_size = 0;
  Digest32 root;
  std::string name;  // how a finding names it, e.g. "anchor record"
};

struct AuditFinding {
  // The first leaf index the disagreement concerns (for a checkpoint, its
  // tree size; for a node, the first leaf it covers).
  uint64_t index = 0;
  std::string what;  // e.g. "leaf 17: stored leaf hash ... but the leaf hashes to ..."
};

struct AuditReport {
  uint64_t head_size = 0;
  uint64_t leaves_checked = 0;
  uint64_t nodes_checked = 0;
  uint64_t checkpoints_checked = 0;
  uint64_t stored_roots_checked = 0;
  std::optional<AuditFinding> first_problem;  // empty: everything agrees

  bool ok() const { return !first_problem.has_value(); }
};

// Audits `store`. The returned status is an error only when the audit could
// not run (InvalidArgument for an empty verifier, I/O errors from RocksDB);
// every disagreement found in the data is in the report instead.
// `stored_roots` may come in any order.
[[nodiscard]] absl::StatusOr<AuditReport> AuditLog(const LogStore& store, const CheckpointVerifier& verify_checkpoint,
                                                   std::vector<StoredRoot> stored_roots = {});

}  // namespace attestd::ledger
