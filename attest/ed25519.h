// Ed25519 (RFC 8032) keys for the log's checkpoint notes, via OpenSSL EVP.
//
// Ownership: Ed25519PrivateKey owns its OpenSSL key object; it is movable,
// not copyable. OpenSSL wipes the private key when the object is freed; seeds
// that pass through our buffers are wiped with SecureWipe.
// Thread safety: a const Ed25519PrivateKey may sign from several threads
// (each call uses its own EVP context). Free functions are pure.
// Failure: every function returns a [[nodiscard]] Status / StatusOr; key
// material never appears in error messages.
#pragma once

#include <string>

#include "attest/bytes.h"
#include "base/status.h"

struct evp_pkey_st;

namespace attestd {

using Ed25519PublicKey = FixedBytes<32>;
using Ed25519Signature = FixedBytes<64>;

class Ed25519PrivateKey {
 public:
  // A fresh key from OpenSSL's CSPRNG.
  [[nodiscard]] static absl::StatusOr<Ed25519PrivateKey> Generate();
  // The key whose RFC 8032 secret seed is `seed32` (exactly 32 bytes).
  [[nodiscard]] static absl::StatusOr<Ed25519PrivateKey> FromSeed(ByteSpan seed32);
  // Reads a key file: PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----") or a raw
  // 32-byte seed. FailedPrecondition if the file is readable or writable by
  // group or others (want mode 0600 or stricter); NotFound if missing;
  // InvalidArgument for any other content.
  [[nodiscard]] static absl::StatusOr<Ed25519PrivateKey> LoadFile(const std::string& path);

  ~Ed25519PrivateKey();
  Ed25519PrivateKey(Ed25519PrivateKey&& other) noexcept;
  Ed25519PrivateKey& operator=(Ed25519PrivateKey&& other) noexcept;
  Ed25519PrivateKey(const Ed25519PrivateKey&) = delete;
  Ed25519PrivateKey& operator=(const Ed25519PrivateKey&) = delete;

  // Writes the key as PKCS#8 PEM to a new file created with mode 0600.
  // AlreadyExists if `path` exists (keys are never overwritten).
  [[nodiscard]] absl::Status SavePemFile(const std::string& path) const;

  const Ed25519PublicKey& public_key() const { return public_key_; }

  // Pure Ed25519 signature over `message` (no pre-hash).
  [[nodiscard]] absl::StatusOr<Ed25519Signature> Sign(ByteSpan message) const;

 private:
  explicit Ed25519PrivateKey(evp_pkey_st* key);
  evp_pkey_st* key_ = nullptr;
  Ed25519PublicKey public_key_;
};

// OK if `signature` is a valid Ed25519 signature of `message` under
// `public_key`; Unauthenticated otherwise (including a malformed key).
[[nodiscard]] absl::Status Ed25519Verify(const Ed25519PublicKey& public_key, ByteSpan message,
                                         const Ed25519Signature& signature);

}  // namespace attestd
