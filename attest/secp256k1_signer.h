// secp256k1 keys, recoverable ECDSA signatures and Ethereum addresses.
//
// API rules (as libsecp256k1 states them): every signature this module makes
// is low-S (s <= n/2) and serialises as 65 bytes r || s || v with v in {27, 28}
// (Ethereum's convention). Verification rejects high-S, v outside {27, 28},
// r or s of zero or >= n, and a signer other than the expected one, each with
// its own error. Secret keys live only inside SecretKey32, which wipes itself.
//
// Thread safety: all functions are safe to call concurrently; they share one
// immutable, randomised libsecp256k1 context.
#pragma once

#include <string>
#include <string_view>

#include "attest/bytes.h"

namespace attestd {

// A secp256k1 secret key. Move-only; its bytes are wiped on destruction.
class SecretKey32 {
 public:
  // Fails (InvalidArgument) unless 0 < key < n.
  [[nodiscard]] static absl::StatusOr<SecretKey32> FromBytes(ByteSpan key32);
  // A fresh key from OpenSSL's CSPRNG (seeded by the OS). Aborts the process
  // if no entropy is available: there is no safe fallback for a signing key.
  [[nodiscard]] static SecretKey32 Generate();

  SecretKey32(SecretKey32&& other) noexcept;
  SecretKey32& operator=(SecretKey32&& other) noexcept;
  SecretKey32(const SecretKey32&) = delete;
  SecretKey32& operator=(const SecretKey32&) = delete;
  ~SecretKey32();

  // Borrowed view of the secret; valid while *this lives. Do not log it.
  ByteSpan secret() const { return key_.span(); }

 private:
  SecretKey32() = default;
  FixedBytes<32> key_;
};

// Uncompressed public key without the 0x04 prefix: X || Y, 64 bytes.
using PublicKey64 = FixedBytes<64>;

[[nodiscard]] PublicKey64 PublicKeyOf(const SecretKey32& key);
// Ethereum address: the last 20 bytes of keccak256(X || Y).
[[nodiscard]] Address20 AddressOf(const PublicKey64& pub);
[[nodiscard]] Address20 AddressOf(const SecretKey32& key);

// EIP-55 mixed-case checksum form, "0x" + 40 hex digits.
[[nodiscard]] std::string ToChecksumAddress(const Address20& address);
// Accepts "0x" + 40 hex digits. All-lowercase and all-uppercase are taken as
// unchecksummed; mixed case must match EIP-55 exactly (InvalidArgument if not).
[[nodiscard]] absl::StatusOr<Address20> ParseAddress(std::string_view text);

// Signs a 32-byte digest (RFC 6979 nonce, low-S). Returns r || s || v, v in {27, 28}.
// Deterministic: the same key and digest give the same bytes as ethers and
// geth. Cannot fail (recovery ids 2 and 3, which v cannot carry, are avoided
// by re-deriving the nonce with extra data).
[[nodiscard]] Signature65 SignDigest(const SecretKey32& key, const Digest32& digest32);

// Recovers the signer's public key. Errors: InvalidArgument for bad v or r/s
// out of range, FailedPrecondition for high-S, Unauthenticated when no key
// recovers.
[[nodiscard]] absl::StatusOr<PublicKey64> RecoverPublicKey(const Digest32& digest32, const Signature65& sig65);
[[nodiscard]] absl::StatusOr<Address20> RecoverAddress(const Digest32& digest32, const Signature65& sig65);

// Recovers and compares: OK only if the signer is `expected`; otherwise the
// recovery error, or Unauthenticated "signed by 0x.. , expected 0x..".
[[nodiscard]] absl::Status VerifySignature(const Digest32& digest32, const Signature65& sig65,
                                           const Address20& expected);

}  // namespace attestd
