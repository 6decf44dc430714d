// `attest health`: ask a server's standard gRPC health service (grpc.health.v1)
// whether it is serving. For container HEALTHCHECKs and scripts; Kubernetes
// uses its built-in gRPC probe against the same service.
//
//   attest health [--server 127.0.0.1:50051] [--service NAME] [--tls-ca CA.pem] [--timeout-ms 2000]
//
// Exit codes: 0 SERVING, 1 reachable but not SERVING (or unreachable, or the
// deadline passed), 2 usage error. The call is made with a generic stub and
// the two tiny messages are encoded here, so the CLI needs no generated code
// for health.proto: HealthCheckRequest is field 1 (string service),
// HealthCheckResponse is field 1 (enum status, SERVING = 1).
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <iostream>
#include <memory>

#include "services/cli/cli_helpers.h"
#include "services/cli/commands.h"

namespace attestd::cli {
namespace {

constexpr char kCheckMethod[] = "/grpc.health.v1.Health/Check";
constexpr int kServing = 1;

struct HealthFlags {
  std::string server = "127.0.0.1:50051";
  std::string service;
  std::string tls_ca;
  int timeout_ms = 2000;
};

// HealthCheckRequest{service}: tag 0x0a, varint length, bytes. Names are short;
// longer than 127 bytes needs a multi-byte varint.
std::string EncodeRequest(const std::string& service) {
  if (service.empty()) return {};
  std::string out = "\x0a";
  uint64_t n = service.size();
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
  return out + service;
}

// HealthCheckResponse.status; 0 (UNKNOWN) when the field is absent, as proto3 says.
absl::StatusOr<int> DecodeStatus(const std::string& bytes) {
  if (bytes.empty()) return 0;
  if (bytes.size() == 2 && bytes[0] == '\x08' && (static_cast<unsigned char>(bytes[1]) & 0x80) == 0) {
    return static_cast<int>(bytes[1]);
  }
  return absl::DataLossError("health: unexpected response of " + std::to_string(bytes.size()) +
                             " bytes, want a HealthCheckResponse (08 NN)");
}

int RunHealth(const HealthFlags& f) {
  if (f.timeout_ms <= 0) {
    return ReportError(absl::InvalidArgumentError("health: --timeout-ms got " + std::to_string(f.timeout_ms) +
                                                  ", want > 0"));
  }
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials = ChannelCredentials(f.tls_ca);
  if (!credentials.ok()) return ReportError(credentials.status());
  grpc::GenericStub stub(grpc::CreateChannel(f.server, *credentials));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(f.timeout_ms));
  const std::string request_bytes = EncodeRequest(f.service);
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::Status status;
  grpc::CompletionQueue cq;
  auto call = stub.PrepareUnaryCall(&context, kCheckMethod, request, &cq);
  call->StartCall();
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  if (!cq.Next(&tag, &ok) || !ok) {
    return ReportError(absl::UnavailableError("health: " + f.server + ": the call did not complete"),
                       /*is_verification=*/true);
  }
  cq.Shutdown();
  if (!status.ok()) {
    std::cerr << "attest: health: " << f.server << ": gRPC " << status.error_code() << " "
              << status.error_message() << "\n";
    return kExitNotVerified;
  }
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (response.Dump(&slices).ok()) {
    for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  absl::StatusOr<int> serving = DecodeStatus(bytes);
  if (!serving.ok()) return ReportError(serving.status(), /*is_verification=*/true);
  static constexpr const char* kNames[] = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};
  const char* name = (*serving >= 0 && *serving <= 3) ? kNames[*serving] : "INVALID";
  std::cout << name << "\n";
  return *serving == kServing ? kExitOk : kExitNotVerified;
}

}  // namespace

void AddHealthCommands(CLI::App& app) {
  auto flags = std::make_shared<HealthFlags>();
  CLI::App* cmd = app.add_subcommand("health", "Ask a server's gRPC health service; exit 0 only when SERVING");
  cmd->add_option("--server", flags->server, "host:port of attestd");
  cmd->add_option("--service", flags->service, "service name to ask about ('' = the whole server)");
  cmd->add_option("--tls-ca", flags->tls_ca, "PEM roots for a TLS server (plaintext without it)");
  cmd->add_option("--timeout-ms", flags->timeout_ms, "deadline of the call");
  cmd->callback([flags] { SetExitCode(RunHealth(*flags)); });
}

}  // namespace attestd::cli
