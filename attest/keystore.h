// Attestor keys at rest: Ethereum V3 keystore JSON ("Web3 Secret Storage"),
// passphrase sources, and the raw hex key file fallback.
//
// Keystore format (what geth and ethers read and write):
//   {"address": "<40 lowercase hex, no 0x>", "id": "<uuid v4>", "version": 3,
//    "crypto": {"cipher": "aes-128-ctr", "cipherparams": {"iv": "<16 bytes hex>"},
//               "ciphertext": "<32 bytes hex>", "kdf": "scrypt" | "pbkdf2",
//               "kdfparams": {...}, "mac": "<32 bytes hex>"}}
//   derivedKey = scrypt(passphrase, salt, n, r, p, dklen=32)
//             or PBKDF2-HMAC-SHA256(passphrase, salt, c, dklen=32)
//   ciphertext = AES-128-CTR(key = derivedKey[0..16], iv, secret key)
//   mac        = keccak256(derivedKey[16..32] || ciphertext)
// Both "crypto" (geth) and "Crypto" (ethers) are read; "crypto" is written.
//
// Errors:
//   InvalidArgument    malformed JSON, wrong version, unknown kdf/cipher/prf,
//                      bad hex or lengths, KDF cost beyond the limits below
//   Unauthenticated    MAC mismatch: "wrong passphrase" (or ciphertext altered),
//                      or, when the key still decrypts to the recorded address,
//                      "mac field altered" (distinct messages)
//   DataLoss           MAC verifies but the "address" field names another key
//   FailedPrecondition raw key file readable by group/others
//   NotFound           missing file or unset environment variable
// No error message contains a passphrase, derived key or secret key byte.
// Every buffer that held one is wiped (SecureWipe) on every return path.
//
// Thread safety: all functions are safe to call concurrently. KDFs are slow
// by design (ethers parameters: ~0.3 s and 128 MiB per call).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "attest/bytes.h"
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

// scrypt cost for new keystores. Defaults are ethers' (and geth's "light" is
// n=4096, p=6): n must be a power of two >= 2. Tests pass a small n.
struct ScryptParams {
  uint64_t n = 131072;
  uint32_t r = 8;
  uint32_t p = 1;
};

// Limits applied when READING a keystore, so that a hostile file cannot make
// us allocate or spin without bound. geth's "standard" scrypt (n=262144, r=8,
// 256 MiB) and its pbkdf2 c=262144 are well inside them.
inline constexpr uint64_t kMaxScryptMemoryBytes = uint64_t{1} << 30;  // 128 * r * n
inline constexpr uint64_t kMaxPbkdf2Iterations = 10'000'000;
inline constexpr size_t kMaxKeystoreFileBytes = 64 * 1024;

// Encrypts `key` as V3 keystore JSON text (scrypt + aes-128-ctr, fresh random
// salt, iv and UUID v4 id). InvalidArgument for an empty passphrase or bad
// params.
[[nodiscard]] absl::StatusOr<std::string> EncryptKeystore(const SecretKey32& key, std::string_view passphrase,
                                                          const ScryptParams& params = {});
// Decrypts V3 keystore JSON text written by attestd, geth or ethers.
[[nodiscard]] absl::StatusOr<SecretKey32> DecryptKeystore(std::string_view json, std::string_view passphrase);
// The "address" field, without decrypting (for listing keys); NotFound if
// absent, InvalidArgument if malformed.
[[nodiscard]] absl::StatusOr<Address20> KeystoreAddress(std::string_view json);

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

}  // namespace attestd
