// Binds a log's origin and Ed25519 key to the Sequencer (which signs each
// checkpoint it issues) and to the audit (which verifies every stored one).
//
// Ownership: the signer shares ownership of the key; the verifier copies the
// verifier keys. Thread safety: the returned functions may be called from any
// thread. Failure: the signer returns FormatCheckpoint's / SignCheckpoint's
// error; the verifier returns OpenCheckpoint's error (Unauthenticated for a
// bad or missing log signature, InvalidArgument for a malformed note) or
// FailedPrecondition when the note is for another origin.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "attest/ed25519.h"
#include "attest/signed_note.h"
#include "ledger/audit.h"
#include "ledger/sequencer.h"

namespace attestd::ledger {

[[nodiscard]] CheckpointSigner MakeCheckpointSigner(std::string origin,
                                                    std::shared_ptr<const Ed25519PrivateKey> key);

// `known` must include the log's own key (named `origin`); witness keys may
// be added and are checked when they signed.
[[nodiscard]] CheckpointVerifier MakeCheckpointVerifier(std::string origin, std::vector<NoteVerifierKey> known);

}  // namespace attestd::ledger
