// What several `attest` commands share, written once so that a flag means
// the same thing in every command:
//
//   --tls-ca FILE    PEM roots to trust for a TLS server; without it the
//                    channel is plaintext (a loopback or test server)
//   --log-key ARG    the log's C2SP note verifier key: ARG itself
//                    ("<name>+<hash hex>+<base64 key>"), or, when ARG names a
//                    regular file, that file's content without its trailing
//                    newline (as `attest logkey vkey > FILE` writes it)
//
// Single-threaded, like the rest of the CLI.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <grpcpp/channel.h>
#include <grpcpp/security/credentials.h>

#include "attest/signed_note.h"
#include "base/status.h"

namespace attestd::cli {

// The most an input file (receipt, request, response, proof, note) may hold.
inline constexpr size_t kMaxInputFileBytes = size_t{64} << 20;

// ReadWholeFile (base/file.h) capped at kMaxInputFileBytes.
[[nodiscard]] absl::StatusOr<std::string> ReadInputFile(const std::string& path, std::string_view what);

// Plaintext without `tls_ca`; TLS trusting the PEM roots in it otherwise.
// NotFound when the file cannot be read.
[[nodiscard]] absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials(
    const std::string& tls_ca);
// A channel to `server` ("host:port") with ChannelCredentials(tls_ca).
[[nodiscard]] absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(const std::string& server,
                                                                     const std::string& tls_ca);

// The --log-key text (above), not yet parsed: a receipt's verifier reports a
// malformed key as a failed check, the other commands as bad input.
[[nodiscard]] absl::StatusOr<std::string> LogKeyText(const std::string& arg);
// LogKeyText, parsed. InvalidArgument for a malformed key.
[[nodiscard]] absl::StatusOr<NoteVerifierKey> LoadLogKey(const std::string& arg);

}  // namespace attestd::cli
