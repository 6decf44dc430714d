// A client not written in C++ (Node @grpc/grpc-js loading the .proto files)
// against the real server; its receipt's signature checked by
// ethers.verifyTypedData and its ledger inclusion by a few lines of Python
// hashlib (rfc9162_inclusion.py), independent of our verifier.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>

#include "tests/services/server_fixture.h"

namespace attestd::service {
namespace {

using namespace testing;

TEST(CrossLanguageTest, NodeClientReceiptVerifiesWithEthersAndPythonInclusionCheck) {
  if (!std::filesystem::exists("js/node_modules/@grpc/grpc-js") || std::system("node --version > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "node or tests/js/node_modules missing: run scripts/install-deps.sh --test";
  }
  TempDir dir("xlang");
  ServerConfig config = MakeTestConfig(dir.path());
  auto server = AttestdServer::Start(config, {});
  ASSERT_TRUE(server.ok()) << server.status();
  // A few leaves first, so the Node client's leaf has a non-trivial audit path.
  for (int i = 0; i < 5; ++i) {
    auto stub = v1::InferenceService::NewStub(Connect((*server)->port()));
    grpc::ClientContext ctx;
    Authorize(ctx);
    v1::GenerateResponse resp;
    ASSERT_TRUE(stub->Generate(&ctx, SimpleRequest("c++ first " + std::to_string(i), 2), &resp).ok());
  }
  const std::string out = dir.path() + "/node.json";
  const std::string command = std::string("ATTEST_TOKEN=") + kInferenceToken + " ATTEST_ADMIN_TOKEN=" + kAdminToken +
                              " node js/service/grpc_client.js " + std::to_string((*server)->port()) + " " + out;
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::ifstream in(out);
  nlohmann::json seen = nlohmann::json::parse(in);
  EXPECT_EQ(seen["recovered"], seen["attestor"]) << "ethers.verifyTypedData recovered another signer";
  EXPECT_EQ(seen["attestor"].get<std::string>(), ToChecksumAddress((*server)->service().attestor()));
  EXPECT_TRUE(seen["request_id_hash_ok"].get<bool>());
  EXPECT_TRUE(seen["log_id_ok"].get<bool>());
  EXPECT_EQ(seen["unauthenticated_code"], 16) << "grpc UNAUTHENTICATED";
  EXPECT_EQ(seen["leaf_index"], 5);
  EXPECT_GE(seen["proof"].size(), 2u);
  std::string text = seen["text"], chunks = seen["chunks_text"];
  EXPECT_EQ(chunks.substr(0, text.size()), text);

  if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "/usr/bin/python3 missing";
  const std::string check = "/usr/bin/python3 services/rfc9162_inclusion.py " + out;
  EXPECT_EQ(std::system(check.c_str()), 0) << check;
  // The Python judge must also reject a proof for a tampered leaf.
  seen["leaf_hex"] = std::string(seen["leaf_hex"]).replace(0, 2, "ff");
  std::ofstream(dir.path() + "/tampered.json") << seen.dump();
  const std::string tampered = "/usr/bin/python3 services/rfc9162_inclusion.py " + dir.path() + "/tampered.json > /dev/null";
  EXPECT_NE(std::system(tampered.c_str()), 0);
}

// The server registers InferenceService and LedgerService through
// raw_grpc_services.h (raw request bodies); reflection must still describe
// them as the .proto does.
TEST(CrossLanguageTest, ReflectionListsTheServicesAndDescribesInferenceServiceAsDeclared) {
  if (std::system("/usr/bin/python3 -c 'import grpc, google.protobuf' > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "Debian python3-grpcio / python3-protobuf missing: run scripts/install-deps.sh --test";
  }
  TempDir dir("reflection");
  auto server = AttestdServer::Start(MakeTestConfig(dir.path()), {});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string check = "/usr/bin/python3 services/reflection_check.py " + std::to_string((*server)->port());
  EXPECT_EQ(std::system(check.c_str()), 0) << check;
}

}  // namespace
}  // namespace attestd::service
