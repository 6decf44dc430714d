// attestd's signatures and keystores checked by ethers 6 in node, the way an
// auditor or wallet user outside this project would check them. Skips when
// node or tests/js/node_modules is missing.
#include <gtest/gtest.h>
#include <openssl/rand.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "attest/eip712.h"
#include "attest/key_source.h"
#include "attest/keystore.h"

namespace attestd {
namespace {

struct NodeResult {
  int exit_code = -1;
  std::string out;
};

// Runs `node <args>` from tests/ (the working directory) and captures stdout.
NodeResult RunNode(const std::string& args) {
  NodeResult r;
  FILE* pipe = ::popen(("node " + args).c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string SkipReason() {
  if (!std::filesystem::exists("js/node_modules/ethers/package.json")) {
    return "tests/js/node_modules/ethers is missing (run npm ci in tests/js)";
  }
  if (RunNode("--version 2>/dev/null").exit_code != 0) return "node is not on PATH";
  return "";
}

#define SKIP_WITHOUT_NODE()                          \
  do {                                               \
    std::string reason = SkipReason();               \
    if (!reason.empty()) GTEST_SKIP() << reason;     \
  } while (0)

Digest32 RandomDigest() {
  Digest32 d;
  if (RAND_bytes(d.data(), 32) != 1) std::abort();
  return d;
}

AttestationStatement RandomStatement(uint64_t issued_at_ms) {
  return AttestationStatement{.log_id = RandomDigest(),
                              .model_digest = RandomDigest(),
                              .engine_digest = RandomDigest(),
                              .input_commitment = RandomDigest(),
                              .output_commitment = RandomDigest(),
                              .request_id = RandomDigest(),
                              .issued_at_ms = issued_at_ms};
}

nlohmann::json StatementJson(const AttestationStatement& s, const Signature65& sig) {
  auto h = [](const Digest32& d) { return "0x" + HexEncode(d); };
  return {{"logId", h(s.log_id)},
          {"modelDigest", h(s.model_digest)},
          {"engineDigest", h(s.engine_digest)},
          {"inputCommitment", h(s.input_commitment)},
          {"outputCommitment", h(s.output_commitment)},
          {"requestId", h(s.request_id)},
          {"issuedAtMs", std::to_string(s.issued_at_ms)},
          {"signature", "0x" + HexEncode(sig)}};
}

nlohmann::json VerifyWithEthers(const nlohmann::json& input) {
  // The JSON holds only hex and digits, so single quotes are safe for the shell.
  NodeResult r = RunNode("js/attest/verify_typed_data.mjs '" + input.dump() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  nlohmann::json out = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(out.is_discarded()) << r.out;
  return out;
}

TEST(EthersInterop, VerifyTypedDataRecoversTheAttestdSigner) {
  SKIP_WITHOUT_NODE();
  for (uint64_t issued_at : {uint64_t{0}, uint64_t{1767225600123}, UINT64_MAX}) {
    SecretKey32 key = SecretKey32::Generate();
    AttestationStatement s = RandomStatement(issued_at);
    Signature65 sig = SignAttestation(key, s);
    nlohmann::json out = VerifyWithEthers(StatementJson(s, sig));
    EXPECT_EQ(out["recovered"], ToChecksumAddress(AddressOf(key))) << issued_at;
    EXPECT_EQ(out["digest"], "0x" + HexEncode(AttestationSigningDigest(s)));
    EXPECT_EQ(out["structHash"], "0x" + HexEncode(AttestationStructHash(s)));
    EXPECT_EQ(out["domainSeparator"], "0x" + HexEncode(AttestdDomainSeparator()));
  }
}

TEST(EthersInterop, TamperedStatementRecoversSomeoneElse) {
  SKIP_WITHOUT_NODE();
  SecretKey32 key = SecretKey32::Generate();
  AttestationStatement s = RandomStatement(42);
  nlohmann::json in = StatementJson(s, SignAttestation(key, s));
  in["issuedAtMs"] = "43";
  nlohmann::json out = VerifyWithEthers(in);
  EXPECT_NE(out["recovered"], ToChecksumAddress(AddressOf(key)));
}

TEST(EthersInterop, KeystoreWrittenByAttestdOpensInEthers) {
  SKIP_WITHOUT_NODE();
  SecretKey32 key = SecretKey32::Generate();
  // Production parameters (scrypt n = 131072), not the fast test ones.
  auto json_text = EncryptKeystore(key, "interop passphrase");
  ASSERT_TRUE(json_text.ok()) << json_text.status();
  std::string path = (std::filesystem::temp_directory_path() /
                      ("attestd-interop-" + std::to_string(::getpid()) + ".json")).string();
  std::filesystem::remove(path);
  ASSERT_TRUE(WriteKeystoreFile(path, *json_text).ok());
  // The passphrase reaches node through the environment, not the command line.
  ::setenv("KEYSTORE_PASSPHRASE", "interop passphrase", 1);
  NodeResult r = RunNode("js/attest/decrypt_keystore.mjs " + path);
  std::filesystem::remove(path);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, ToChecksumAddress(AddressOf(key)) + "\n");
}

TEST(EthersInterop, EthersRefusesAttestdKeystoreWithWrongPassphrase) {
  SKIP_WITHOUT_NODE();
  auto json_text = EncryptKeystore(SecretKey32::Generate(), "right", ScryptParams{.n = 1024, .r = 8, .p = 1});
  ASSERT_TRUE(json_text.ok());
  std::string path = (std::filesystem::temp_directory_path() /
                      ("attestd-interop-wrong-" + std::to_string(::getpid()) + ".json")).string();
  std::filesystem::remove(path);
  ASSERT_TRUE(WriteKeystoreFile(path, *json_text).ok());
  ::setenv("KEYSTORE_PASSPHRASE", "wrong", 1);
  NodeResult r = RunNode("js/attest/decrypt_keystore.mjs " + path + " 2>/dev/null");
  std::filesystem::remove(path);
  EXPECT_EQ(r.exit_code, 1) << r.out;
}

}  // namespace
}  // namespace attestd
