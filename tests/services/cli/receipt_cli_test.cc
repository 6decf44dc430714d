// Drives the built `attest` binary: exit codes 0 (verified / ok), 1 (not
// verified, with the failing check on stderr) and 2 (usage or input error)
// for receipt verify, model-digest, keygen and address.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "verify/identity.h"
#include "tests/testing/receipt_test_util.h"
#include "tests/testing/temp_dir.h"

#ifndef ATTEST_CLI_PATH
#error "ATTEST_CLI_PATH must name the attest executable"
#endif

namespace attestd {
namespace {

namespace fs = std::filesystem;
using namespace testing_receipts;

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class AttestCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Write("receipt.json", ReceiptToJson(SignedDocReceipt()));
    Write("request.json", RequestToJson(DocRequest()).dump());
    Write("response.json", ResponseToJson(DocResponse()).dump());
  }

  std::string Write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ / name, std::ios::binary | std::ios::trunc) << bytes;
    return (dir_ / name).string();
  }
  std::string Path(const std::string& name) { return (dir_ / name).string(); }

  // Runs `attest <args>` through the shell; args must already be quoted.
  RunResult Attest(const std::string& args, const std::string& env = "") {
    std::string cmd = env + " '" + std::string(ATTEST_CLI_PATH) + "' " + args + " >'" + Path("stdout") + "' 2>'" +
                      Path("stderr") + "'";
    int status = std::system(cmd.c_str());
    RunResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = Slurp(dir_ / "stdout");
    r.err = Slurp(dir_ / "stderr");
    return r;
  }
  std::string VerifyArgs(const std::string& extra = "") {
    return "receipt verify '" + Path("receipt.json") + "' --request '" + Path("request.json") + "' --response '" +
           Path("response.json") + "' " + extra;
  }

  attestd::testing::TempDir tmp_{"receipt-cli"};
  fs::path dir_ = tmp_.path();
};

TEST_F(AttestCliTest, GenuineReceiptExitsZero) {
  RunResult r = Attest(VerifyArgs(std::string("--attestor ") + kAttestorAddress));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PASS input_commitment"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("verified\n"), std::string::npos) << r.out;
}

TEST_F(AttestCliTest, TamperedResponseExitsOneNamingTheCheck) {
  CommittedResponse changed = DocResponse();
  changed.text = " World";
  Write("response.json", ResponseToJson(changed).dump());
  RunResult r = Attest(VerifyArgs());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("NOT VERIFIED: output_commitment: recomputed from the response: got "), std::string::npos)
      << r.err;
}

TEST_F(AttestCliTest, UnexpectedAttestorExitsOne) {
  RunResult r = Attest(VerifyArgs("--attestor 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("NOT VERIFIED: attestor: receipt names"), std::string::npos) << r.err;
}

TEST_F(AttestCliTest, TamperedSignatureExitsOne) {
  Receipt receipt = SignedDocReceipt();
  receipt.statement.issued_at_ms += 1;
  Write("receipt.json", ReceiptToJson(receipt));
  RunResult r = Attest("receipt verify '" + Path("receipt.json") + "'");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("NOT VERIFIED: signature"), std::string::npos) << r.err;
}

TEST_F(AttestCliTest, MalformedReceiptExitsTwo) {
  std::string text = ReceiptToJson(SignedDocReceipt());
  text.replace(text.find("\"version\":1"), 11, "\"version\":7");
  Write("receipt.json", text);
  RunResult r = Attest(VerifyArgs());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("receipt.version: got 7, want 1"), std::string::npos) << r.err;
}

TEST_F(AttestCliTest, MissingReceiptFileExitsTwo) {
  RunResult r = Attest("receipt verify '" + Path("absent.json") + "'");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("cannot open"), std::string::npos) << r.err;
}

TEST_F(AttestCliTest, MalformedRequestFileExitsTwo) {
  Write("request.json", R"({"model":"demo-model"})");
  RunResult r = Attest(VerifyArgs());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("request.prompt: missing"), std::string::npos) << r.err;
}

TEST_F(AttestCliTest, BadAttestorFlagExitsTwo) {
  RunResult r = Attest(VerifyArgs("--attestor 0x1234"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--attestor"), std::string::npos) << r.err;
}

TEST_F(AttestCliTest, UnknownFlagExitsTwo) { EXPECT_EQ(Attest(VerifyArgs("--no-such-flag")).exit_code, 2); }

TEST_F(AttestCliTest, ModelDigestPrintsTheLibraryDigest) {
  fs::create_directories(dir_ / "model");
  std::ofstream(dir_ / "model" / "config.json") << "{}";
  std::ofstream(dir_ / "model" / "tokenizer.json") << "{\"t\":1}";
  std::ofstream(dir_ / "model" / "model.safetensors") << "weights";
  ModelDigestOptions options;
  options.progress = false;
  auto want = ComputeModelDigest(Path("model"), options);
  ASSERT_TRUE(want.ok()) << want.status();
  RunResult r = Attest("model-digest --manifest --cache-dir '" + Path("cache") + "' '" + Path("model") + "'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, want->text + HexEncode(want->digest) + "\n");
  EXPECT_TRUE(fs::exists(dir_ / "cache" / kModelDigestCacheFileName));
}

TEST_F(AttestCliTest, ModelDigestOfMissingFolderExitsTwo) {
  RunResult r = Attest("model-digest --no-cache '" + Path("nope") + "'");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("model folder"), std::string::npos) << r.err;
}

TEST_F(AttestCliTest, KeygenWritesAKeystoreWhoseAddressMatches) {
  std::string env = "ATTESTD_TEST_PASSPHRASE=correct-horse";
  RunResult gen = Attest("keygen --keystore '" + Path("key.json") + "' --passphrase-env ATTESTD_TEST_PASSPHRASE "
                         "--scrypt-n 1024", env);
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  ASSERT_EQ(gen.out.size(), 43u) << gen.out;  // "0x" + 40 hex + "\n"
  EXPECT_EQ((fs::status(dir_ / "key.json").permissions() & fs::perms::all), fs::perms::owner_read | fs::perms::owner_write);
  RunResult addr = Attest("address --keystore '" + Path("key.json") + "'");
  EXPECT_EQ(addr.exit_code, 0) << addr.err;
  EXPECT_EQ(addr.out, gen.out);
  // A key file is never overwritten.
  RunResult again = Attest("keygen --keystore '" + Path("key.json") + "' --passphrase-env ATTESTD_TEST_PASSPHRASE "
                           "--scrypt-n 1024", env);
  EXPECT_EQ(again.exit_code, 2) << again.err;
}

TEST_F(AttestCliTest, KeygenWithoutPassphraseSourceExitsTwo) {
  RunResult r = Attest("keygen --keystore '" + Path("key.json") + "'");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("exactly one of --passphrase-file and --passphrase-env"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "key.json"));
}

TEST_F(AttestCliTest, AddressOfMissingKeystoreExitsTwo) {
  EXPECT_EQ(Attest("address --keystore '" + Path("absent.json") + "'").exit_code, 2);
}

}  // namespace
}  // namespace attestd
