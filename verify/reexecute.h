// Re-execution, behind `attest receipt verify --reexecute MODEL_DIR`: re-runs
// the committed request on the local canonical CPU engine and recomputes
// outputCommitment with the receipt's salt. Canonical mode promises the same
// bits on every CPU (docs/determinism.md), so a match reproduces the output.
//
// Thread safety: a free function; each call loads its own engine.
#pragma once

#include <string>

#include "attest/bytes.h"
#include "attest/commitment.h"
#include "attest/receipt.h"
#include "base/status.h"

namespace attestd {

struct ReexecutionResult {
  CommittedResponse response;     // what the local engine produced
  Digest32 output_commitment;     // with the receipt's salt
  Digest32 model_digest;          // of MODEL_DIR
  Digest32 engine_digest;         // of the local engine
  bool matches = false;           // all three equal the statement's
  std::string detail;             // which differed, when not
};

// Needs the receipt's salt and the plaintext request. FailedPrecondition if
// the receipt has no salt; the model digest's and the engine's errors
// otherwise. A mismatch is not an error: `matches` is false and `detail`
// names the first value that differs.
[[nodiscard]] absl::StatusOr<ReexecutionResult> ReexecuteOutput(const std::string& model_dir, const Receipt& receipt,
                                                                const CommittedRequest& request);

}  // namespace attestd
