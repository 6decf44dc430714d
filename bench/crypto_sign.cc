// crypto_sign: attestation signing and verification rate,
// and keystore unlock time, each against the bare library it is built on,
// measured in the same run on one thread.
//
//   build-*/bench/crypto_sign [--iterations N]
//
// Validates before timing: the EIP-712 known answer, a sign/verify round
// trip, and a keystore round trip must all hold or the program exits 1.
#include <openssl/evp.h>
#include <secp256k1.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <vector>

#include "attest/eip712.h"
#include "attest/keccak256.h"
#include "attest/keystore.h"

namespace attestd {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

AttestationStatement StatementFor(uint64_t i) {
  AttestationStatement s;
  s.log_id = Keccak256("log");
  s.model_digest = Keccak256("model");
  s.engine_digest = Keccak256("engine");
  s.input_commitment = Keccak256("in " + std::to_string(i));
  s.output_commitment = Keccak256("out " + std::to_string(i));
  s.request_id = Keccak256("req " + std::to_string(i));
  s.issued_at_ms = 1767225600000 + i;
  return s;
}

bool Validate(const SecretKey32& key) {
  AttestationStatement kat;
  kat.log_id.bytes.fill(1);
  kat.model_digest.bytes.fill(2);
  kat.engine_digest.bytes.fill(3);
  kat.input_commitment.bytes.fill(4);
  kat.output_commitment.bytes.fill(5);
  kat.request_id.bytes.fill(6);
  kat.issued_at_ms = 1767225600123;
  if (HexEncode(AttestationSigningDigest(kat)) != "e2e98eb844d4d75fbb6d59521e320b55a23dc5068766708975846511934ba11e") {
    std::fprintf(stderr, "crypto_sign: EIP-712 known answer mismatch\n");
    return false;
  }
  AttestationStatement s = StatementFor(0);
  if (!VerifyAttestation(s, SignAttestation(key, s), AddressOf(key)).ok()) {
    std::fprintf(stderr, "crypto_sign: sign/verify round trip failed\n");
    return false;
  }
  auto json = EncryptKeystore(key, "bench", ScryptParams{.n = 1024, .r = 8, .p = 1});
  auto back = json.ok() ? DecryptKeystore(*json, "bench") : absl::StatusOr<SecretKey32>(json.status());
  if (!back.ok() || AddressOf(*back) != AddressOf(key)) {
    std::fprintf(stderr, "crypto_sign: keystore round trip failed\n");
    return false;
  }
  return true;
}

int Main(int argc, char** argv) {
  CLI::App app{"attestation signing and keystore unlock rates vs bare libsecp256k1 / OpenSSL scrypt"};
  int iterations = 2000;
  int unlocks = 3;
  app.add_option("--iterations", iterations, "signatures and verifications to time")->check(CLI::PositiveNumber);
  app.add_option("--unlocks", unlocks, "keystore unlocks to time (ethers parameters)")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  SecretKey32 key = SecretKey32::Generate();
  if (!Validate(key)) return 1;

  std::vector<AttestationStatement> stmts;
  std::vector<Digest32> digests;
  for (int i = 0; i < iterations; ++i) {
    stmts.push_back(StatementFor(static_cast<uint64_t>(i)));
    digests.push_back(AttestationSigningDigest(stmts.back()));
  }

  // attestd: EIP-712 hashing + recoverable signing; verification recovers
  // the key and compares addresses (what an auditor runs per receipt).
  std::vector<Signature65> sigs(static_cast<size_t>(iterations));
  auto t0 = Clock::now();
  for (int i = 0; i < iterations; ++i) sigs[i] = SignAttestation(key, stmts[i]);
  double sign_s = Seconds(t0);
  Address20 me = AddressOf(key);
  t0 = Clock::now();
  int bad = 0;
  for (int i = 0; i < iterations; ++i) bad += VerifyAttestation(stmts[i], sigs[i], me).ok() ? 0 : 1;
  double verify_s = Seconds(t0);
  if (bad != 0) {
    std::fprintf(stderr, "crypto_sign: %d signatures failed to verify\n", bad);
    return 1;
  }

  // Peer: bare libsecp256k1 plain ECDSA over the same precomputed digests.
  secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  secp256k1_pubkey pub;
  if (secp256k1_ec_pubkey_create(ctx, &pub, key.secret().data()) != 1) return 1;
  std::vector<secp256k1_ecdsa_signature> raw(static_cast<size_t>(iterations));
  t0 = Clock::now();
  for (int i = 0; i < iterations; ++i) {
    secp256k1_ecdsa_sign(ctx, &raw[i], digests[i].data(), key.secret().data(), nullptr, nullptr);
  }
  double peer_sign_s = Seconds(t0);
  t0 = Clock::now();
  for (int i = 0; i < iterations; ++i) bad += secp256k1_ecdsa_verify(ctx, &raw[i], digests[i].data(), &pub) == 1 ? 0 : 1;
  double peer_verify_s = Seconds(t0);
  secp256k1_context_destroy(ctx);
  if (bad != 0) return 1;

  std::printf("sign    attestd %8.0f /s   bare secp256k1_ecdsa_sign   %8.0f /s   ratio %.2f\n", iterations / sign_s,
              iterations / peer_sign_s, peer_sign_s / sign_s);
  std::printf("verify  attestd %8.0f /s   bare secp256k1_ecdsa_verify %8.0f /s   ratio %.2f\n",
              iterations / verify_s, iterations / peer_verify_s, peer_verify_s / verify_s);

  // Keystore unlock at ethers' parameters vs the bare scrypt it spends its time in.
  auto json = EncryptKeystore(key, "bench passphrase");
  if (!json.ok()) return 1;
  t0 = Clock::now();
  for (int i = 0; i < unlocks; ++i) {
    if (!DecryptKeystore(*json, "bench passphrase").ok()) return 1;
  }
  double unlock_s = Seconds(t0) / unlocks;
  uint8_t salt[32] = {};
  uint8_t out[32];
  t0 = Clock::now();
  for (int i = 0; i < unlocks; ++i) {
    if (EVP_PBE_scrypt("bench passphrase", 16, salt, 32, 131072, 8, 1, uint64_t{200} << 20, out, 32) != 1) return 1;
  }
  double scrypt_s = Seconds(t0) / unlocks;
  std::printf("unlock  attestd %8.1f ms   bare EVP_PBE_scrypt(n=131072,r=8,p=1) %8.1f ms   ratio %.2f\n",
              unlock_s * 1e3, scrypt_s * 1e3, scrypt_s / unlock_s);
  return 0;
}

}  // namespace
}  // namespace attestd

int main(int argc, char** argv) { return attestd::Main(argc, argv); }
