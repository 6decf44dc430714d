// Auditor helpers behind `attest receipt verify --server ADDR` and
// `--reexecute MODEL_DIR` (services/cli/generate_commands.cc).
//
// FetchLedgerEvidence asks a server's LedgerService for the newest signed
// checkpoint, an inclusion proof of the receipt's leaf in it, and, when the
// receipt already carries an older checkpoint, a consistency proof from that
// one to the newest, which it verifies (both notes' signatures and the RFC
// 9162 proof). It then puts the newest checkpoint and inclusion proof into
// the receipt, so the offline verifier (attest/receipt_verifier.h) checks
// inclusion against it.
//
// ReexecuteOutput re-runs the committed request on the local CPU engine and
// recomputes outputCommitment with the receipt's salt.
//
// Thread safety: free functions; safe to call concurrently.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/channel.h>

#include "attest/commitment.h"
#include "attest/receipt.h"
#include "base/status.h"

namespace attestd::service {

struct LedgerEvidence {
  uint64_t latest_size = 0;
  std::string latest_checkpoint;  // the newest signed note
  std::string verifier_key;       // the key used to check notes
  bool key_from_server = false;   // true when the caller pinned none
  // Set when the receipt had an older checkpoint: "from N to M verified".
  std::optional<std::string> consistency;
};

// `channel` is borrowed. `pinned_verifier_key` empty: trust the key the
// server reports (reported in the result). Errors: the RPC's status; for the
// checks, Unauthenticated (bad note signature, inconsistent log) or
// InvalidArgument (malformed note or proof).
[[nodiscard]] absl::StatusOr<LedgerEvidence> FetchLedgerEvidence(const std::shared_ptr<grpc::Channel>& channel,
                                                                 const std::string& pinned_verifier_key,
                                                                 Receipt& receipt);

struct ReexecutionResult {
  CommittedResponse response;     // what the local engine produced
  Digest32 output_commitment;     // with the receipt's salt
  Digest32 model_digest;          // of MODEL_DIR
  Digest32 engine_digest;         // of the local engine
  bool matches = false;           // all three equal the statement's
  std::string detail;             // which differed, when not
};

// Needs the receipt's salt and the plaintext request. FailedPrecondition if
// the receipt has no salt; the engine's errors otherwise.
[[nodiscard]] absl::StatusOr<ReexecutionResult> ReexecuteOutput(const std::string& model_dir, const Receipt& receipt,
                                                                const CommittedRequest& request);

}  // namespace attestd::service
