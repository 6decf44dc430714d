// Key material on disk and in the environment: keystore files, passphrase
// files and variables, raw hex key files, and LoadAttestorKey, the one entry
// point the service and tools use to obtain a signing key. The keystore
// format itself is attest/keystore.h.
//
// Errors:
//   FailedPrecondition raw key file readable by group/others
//   NotFound           missing file or unset environment variable
//   InvalidArgument    empty passphrase, malformed key file, a KeySource that
//                      is not exactly one of its forms
//   and the errors of DecryptKeystore (attest/keystore.h).
// No error message contains a passphrase or secret key byte.
//
// Thread safety: all functions are safe to call concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "attest/bytes.h"
#include "attest/keystore.h"
#include "attest/secp256k1_signer.h"

namespace attestd {

// A passphrase or other secret text. Move-only; wipes its buffer on
// destruction. The buffer never reallocates after construction, so no stale
// copy is left behind in freed memory.
class SecretString {
 public:
  SecretString() = default;
  // Copies `text` into a fresh buffer. The caller still owns (and should
  // wipe) the source.
  explicit SecretString(std::string_view text);
  SecretString(SecretString&& other) noexcept;
  SecretString& operator=(SecretString&& other) noexcept;
  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;
  ~SecretString();

  // Borrowed; valid while *this lives.
  std::string_view view() const { return std::string_view(buf_.data(), buf_.size()); }
  bool empty() const { return buf_.empty(); }

 private:
  void Wipe();
  std::vector<char> buf_;
};

// Keeps secret keys out of core dumps: marks the process non-dumpable
// (prctl PR_SET_DUMPABLE 0, which also covers core_pattern pipes) and sets
// RLIMIT_CORE to 0. Called once at start-up by attestd and by every attest
// command, before any key is loaded. Side effect: same-uid debuggers can no
// longer attach. Internal on failure.
[[nodiscard]] absl::Status ExcludeProcessFromCoreDumps();

// Writes `json` to a NEW file created with mode 0600 and fsyncs it.
// AlreadyExists if `path` exists: a key file is never overwritten.
[[nodiscard]] absl::Status WriteKeystoreFile(const std::string& path, std::string_view json);
// Reads a keystore file (at most kMaxKeystoreFileBytes).
[[nodiscard]] absl::StatusOr<std::string> ReadKeystoreFile(const std::string& path);

// Reads a passphrase from a file: its content with one trailing "\n" or
// "\r\n" removed (so `echo pw > f` works; geth does the same). InvalidArgument
// if the result is empty. The file's mode is not checked (it is an encrypted
// keystore's passphrase; operators often mount it as a secret).
[[nodiscard]] absl::StatusOr<SecretString> ReadPassphraseFile(const std::string& path);
// Reads a passphrase from environment variable `name`. NotFound if unset,
// InvalidArgument if empty. The environment itself is left as it is.
[[nodiscard]] absl::StatusOr<SecretString> ReadPassphraseEnv(const std::string& name);

// Loads a raw hex secret key file (64 hex digits, optional 0x, surrounding
// whitespace ignored). FailedPrecondition naming the mode (e.g. "0644") unless
// (st_mode & 077) == 0; prints a warning on stderr when it does load.
[[nodiscard]] absl::StatusOr<SecretKey32> LoadRawKeyFile(const std::string& path);

// Where the attestor (or exporter) key comes from. Exactly one of
// keystore_path / raw_key_path is set; with a keystore, exactly one of
// passphrase_file / passphrase_env.
struct KeySource {
  std::string keystore_path = {};
  std::string passphrase_file = {};
  std::string passphrase_env = {};  // the variable's NAME, not the passphrase
  std::string raw_key_path = {};
};

// The one entry point the service and tools use to obtain a signing key.
// InvalidArgument when the source is not exactly one of the forms above;
// otherwise the errors of the functions it calls.
[[nodiscard]] absl::StatusOr<SecretKey32> LoadAttestorKey(const KeySource& source);

// The source the attestd config describes with a keystore and two passphrase
// settings (keys.attestor_* and anchoring.*): the environment variable wins
// when it is named, else the file is read.
[[nodiscard]] KeySource KeystoreSource(std::string keystore_path, std::string passphrase_file,
                                       std::string passphrase_env);

}  // namespace attestd
