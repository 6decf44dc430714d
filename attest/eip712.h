// EIP-712 typed-data hashing, and attestd's signed statement built on it.
//
// Two layers:
//  1. A small generic encoder (domain separator, type hash, 32-byte words,
//     struct hash, signing digest) enough for flat structs and nested structs
//     whose hashes the caller computes; it reproduces the EIP's own 'Mail'
//     example and ethers' TypedDataEncoder.
//  2. The attestd statement, fixed by SPEC.md:
//       domain {name: "attestd", version: "1"} (no chainId, no contract)
//       Attestation(bytes32 logId,bytes32 modelDigest,bytes32 engineDigest,
//                   bytes32 inputCommitment,bytes32 outputCommitment,
//                   bytes32 requestId,uint64 issuedAtMs)
//     encodeData = typeHash || the seven fields as 32-byte words (256 bytes);
//     ledger leaf = encodeData || 65-byte signature r||s||v (321 bytes).
//
// Thread safety: every function is pure (or uses the signer's shared
// immutable context) and safe to call concurrently. Decoders are strict and
// never return a partially filled value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "attest/bytes.h"
#include "attest/secp256k1_signer.h"

namespace attestd {

// ---- Generic EIP-712 ------------------------------------------------------

// EIP712Domain fields present in this domain, in the EIP's canonical order
// (name, version, chainId, verifyingContract); absent optionals are left out
// of both the type string and the encoded data. chainId is uint256 in the
// EIP; uint64 covers every chain id in use.
struct Eip712Domain {
  std::string name = {};
  std::string version = {};
  std::optional<uint64_t> chain_id = std::nullopt;
  std::optional<Address20> verifying_contract = std::nullopt;
};

// "EIP712Domain(string name,string version[,uint256 chainId][,address verifyingContract])".
[[nodiscard]] std::string Eip712DomainType(const Eip712Domain& domain);
// hashStruct(EIP712Domain).
[[nodiscard]] Digest32 Eip712DomainSeparator(const Eip712Domain& domain);
// keccak256 of an encodeType string, e.g. "Mail(Person from,...)Person(...)".
// The caller supplies the already-canonical string (referenced types sorted).
[[nodiscard]] Digest32 Eip712TypeHash(std::string_view encode_type);
// keccak256(0x19 0x01 || domainSeparator || structHash).
[[nodiscard]] Digest32 Eip712SigningDigest(const Digest32& domain_separator, const Digest32& struct_hash);

// Atomic and dynamic values as 32-byte encodeData words.
[[nodiscard]] Digest32 Eip712Uint64Word(uint64_t value);        // uintN, left-padded big-endian
[[nodiscard]] Digest32 Eip712AddressWord(const Address20& a);    // left-padded with 12 zero bytes
[[nodiscard]] Digest32 Eip712StringWord(std::string_view text);  // keccak256 of the UTF-8 bytes

// Builds encodeData(s) = typeHash || word1 || word2 ... and hashes it.
// Not thread safe; one per struct being encoded.
class Eip712StructEncoder {
 public:
  explicit Eip712StructEncoder(const Digest32& type_hash);
  // Appends one 32-byte word: a bytes32 value, an Eip712*Word result, or a
  // nested struct's hash.
  Eip712StructEncoder& Word(const Digest32& word);
  [[nodiscard]] const Bytes& EncodedData() const { return encoded_; }
  // keccak256(EncodedData()).
  [[nodiscard]] Digest32 StructHash() const;

 private:
  Bytes encoded_;
};

// ---- attestd's statement --------------------------------------------------

// The signed statement. Field order is the type string's order.
struct AttestationStatement {
  Digest32 log_id;             // SHA-256 of the log origin line
  Digest32 model_digest;       // SHA-256 of the model manifest
  Digest32 engine_digest;      // SHA-256 of the engine description
  Digest32 input_commitment;   // salted commitment to the request
  Digest32 output_commitment;  // salted commitment to the response
  Digest32 request_id;
  uint64_t issued_at_ms = 0;   // Unix time in milliseconds
  friend bool operator==(const AttestationStatement&, const AttestationStatement&) = default;
};

inline constexpr std::string_view kAttestationType =
    "Attestation(bytes32 logId,bytes32 modelDigest,bytes32 engineDigest,bytes32 inputCommitment,"
    "bytes32 outputCommitment,bytes32 requestId,uint64 issuedAtMs)";
inline constexpr size_t kAttestationDataSize = 256;  // typeHash + 7 words
inline constexpr size_t kAttestationLeafSize = 321;  // encodeData + r||s||v

using AttestationData256 = FixedBytes<kAttestationDataSize>;
using AttestationLeaf321 = FixedBytes<kAttestationLeafSize>;

// keccak256(kAttestationType).
[[nodiscard]] const Digest32& AttestationTypeHash();
// Eip712DomainSeparator({name: "attestd", version: "1"}).
[[nodiscard]] const Digest32& AttestdDomainSeparator();

// typeHash || logId || modelDigest || engineDigest || inputCommitment ||
// outputCommitment || requestId || uint64 word(issuedAtMs).
[[nodiscard]] AttestationData256 EncodeAttestationData(const AttestationStatement& stmt);
// Inverse of EncodeAttestationData. InvalidArgument if the length is not 256
// ("got N bytes, want 256"), if the first word is not AttestationTypeHash(),
// or if issuedAtMs's word has a non-zero bit above bit 63.
[[nodiscard]] absl::StatusOr<AttestationStatement> DecodeAttestationData(ByteSpan data);

// keccak256(EncodeAttestationData(stmt)).
[[nodiscard]] Digest32 AttestationStructHash(const AttestationStatement& stmt);
// Eip712SigningDigest(AttestdDomainSeparator(), AttestationStructHash(stmt)):
// what ethers.verifyTypedData recovers from.
[[nodiscard]] Digest32 AttestationSigningDigest(const AttestationStatement& stmt);

// Low-S r || s || v (v in {27, 28}) over AttestationSigningDigest(stmt).
[[nodiscard]] Signature65 SignAttestation(const SecretKey32& key, const AttestationStatement& stmt);
// OK only if `sig` is a canonical signature by `expected_attestor` over this
// statement; otherwise VerifySignature's error (InvalidArgument,
// FailedPrecondition for high-S, Unauthenticated for another signer).
[[nodiscard]] absl::Status VerifyAttestation(const AttestationStatement& stmt, const Signature65& sig,
                                             const Address20& expected_attestor);

// A ledger leaf: the statement and its signature.
struct SignedAttestation {
  AttestationStatement statement;
  Signature65 signature;
  friend bool operator==(const SignedAttestation&, const SignedAttestation&) = default;
};

// EncodeAttestationData(stmt) || sig.
[[nodiscard]] AttestationLeaf321 EncodeLedgerLeaf(const AttestationStatement& stmt, const Signature65& sig);
// Splits a leaf. InvalidArgument if the length is not 321 or the data part
// does not decode. Does NOT check the signature (use VerifyAttestation).
[[nodiscard]] absl::StatusOr<SignedAttestation> DecodeLedgerLeaf(ByteSpan leaf);

}  // namespace attestd
