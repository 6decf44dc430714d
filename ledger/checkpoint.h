// C2SP tlog-checkpoint bodies (c2sp.org/tlog-checkpoint) and their signed
// notes (attest/signed_note.h).
//
// Body, every line ending in "\n":
//   <origin>                 the log's unique name, e.g. "attestd.example/log1"
//   <tree size>              decimal, no sign, no leading zeros
//   <root hash>              standard base64 (with padding) of 32 bytes
//   [<extension line>...]    optional, non-empty, opaque to us
// The log id in receipts is LogIdOf(origin) = SHA-256(origin) (SPEC).
//
// Thread safety: pure functions. Failure: InvalidArgument naming the line and
// what was expected for malformed bodies; Unauthenticated (from OpenNote) for
// signatures.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attest/bytes.h"
#include "attest/ed25519.h"
#include "attest/signed_note.h"
#include "base/status.h"

namespace attestd::ledger {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Digest32 root;
  std::vector<std::string> extensions;  // extension lines without their "\n"

  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// SHA-256 of the origin line's bytes (without the newline).
[[nodiscard]] Digest32 LogIdOf(std::string_view origin);

// The body text. InvalidArgument if the origin is empty or contains a
// newline, or an extension line is empty or contains a newline.
[[nodiscard]] absl::StatusOr<std::string> FormatCheckpoint(const Checkpoint& checkpoint);

// Parses a body (the text of a note, ending in "\n"); strict: exactly the
// grammar above.
[[nodiscard]] absl::StatusOr<Checkpoint> ParseCheckpoint(std::string_view body);

// The signed note for `checkpoint`, signed by `key` under the key name
// `checkpoint.origin` (the C2SP convention for a log's own signature).
[[nodiscard]] absl::StatusOr<std::string> SignCheckpoint(const Checkpoint& checkpoint, const Ed25519PrivateKey& key);

// Verifies `note` with the known keys (OpenNote) and parses its body.
// Unauthenticated unless the key named by the checkpoint's origin is among
// the verified signers (a witness cosignature alone is not the log's).
[[nodiscard]] absl::StatusOr<Checkpoint> OpenCheckpoint(std::string_view note,
                                                        std::span<const NoteVerifierKey> known);

}  // namespace attestd::ledger
