// TLS and mutual TLS: the server presents a certificate, and with
// tls.client_ca_file it refuses clients without one signed by that CA.
// Certificates are made with the openssl command line for this test only.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/services/server_fixture.h"

namespace attestd::service {
namespace {

using namespace testing;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A CA, a server certificate for attestd.test and a client certificate, under dir.
bool MakeCertificates(const std::string& d) {
  const std::string quiet = " > /dev/null 2>&1";
  const std::string cmds[] = {
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=test-ca -keyout " +
          d + "/ca.key -out " + d + "/ca.pem",
      "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=attestd.test -keyout " + d +
          "/server.key -out " + d + "/server.csr",
      "printf 'subjectAltName=DNS:attestd.test,IP:127.0.0.1' > " + d + "/san.ext",
      "openssl x509 -req -in " + d + "/server.csr -CA " + d + "/ca.pem -CAkey " + d + "/ca.key -CAcreateserial -days 1 -extfile " +
          d + "/san.ext -out " + d + "/server.pem",
      "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=client -keyout " + d +
          "/client.key -out " + d + "/client.csr",
      "openssl x509 -req -in " + d + "/client.csr -CA " + d + "/ca.pem -CAkey " + d + "/ca.key -CAcreateserial -days 1 -out " +
          d + "/client.pem",
  };
  for (const auto& c : cmds) {
    if (std::system((c + quiet).c_str()) != 0) return false;
  }
  return true;
}

grpc::Status ListModels(const std::shared_ptr<grpc::ChannelCredentials>& creds, int port) {
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("attestd.test");  // the name in the server certificate
  auto channel = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port), creds, args);
  auto stub = v1::InferenceService::NewStub(channel);
  grpc::ClientContext ctx;
  Authorize(ctx);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::ListModelsResponse resp;
  return stub->ListModels(&ctx, {}, &resp);
}

TEST(TlsTest, MutualTlsAcceptsOnlyClientsWithACertificateFromTheConfiguredCa) {
  if (std::system("openssl version > /dev/null 2>&1") != 0) GTEST_SKIP() << "openssl command missing";
  TempDir dir("tls");
  ASSERT_TRUE(MakeCertificates(dir.path()));
  ServerConfig config = MakeTestConfig(dir.path());
  config.tls.cert_file = dir.path() + "/server.pem";
  config.tls.key_file = dir.path() + "/server.key";
  config.tls.client_ca_file = dir.path() + "/ca.pem";
  auto server = AttestdServer::Start(config, {});
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();

  grpc::SslCredentialsOptions with_cert;
  with_cert.pem_root_certs = Slurp(dir.path() + "/ca.pem");
  with_cert.pem_private_key = Slurp(dir.path() + "/client.key");
  with_cert.pem_cert_chain = Slurp(dir.path() + "/client.pem");
  grpc::Status ok = ListModels(grpc::SslCredentials(with_cert), port);
  EXPECT_TRUE(ok.ok()) << ok.error_message();

  grpc::SslCredentialsOptions without_cert;
  without_cert.pem_root_certs = with_cert.pem_root_certs;
  EXPECT_FALSE(ListModels(grpc::SslCredentials(without_cert), port).ok()) << "mTLS must refuse a client without a cert";
  EXPECT_FALSE(ListModels(grpc::InsecureChannelCredentials(), port).ok()) << "plaintext must be refused";
}

}  // namespace
}  // namespace attestd::service
