#include "ledger/checkpoint.h"

#include <algorithm>
#include <charconv>

#include "attest/sha256.h"

namespace attestd::ledger {
namespace {

absl::Status CheckLine(std::string_view line, std::string_view what) {
  if (line.empty()) return absl::InvalidArgumentError("checkpoint " + std::string(what) + " is empty");
  if (line.find('\n') != std::string_view::npos) {
    return absl::InvalidArgumentError("checkpoint " + std::string(what) + " contains a newline");
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> ParseDecimalSize(std::string_view text) {
  const bool digits_only = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
  if (!digits_only || (text.size() > 1 && text[0] == '0')) {
    return absl::InvalidArgumentError("checkpoint line 2: got \"" + std::string(text.substr(0, 32)) +
                                      "\", want a decimal tree size without sign or leading zeros");
  }
  uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return absl::InvalidArgumentError("checkpoint line 2: tree size " + std::string(text.substr(0, 32)) +
                                      " does not fit in 64 bits");
  }
  return value;
}

}  // namespace

Digest32 LogIdOf(std::string_view origin) { return Sha256(origin); }

absl::StatusOr<std::string> FormatCheckpoint(const Checkpoint& checkpoint) {
  RETURN_IF_ERROR(CheckLine(checkpoint.origin, "origin"));
  std::string body = checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" +
                     Base64Encode(checkpoint.root.span()) + "\n";
  for (const std::string& extension : checkpoint.extensions) {
    RETURN_IF_ERROR(CheckLine(extension, "extension line"));
    body += extension + "\n";
  }
  return body;
}

absl::StatusOr<Checkpoint> ParseCheckpoint(std::string_view body) {
  if (body.empty() || body.back() != '\n') {
    return absl::InvalidArgumentError("checkpoint body must end in a newline");
  }
  std::vector<std::string_view> lines;
  for (std::string_view rest = body; !rest.empty();) {
    const size_t eol = rest.find('\n');
    lines.push_back(rest.substr(0, eol));
    rest.remove_prefix(eol + 1);
  }
  if (lines.size() < 3) {
    return absl::InvalidArgumentError("checkpoint: got " + std::to_string(lines.size()) +
                                      " lines, want at least 3 (origin, size, root)");
  }
  Checkpoint checkpoint;
  if (lines[0].empty()) return absl::InvalidArgumentError("checkpoint line 1: the origin is empty");
  checkpoint.origin = std::string(lines[0]);
  ASSIGN_OR_RETURN(checkpoint.size, ParseDecimalSize(lines[1]));
  absl::StatusOr<Bytes> root = Base64Decode(lines[2]);
  if (!root.ok()) {
    return absl::InvalidArgumentError("checkpoint line 3: root hash: " + std::string(root.status().message()));
  }
  ASSIGN_OR_RETURN(checkpoint.root, Digest32::FromSpan(*root, "checkpoint line 3: root hash"));
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      return absl::InvalidArgumentError("checkpoint line " + std::to_string(i + 1) + ": empty extension line");
    }
    checkpoint.extensions.emplace_back(lines[i]);
  }
  return checkpoint;
}

absl::StatusOr<std::string> SignCheckpoint(const Checkpoint& checkpoint, const Ed25519PrivateKey& key) {
  ASSIGN_OR_RETURN(std::string body, FormatCheckpoint(checkpoint));
  return SignNote(body, checkpoint.origin, key);
}

absl::StatusOr<Checkpoint> OpenCheckpoint(std::string_view note, std::span<const NoteVerifierKey> known) {
  ASSIGN_OR_RETURN(VerifiedNote verified, OpenNote(note, known));
  ASSIGN_OR_RETURN(Checkpoint checkpoint, ParseCheckpoint(verified.text));
  if (std::find(verified.verified_by.begin(), verified.verified_by.end(), checkpoint.origin) ==
      verified.verified_by.end()) {
    return absl::UnauthenticatedError("checkpoint for origin \"" + checkpoint.origin +
                                      "\" is not signed by a known key of that name");
  }
  return checkpoint;
}

}  // namespace attestd::ledger
