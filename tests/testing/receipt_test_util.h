// A signed receipt over the documented commitment example, for receipt tests.
#pragma once

#include "attest/commitment.h"
#include "attest/eip712.h"
#include "attest/receipt.h"
#include "attest/secp256k1_signer.h"
#include "attest/sha256.h"

namespace attestd::testing_receipts {

// Hardhat's second well-known development key (shared/vectors/ethereum).
inline constexpr char kAttestorKeyHex[] = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
inline constexpr char kAttestorAddress[] = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

inline SecretKey32 AttestorKey() {
  return *SecretKey32::FromBytes(*HexDecode(kAttestorKeyHex));
}

inline Salt32 DocSalt() {
  Salt32 salt;
  for (size_t i = 0; i < salt.size(); ++i) salt[i] = static_cast<uint8_t>(i);
  return salt;
}

inline CommittedRequest DocRequest() {
  CommittedRequest r;
  r.model_name = "demo-model";
  r.prompt_text = "Hello";
  r.prompt_token_ids = {9707, 11};
  r.sampling.temperature = 0.7f;
  r.sampling.top_k = 40;
  r.sampling.top_p = 0.9f;
  r.sampling.max_tokens = 8;
  r.sampling.stop = {"END"};
  r.seed = 42;
  return r;
}

inline CommittedResponse DocResponse() {
  CommittedResponse r;
  r.output_token_ids = {1879, 0};
  r.text = " world";
  r.finish_reason = "length";
  return r;
}

// A receipt signed by AttestorKey() over the documented request/response.
inline Receipt SignedDocReceipt() {
  Receipt r;
  r.model_name = "demo-model";
  r.salt = DocSalt();
  r.statement.log_id = Sha256(std::string_view("example.com/attestd-log"));
  r.statement.model_digest = Sha256(std::string_view("model manifest"));
  r.statement.engine_digest = Sha256(std::string_view("engine description"));
  r.statement.input_commitment = InputCommitment(DocSalt(), DocRequest());
  r.statement.output_commitment = OutputCommitment(DocSalt(), DocResponse());
  r.statement.request_id = Sha256(std::string_view("req-1"));
  r.statement.issued_at_ms = 1763900000000;
  SecretKey32 key = AttestorKey();
  r.signature = SignAttestation(key, r.statement);
  r.attestor = AddressOf(key);
  return r;
}

}  // namespace attestd::testing_receipts
