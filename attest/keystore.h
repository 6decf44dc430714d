// Attestor keys at rest: Ethereum V3 keystore JSON ("Web3 Secret Storage")
// encryption and decryption. Where the bytes and the passphrase come from
// (files, environment variables, raw key files) is attest/key_source.h.
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

}  // namespace attestd
