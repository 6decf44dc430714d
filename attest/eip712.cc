#include "attest/eip712.h"

#include <algorithm>
#include <cstring>

#include "attest/keccak256.h"

namespace attestd {

std::string Eip712DomainType(const Eip712Domain& domain) {
  std::string type = "EIP712Domain(string name,string version";
  if (domain.chain_id.has_value()) type += ",uint256 chainId";
  if (domain.verifying_contract.has_value()) type += ",address verifyingContract";
  return type + ")";
}

Digest32 Eip712DomainSeparator(const Eip712Domain& domain) {
  Eip712StructEncoder enc(Eip712TypeHash(Eip712DomainType(domain)));
  enc.Word(Eip712StringWord(domain.name)).Word(Eip712StringWord(domain.version));
  if (domain.chain_id.has_value()) enc.Word(Eip712Uint64Word(*domain.chain_id));
  if (domain.verifying_contract.has_value()) enc.Word(Eip712AddressWord(*domain.verifying_contract));
  return enc.StructHash();
}

Digest32 Eip712TypeHash(std::string_view encode_type) { return Keccak256(encode_type); }

Digest32 Eip712SigningDigest(const Digest32& domain_separator, const Digest32& struct_hash) {
  static constexpr uint8_t kPrefix[2] = {0x19, 0x01};
  Keccak256Hasher h;
  h.Update(ByteSpan(kPrefix, 2));
  h.Update(domain_separator.span());
  h.Update(struct_hash.span());
  return h.Finish();
}

Digest32 Eip712Uint64Word(uint64_t value) {
  Digest32 word;
  PutBigEndian64(value, word.data() + 24);
  return word;
}

Digest32 Eip712AddressWord(const Address20& a) {
  Digest32 word;
  std::memcpy(word.data() + 12, a.data(), 20);
  return word;
}

Digest32 Eip712StringWord(std::string_view text) { return Keccak256(text); }

Eip712StructEncoder::Eip712StructEncoder(const Digest32& type_hash)
    : encoded_(type_hash.begin(), type_hash.end()) {}

Eip712StructEncoder& Eip712StructEncoder::Word(const Digest32& word) {
  encoded_.insert(encoded_.end(), word.begin(), word.end());
  return *this;
}

Digest32 Eip712StructEncoder::StructHash() const { return Keccak256(encoded_); }

const Digest32& AttestationTypeHash() {
  static const Digest32 hash = Eip712TypeHash(kAttestationType);
  return hash;
}

const Digest32& AttestdDomainSeparator() {
  static const Digest32 separator = Eip712DomainSeparator(Eip712Domain{.name = "attestd", .version = "1"});
  return separator;
}

AttestationData256 EncodeAttestationData(const AttestationStatement& stmt) {
  const Digest32* words[8] = {&AttestationTypeHash(),   &stmt.log_id,           &stmt.model_digest,
                              &stmt.engine_digest,      &stmt.input_commitment, &stmt.output_commitment,
                              &stmt.request_id,         nullptr};
  Digest32 issued = Eip712Uint64Word(stmt.issued_at_ms);
  words[7] = &issued;
  AttestationData256 out;
  for (size_t i = 0; i < 8; ++i) std::memcpy(out.data() + 32 * i, words[i]->data(), 32);
  return out;
}

absl::StatusOr<AttestationStatement> DecodeAttestationData(ByteSpan data) {
  if (data.size() != kAttestationDataSize) {
    return absl::InvalidArgumentError("attestation data: got " + std::to_string(data.size()) +
                                      " bytes, want " + std::to_string(kAttestationDataSize));
  }
  auto word = [&](size_t i) {
    Digest32 w;
    std::memcpy(w.data(), data.data() + 32 * i, 32);
    return w;
  };
  if (word(0) != AttestationTypeHash()) {
    return absl::InvalidArgumentError("attestation data: type hash 0x" + HexEncode(word(0)) + ", want 0x" +
                                      HexEncode(AttestationTypeHash()));
  }
  const uint8_t* issued = data.data() + 32 * 7;
  if (std::any_of(issued, issued + 24, [](uint8_t b) { return b != 0; })) {
    return absl::InvalidArgumentError("attestation data: issuedAtMs word 0x" + HexEncode(word(7)) +
                                      " does not fit in uint64");
  }
  AttestationStatement stmt;
  stmt.log_id = word(1);
  stmt.model_digest = word(2);
  stmt.engine_digest = word(3);
  stmt.input_commitment = word(4);
  stmt.output_commitment = word(5);
  stmt.request_id = word(6);
  stmt.issued_at_ms = GetBigEndian64(issued + 24);
  return stmt;
}

Digest32 AttestationStructHash(const AttestationStatement& stmt) {
  return Keccak256(EncodeAttestationData(stmt).span());
}

Digest32 AttestationSigningDigest(const AttestationStatement& stmt) {
  return Eip712SigningDigest(AttestdDomainSeparator(), AttestationStructHash(stmt));
}

Signature65 SignAttestation(const SecretKey32& key, const AttestationStatement& stmt) {
  return SignDigest(key, AttestationSigningDigest(stmt));
}

absl::Status VerifyAttestation(const AttestationStatement& stmt, const Signature65& sig,
                               const Address20& expected_attestor) {
  return VerifySignature(AttestationSigningDigest(stmt), sig, expected_attestor);
}

AttestationLeaf321 EncodeLedgerLeaf(const AttestationStatement& stmt, const Signature65& sig) {
  AttestationLeaf321 leaf;
  AttestationData256 data = EncodeAttestationData(stmt);
  std::memcpy(leaf.data(), data.data(), kAttestationDataSize);
  std::memcpy(leaf.data() + kAttestationDataSize, sig.data(), Signature65::kSize);
  return leaf;
}

absl::StatusOr<SignedAttestation> DecodeLedgerLeaf(ByteSpan leaf) {
  if (leaf.size() != kAttestationLeafSize) {
    return absl::InvalidArgumentError("ledger leaf: got " + std::to_string(leaf.size()) + " bytes, want " +
                                      std::to_string(kAttestationLeafSize));
  }
  SignedAttestation out;
  ASSIGN_OR_RETURN(out.statement, DecodeAttestationData(leaf.first(kAttestationDataSize)));
  std::memcpy(out.signature.data(), leaf.data() + kAttestationDataSize, Signature65::kSize);
  return out;
}

}  // namespace attestd
