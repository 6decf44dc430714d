#include "attest/signed_note.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "attest/sha256.h"

namespace attestd {
namespace {

// Decodes strict UTF-8 (no overlong forms, surrogates or values beyond
// U+10FFFF) into code points; false when `s` is not valid UTF-8.
bool DecodeUtf8(std::string_view s, std::vector<uint32_t>* code_points) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    size_t extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      code_points->push_back(c);
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values beyond U+10FFFF.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    code_points->push_back(cp);
    i += extra + 1;
  }
  return true;
}

bool IsValidUtf8(std::string_view s) {
  std::vector<uint32_t> ignored;
  return DecodeUtf8(s, &ignored);
}

// Unicode White_Space (what Go's unicode.IsSpace, and so the reference note
// verifiers, refuse in key names), plus the C0 controls and DEL.
bool IsSpaceOrControl(uint32_t cp) {
  if (cp <= 0x20 || cp == 0x7F || cp == 0x85 || cp == 0xA0 || cp == 0x1680) return true;
  if (cp >= 0x2000 && cp <= 0x200A) return true;
  return cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

uint32_t GetBigEndian32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

void PutBigEndian32(uint32_t v, uint8_t* p) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

absl::StatusOr<NoteSignature> ParseSignatureLine(std::string_view line) {
  if (line.substr(0, kNoteSignaturePrefix.size()) != kNoteSignaturePrefix) {
    return absl::InvalidArgumentError("note: signature line does not start with U+2014 and a space");
  }
  line.remove_prefix(kNoteSignaturePrefix.size());
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) {
    return absl::InvalidArgumentError("note: signature line has no space between key name and signature");
  }
  NoteSignature sig;
  sig.name = std::string(line.substr(0, space));
  RETURN_IF_ERROR(CheckNoteKeyName(sig.name));
  absl::StatusOr<Bytes> raw = Base64Decode(line.substr(space + 1));
  if (!raw.ok()) return absl::InvalidArgumentError("note: signature by " + sig.name + ": " + std::string(raw.status().message()));
  if (raw->size() < 5) {
    return absl::InvalidArgumentError("note: signature by " + sig.name + ": got " + std::to_string(raw->size()) +
                                      " bytes, want a 4-byte key hash and a signature");
  }
  sig.key_hash = GetBigEndian32(raw->data());
  sig.signature.assign(raw->begin() + 4, raw->end());
  return sig;
}

}  // namespace

absl::Status CheckNoteKeyName(std::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("note key name is empty");
  std::vector<uint32_t> code_points;
  if (!DecodeUtf8(name, &code_points)) return absl::InvalidArgumentError("note key name is not valid UTF-8");
  for (uint32_t cp : code_points) {
    if (cp == '+' || IsSpaceOrControl(cp)) {
      char hex[16];
      std::snprintf(hex, sizeof(hex), "U+%04X", static_cast<unsigned>(cp));
      return absl::InvalidArgumentError("note key name \"" + std::string(name) + "\" contains " + hex +
                                        " ('+', a space or a control character)");
    }
  }
  return absl::OkStatus();
}

uint32_t NoteKeyHash(std::string_view name, const Ed25519PublicKey& public_key) {
  Sha256Hasher hasher;
  hasher.Update(name);
  hasher.Update(std::string_view("\n"));
  hasher.Update(ByteSpan(&kNoteKeyTypeEd25519, 1));
  hasher.Update(public_key.span());
  const Digest32 digest = hasher.Finish();
  return GetBigEndian32(digest.data());
}

absl::StatusOr<NoteVerifierKey> MakeNoteVerifierKey(std::string_view name, const Ed25519PublicKey& public_key) {
  RETURN_IF_ERROR(CheckNoteKeyName(name));
  return NoteVerifierKey{std::string(name), NoteKeyHash(name, public_key), public_key};
}

std::string FormatNoteVerifierKey(const NoteVerifierKey& key) {
  char hash_hex[9];
  std::snprintf(hash_hex, sizeof(hash_hex), "%08x", key.key_hash);
  Bytes typed{kNoteKeyTypeEd25519};
  typed.insert(typed.end(), key.public_key.begin(), key.public_key.end());
  return key.name + "+" + hash_hex + "+" + Base64Encode(typed);
}

