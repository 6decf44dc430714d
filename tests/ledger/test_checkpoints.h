// A test stand-in for the log's checkpoint signer: the C2SP checkpoint body
// followed by a keyed SHA-256 tag, so a changed byte anywhere in a stored note
// fails verification, as it would with the real Ed25519 note signature.
#pragma once

#include <string>
#include <string_view>

#include "attest/bytes.h"
#include "attest/sha256.h"
#include "ledger/audit.h"
#include "ledger/sequencer.h"

namespace attestd::ledger::testing {

inline constexpr std::string_view kTestOrigin = "test.example/log";

inline std::string TestTag(std::string_view body) {
  return HexEncode(Sha256(std::string("test-checkpoint-key\n") + std::string(body)));
}

inline CheckpointSigner TestCheckpointSigner() {
  return [](uint64_t size, const Digest32& root) -> absl::StatusOr<std::string> {
    std::string body = std::string(kTestOrigin) + "\n" + std::to_string(size) + "\n" + Base64Encode(root.span()) + "\n";
    return body + "\n" + TestTag(body) + "\n";
  };
}

inline CheckpointVerifier TestCheckpointVerifier() {
  return [](std::string_view note) -> absl::StatusOr<CheckpointClaim> {
    size_t blank = note.find("\n\n");
    if (blank == std::string_view::npos) return absl::InvalidArgumentError("no blank line");
    std::string_view body = note.substr(0, blank + 1);
    std::string_view tag = note.substr(blank + 2);
    if (tag != TestTag(body) + "\n") return absl::UnauthenticatedError("tag does not verify");
    size_t first = body.find('\n');
    size_t second = body.find('\n', first + 1);
    if (body.substr(0, first) != kTestOrigin) return absl::InvalidArgumentError("wrong origin");
    CheckpointClaim claim;
    claim.size = std::stoull(std::string(body.substr(first + 1, second - first - 1)));
    ASSIGN_OR_RETURN(Bytes root, Base64Decode(body.substr(second + 1, body.size() - second - 2)));
    ASSIGN_OR_RETURN(claim.root, Digest32::FromSpan(root, "root"));
    return claim;
  };
}

}  // namespace attestd::ledger::testing
