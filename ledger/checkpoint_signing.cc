#include "ledger/checkpoint_signing.h"

#include <utility>

#include "ledger/checkpoint.h"

namespace attestd::ledger {

CheckpointSigner MakeCheckpointSigner(std::string origin, std::shared_ptr<const Ed25519PrivateKey> key) {
  return [origin = std::move(origin), key = std::move(key)](uint64_t size,
                                                             const Digest32& root) -> absl::StatusOr<std::string> {
    Checkpoint checkpoint;
    checkpoint.origin = origin;
    checkpoint.size = size;
    checkpoint.root = root;
    return SignCheckpoint(checkpoint, *key);
  };
}

CheckpointVerifier MakeCheckpointVerifier(std::string origin, std::vector<NoteVerifierKey> known) {
  return [origin = std::move(origin), known = std::move(known)](std::string_view note)
             -> absl::StatusOr<CheckpointClaim> {
    ASSIGN_OR_RETURN(Checkpoint checkpoint, OpenCheckpoint(note, known));
    if (checkpoint.origin != origin) {
      return absl::FailedPreconditionError("checkpoint origin: got \"" + checkpoint.origin + "\", want \"" +
                                           origin + "\"");
    }
    return CheckpointClaim{checkpoint.size, checkpoint.root};
  };
}

}  // namespace attestd::ledger