absl::StatusOr<NoteVerifierKey> ParseNoteVerifierKey(std::string_view vkey) {
  const size_t first = vkey.find('+');
  const size_t second = first == std::string_view::npos ? first : vkey.find('+', first + 1);
  // The key part is standard base64 and may itself contain '+' (as in Go's
  // note.NewVerifier, only the first two '+' separate fields).
  if (second == std::string_view::npos) {
    return absl::InvalidArgumentError("verifier key: want name+hash+key, got " + std::to_string(std::count(vkey.begin(), vkey.end(), '+')) + " '+' separators");
  }
  const std::string_view name = vkey.substr(0, first);
  const std::string_view hash_hex = vkey.substr(first + 1, second - first - 1);
  RETURN_IF_ERROR(CheckNoteKeyName(name));
  if (hash_hex.size() != 8) {
    return absl::InvalidArgumentError("verifier key hash: got " + std::to_string(hash_hex.size()) +
                                      " hex digits, want 8");
  }
  ASSIGN_OR_RETURN(Bytes hash_bytes, HexDecode(hash_hex, /*allow_0x=*/false));
  ASSIGN_OR_RETURN(Bytes typed, Base64Decode(vkey.substr(second + 1)));
  if (typed.size() != 33) {
    return absl::InvalidArgumentError("verifier key: got " + std::to_string(typed.size()) +
                                      " key bytes, want 33 (type byte and Ed25519 key)");
  }
  if (typed[0] != kNoteKeyTypeEd25519) {
    return absl::InvalidArgumentError("verifier key: got type byte " + std::to_string(typed[0]) +
                                      ", want 1 (Ed25519)");
  }
  NoteVerifierKey key;
  key.name = std::string(name);
  key.key_hash = GetBigEndian32(hash_bytes.data());
  std::copy(typed.begin() + 1, typed.end(), key.public_key.bytes.begin());
  const uint32_t want = NoteKeyHash(name, key.public_key);
  if (key.key_hash != want) {
    char got_hex[9];
    char want_hex[9];
    std::snprintf(got_hex, sizeof(got_hex), "%08x", key.key_hash);
    std::snprintf(want_hex, sizeof(want_hex), "%08x", want);
    return absl::InvalidArgumentError(std::string("verifier key: stated key hash ") + got_hex +
                                      " does not match the key, want " + want_hex);
  }
  return key;
}

absl::StatusOr<std::string_view> NoteText(std::string_view note) {
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return absl::InvalidArgumentError("note has no blank line between text and signatures");
  }
  return note.substr(0, split + 1);
}

absl::StatusOr<ParsedNote> ParseNote(std::string_view note) {
  if (!IsValidUtf8(note)) return absl::InvalidArgumentError("note is not valid UTF-8");
  ASSIGN_OR_RETURN(std::string_view text, NoteText(note));
  ParsedNote parsed;
  parsed.text = std::string(text);
  std::string_view block = note.substr(text.size() + 1);
  if (block.empty() || block.back() != '\n') {
    return absl::InvalidArgumentError("note: signature block is empty or does not end in a newline");
  }
  while (!block.empty()) {
    const size_t eol = block.find('\n');
    ASSIGN_OR_RETURN(NoteSignature sig, ParseSignatureLine(block.substr(0, eol)));
    parsed.signatures.push_back(std::move(sig));
    if (parsed.signatures.size() > kMaxNoteSignatures) {
      return absl::InvalidArgumentError("note has more than " + std::to_string(kMaxNoteSignatures) + " signatures");
    }
    block.remove_prefix(eol + 1);
  }
  return parsed;
}

absl::StatusOr<std::string> NoteSignatureLine(std::string_view text, std::string_view name,
                                              const Ed25519PrivateKey& key) {
  RETURN_IF_ERROR(CheckNoteKeyName(name));
  if (text.empty() || text.back() != '\n') return absl::InvalidArgumentError("note text must end in a newline");
  if (!IsValidUtf8(text)) return absl::InvalidArgumentError("note text is not valid UTF-8");
  ASSIGN_OR_RETURN(Ed25519Signature sig, key.Sign(AsBytes(text)));
  Bytes raw(4);
  PutBigEndian32(NoteKeyHash(name, key.public_key()), raw.data());
  raw.insert(raw.end(), sig.begin(), sig.end());
  return std::string(kNoteSignaturePrefix) + std::string(name) + " " + Base64Encode(raw) + "\n";
}

absl::StatusOr<std::string> SignNote(std::string_view text, std::string_view name, const Ed25519PrivateKey& key) {
  ASSIGN_OR_RETURN(std::string line, NoteSignatureLine(text, name, key));
  return std::string(text) + "\n" + line;
}

absl::StatusOr<VerifiedNote> OpenNote(std::string_view note, std::span<const NoteVerifierKey> known) {
  ASSIGN_OR_RETURN(ParsedNote parsed, ParseNote(note));
  VerifiedNote out;
  for (const NoteSignature& sig : parsed.signatures) {
    for (const NoteVerifierKey& key : known) {
      if (key.name != sig.name || key.key_hash != sig.key_hash) continue;
      absl::StatusOr<Ed25519Signature> typed = Ed25519Signature::FromSpan(sig.signature, "signature");
      if (!typed.ok()) {
        return absl::UnauthenticatedError("note: signature by " + sig.name + ": " + std::string(typed.status().message()));
      }
      absl::Status verified = Ed25519Verify(key.public_key, AsBytes(parsed.text), *typed);
      if (!verified.ok()) return absl::UnauthenticatedError("note: signature by " + sig.name + " does not verify");
      if (std::find(out.verified_by.begin(), out.verified_by.end(), sig.name) == out.verified_by.end()) {
        out.verified_by.push_back(sig.name);
      }
    }
  }
  if (out.verified_by.empty()) {
    return absl::UnauthenticatedError("note: no signature by a known key (" + std::to_string(parsed.signatures.size()) +
                                      " signatures, " + std::to_string(known.size()) + " known keys)");
  }
  out.text = std::move(parsed.text);
  return out;
}

}  // namespace attestd
