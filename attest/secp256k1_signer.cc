#include "attest/secp256k1_signer.h"

#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "attest/keccak256.h"

namespace attestd {
namespace {

// The group order n and n/2, big-endian. Used to classify r and s before
// handing them to libsecp256k1 so that each kind of bad signature gets its
// own error (the library only says "invalid").
constexpr uint8_t kOrderN[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
constexpr uint8_t kHalfOrderN[32] = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

bool IsZero32(const uint8_t* p) {
  return std::all_of(p, p + 32, [](uint8_t b) { return b == 0; });
}

// Big-endian compare of two 32-byte integers.
int Compare32(const uint8_t* a, const uint8_t* b) { return std::memcmp(a, b, 32); }

void FillRandom(uint8_t* out, size_t n) {
  // RAND_bytes only fails when the OS entropy source is unusable; signing
  // keys must never come from a weaker source, so there is nothing to fall
  // back to.
  if (RAND_bytes(out, static_cast<int>(n)) != 1) std::abort();
}

// One process-wide context, randomised once (side-channel blinding). After
// randomisation it is only ever passed as const, which libsecp256k1
// documents as safe for concurrent use.
const secp256k1_context* Context() {
  static const secp256k1_context* const ctx = [] {
    secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    uint8_t seed[32];
    FillRandom(seed, sizeof(seed));
    if (secp256k1_context_randomize(c, seed) != 1) std::abort();
    SecureWipe(seed, sizeof(seed));
    return c;
  }();
  return ctx;
}

std::string AddressHex(const Address20& a) { return ToChecksumAddress(a); }

// The 64-byte x || y form: the uncompressed serialisation without its 0x04.
PublicKey64 Serialize64(const secp256k1_pubkey& pubkey) {
  uint8_t out65[65];
  size_t len = sizeof(out65);
  secp256k1_ec_pubkey_serialize(Context(), out65, &len, &pubkey, SECP256K1_EC_UNCOMPRESSED);
  PublicKey64 pub;
  std::memcpy(pub.data(), out65 + 1, 64);
  return pub;
}

}  // namespace

absl::StatusOr<SecretKey32> SecretKey32::FromBytes(ByteSpan key32) {
  if (key32.size() != 32) {
    return absl::InvalidArgumentError("secret key: got " + std::to_string(key32.size()) +
                                      " bytes, want 32");
  }
  SecretKey32 key;
  std::copy(key32.begin(), key32.end(), key.key_.bytes.begin());
  if (secp256k1_ec_seckey_verify(Context(), key.key_.data()) != 1) {
    // `key` wipes itself on return; the message names no key bytes.
    return absl::InvalidArgumentError("secret key: not in range 0 < key < n");
  }
  return key;
}

SecretKey32 SecretKey32::Generate() {
  SecretKey32 key;
  do {
    FillRandom(key.key_.data(), 32);
  } while (secp256k1_ec_seckey_verify(Context(), key.key_.data()) != 1);
  return key;
}

SecretKey32::SecretKey32(SecretKey32&& other) noexcept : key_(other.key_) {
  SecureWipe(other.key_.data(), 32);
}

SecretKey32& SecretKey32::operator=(SecretKey32&& other) noexcept {
  if (this != &other) {
    key_ = other.key_;
    SecureWipe(other.key_.data(), 32);
  }
  return *this;
}

SecretKey32::~SecretKey32() { SecureWipe(key_.data(), 32); }

PublicKey64 PublicKeyOf(const SecretKey32& key) {
  secp256k1_pubkey pubkey;
  // Cannot fail: SecretKey32 only holds keys that passed seckey_verify.
  if (secp256k1_ec_pubkey_create(Context(), &pubkey, key.secret().data()) != 1) std::abort();
  return Serialize64(pubkey);
}

Address20 AddressOf(const PublicKey64& pub) {
  Digest32 h = Keccak256(pub.span());
  Address20 a;
  std::memcpy(a.data(), h.data() + 12, 20);
  return a;
}

Address20 AddressOf(const SecretKey32& key) { return AddressOf(PublicKeyOf(key)); }

std::string ToChecksumAddress(const Address20& address) {
  std::string hex = HexEncode(address);
  Digest32 h = Keccak256(hex);
  for (size_t i = 0; i < hex.size(); ++i) {
    uint8_t nibble = (i % 2 == 0) ? (h[i / 2] >> 4) : (h[i / 2] & 0x0f);
    if (nibble >= 8 && hex[i] >= 'a' && hex[i] <= 'f') hex[i] = static_cast<char>(hex[i] - 'a' + 'A');
  }
  return "0x" + hex;
}

absl::StatusOr<Address20> ParseAddress(std::string_view text) {
  if (text.size() != 42 || text[0] != '0' || text[1] != 'x') {
    return absl::InvalidArgumentError("address: got \"" + std::string(text.substr(0, 64)) +
                                      "\", want 0x followed by 40 hex digits");
  }
  std::string_view digits = text.substr(2);
  ASSIGN_OR_RETURN(Address20 address, HexDecodeFixed<20>(digits, "address"));
  bool has_lower = std::any_of(digits.begin(), digits.end(), [](char c) { return c >= 'a' && c <= 'f'; });
  bool has_upper = std::any_of(digits.begin(), digits.end(), [](char c) { return c >= 'A' && c <= 'F'; });
  if (has_lower && has_upper) {
    std::string want = ToChecksumAddress(address);
    if (want != text) {
      return absl::InvalidArgumentError("address: EIP-55 checksum mismatch: got " + std::string(text) +
                                        ", want " + want);
    }
  }
  return address;
}

Signature65 SignDigest(const SecretKey32& key, const Digest32& digest32) {
  secp256k1_ecdsa_recoverable_signature sig;
  int recid = 0;
  uint8_t extra[32] = {};
  // RFC 6979 nonce. Ethereum's v can only carry recovery ids 0 and 1; ids 2
  // and 3 (R.x >= n, probability ~2^-127) are avoided by re-deriving the
  // nonce with extra data, which RFC 6979 section 3.6 allows.
  for (uint32_t attempt = 0;; ++attempt) {
    const void* ndata = nullptr;
    if (attempt > 0) {
      PutBigEndian64(attempt, extra + 24);
      ndata = extra;
    }
    if (secp256k1_ecdsa_sign_recoverable(Context(), &sig, digest32.data(), key.secret().data(),
                                         secp256k1_nonce_function_rfc6979, ndata) != 1) {
      std::abort();  // only possible for an invalid key, which SecretKey32 excludes
    }
    Signature65 out;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(Context(), out.data(), &recid, &sig);
    if (recid == 0 || recid == 1) {
      // libsecp256k1 always produces low-S signatures.
      out[64] = static_cast<uint8_t>(27 + recid);
      return out;
    }
  }
}

absl::StatusOr<PublicKey64> RecoverPublicKey(const Digest32& digest32, const Signature65& sig65) {
  const uint8_t* r = sig65.data();
  const uint8_t* s = sig65.data() + 32;
  uint8_t v = sig65[64];
  if (v != 27 && v != 28) {
    return absl::InvalidArgumentError("signature: v = " + std::to_string(v) + ", want 27 or 28");
  }
  if (IsZero32(r) || Compare32(r, kOrderN) >= 0) {
    return absl::InvalidArgumentError("signature: r is " + std::string(IsZero32(r) ? "zero" : ">= n") +
                                      ", want 0 < r < n");
  }
  if (IsZero32(s) || Compare32(s, kOrderN) >= 0) {
    return absl::InvalidArgumentError("signature: s is " + std::string(IsZero32(s) ? "zero" : ">= n") +
                                      ", want 0 < s < n");
  }
  if (Compare32(s, kHalfOrderN) > 0) {
    return absl::FailedPreconditionError("signature: high-S (s > n/2); want the canonical low-S form");
  }
  secp256k1_ecdsa_recoverable_signature sig;
  if (secp256k1_ecdsa_recoverable_signature_parse_compact(Context(), &sig, sig65.data(), v - 27) != 1) {
    return absl::InvalidArgumentError("signature: r || s does not parse");
  }
  secp256k1_pubkey pubkey;
  if (secp256k1_ecdsa_recover(Context(), &pubkey, &sig, digest32.data()) != 1) {
    return absl::UnauthenticatedError("signature: no public key recovers from this signature and digest");
  }
  return Serialize64(pubkey);
}

absl::StatusOr<Address20> RecoverAddress(const Digest32& digest32, const Signature65& sig65) {
  ASSIGN_OR_RETURN(PublicKey64 pub, RecoverPublicKey(digest32, sig65));
  return AddressOf(pub);
}

absl::Status VerifySignature(const Digest32& digest32, const Signature65& sig65, const Address20& expected) {
  ASSIGN_OR_RETURN(Address20 signer, RecoverAddress(digest32, sig65));
  if (signer != expected) {
    return absl::UnauthenticatedError("signature: signed by " + AddressHex(signer) + ", expected " +
                                      AddressHex(expected));
  }
  return absl::OkStatus();
}

}  // namespace attestd
