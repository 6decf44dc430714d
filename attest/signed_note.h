// C2SP signed notes (c2sp.org/signed-note) with Ed25519 signatures.
//
// A note is UTF-8 text ending in a newline, a blank line, then one line per
// signature:
//   <text>\n
//   \n
//   — <key name> <base64(key hash (4 bytes) || Ed25519 signature (64 bytes))>\n
// The em dash is U+2014. The key hash is the first 4 bytes of
// SHA-256(key name || "\n" || 0x01 || public key) (0x01: the Ed25519 type).
// A verifier key string is `<name>+<key hash as 8 hex digits>+<base64(0x01 || public key)>`.
//
// Thread safety: pure functions. Failure: [[nodiscard]] Status/StatusOr with
// precise messages; InvalidArgument for malformed text or keys,
// Unauthenticated when a signature by a known key does not verify or no known
// key signed.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attest/bytes.h"
#include "attest/ed25519.h"
#include "base/status.h"

namespace attestd {

inline constexpr std::string_view kNoteSignaturePrefix = "\xE2\x80\x94 ";  // U+2014 EM DASH, then a space
inline constexpr uint8_t kNoteKeyTypeEd25519 = 0x01;
inline constexpr size_t kMaxNoteSignatures = 100;

struct NoteVerifierKey {
  std::string name;
  uint32_t key_hash = 0;
  Ed25519PublicKey public_key;
};

// A key name is non-empty UTF-8 without '+', control characters or Unicode
// spaces (U+00A0, U+2028, U+3000, ... : C2SP signed-note, as Go's verifier
// checks it).
[[nodiscard]] absl::Status CheckNoteKeyName(std::string_view name);
// First 4 bytes of SHA-256(name || "\n" || 0x01 || public_key), big-endian.
[[nodiscard]] uint32_t NoteKeyHash(std::string_view name, const Ed25519PublicKey& public_key);
// A verifier key for `name` and `public_key` (computes the key hash).
[[nodiscard]] absl::StatusOr<NoteVerifierKey> MakeNoteVerifierKey(std::string_view name,
                                                                  const Ed25519PublicKey& public_key);
// `name+hash8hex+base64(0x01||pubkey)`.
[[nodiscard]] std::string FormatNoteVerifierKey(const NoteVerifierKey& key);
// Parses a verifier key string; InvalidArgument if any part is malformed, the
// type is not Ed25519, or the stated key hash does not match the key.
[[nodiscard]] absl::StatusOr<NoteVerifierKey> ParseNoteVerifierKey(std::string_view vkey);

struct NoteSignature {
  std::string name;
  uint32_t key_hash = 0;
  Bytes signature;  // what follows the key hash; 64 bytes for Ed25519
};

struct ParsedNote {
  std::string text;  // the signed message, ending in "\n"
  std::vector<NoteSignature> signatures;
};

// The text of a note: everything up to and including the newline before the
// last blank line (signature lines never hold a blank line, so the last one
// is the split). A view into `note`. InvalidArgument if there is no blank line.
[[nodiscard]] absl::StatusOr<std::string_view> NoteText(std::string_view note);

// Splits a note into text and signature lines without checking signatures.
// InvalidArgument if there is no blank line before the signatures, the text
// does not end in a newline, a signature line is malformed, or there are no
// or more than kMaxNoteSignatures signatures.
[[nodiscard]] absl::StatusOr<ParsedNote> ParseNote(std::string_view note);

// The signature line for `text` (which must end in "\n") signed by `key`
// under `name`, ending in "\n".
[[nodiscard]] absl::StatusOr<std::string> NoteSignatureLine(std::string_view text, std::string_view name,
                                                            const Ed25519PrivateKey& key);
// text + "\n" + the signature line.
[[nodiscard]] absl::StatusOr<std::string> SignNote(std::string_view text, std::string_view name,
                                                   const Ed25519PrivateKey& key);

struct VerifiedNote {
  std::string text;
  std::vector<std::string> verified_by;  // names of the known keys whose signatures verified
};

// Parses `note` and checks every signature whose (name, key hash) matches a
// known key. Signatures by unknown keys are ignored (C2SP). Unauthenticated
// if a signature by a known key fails, or if no known key signed.
[[nodiscard]] absl::StatusOr<VerifiedNote> OpenNote(std::string_view note, std::span<const NoteVerifierKey> known);

}  // namespace attestd
