#include "services/cli/server_verify.h"

#include <iostream>

#include "services/cli/cli_helpers.h"
#include "services/cli/commands.h"
#include "services/grpc_ledger_source.h"
#include "verify/ledger_evidence.h"
#include "verify/reexecute.h"

namespace attestd::cli {

void AddServerVerifyOptions(CLI::App* verify, ServerVerifyFlags* flags) {
  verify->add_option("--server", flags->server, "attestd host:port: fetch the newest checkpoint and proofs");
  verify->add_option("--reexecute", flags->reexecute, "model folder: re-run on this CPU (needs --request)");
  verify->add_option("--tls-ca", flags->tls_ca, "PEM roots to trust for a TLS server");
}

absl::StatusOr<std::unique_ptr<LedgerSource>> ServerLedger(const ServerVerifyFlags& flags) {
  if (flags.server.empty()) return nullptr;
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel, Connect(flags.server, flags.tls_ca));
  return std::make_unique<service::GrpcLedgerSource>(std::move(channel));
}

int PrepareServerVerify(const ServerVerifyFlags& flags, Receipt& receipt, ReceiptVerifyInputs& inputs) {
  if (flags.server.empty()) return -1;
  absl::StatusOr<std::unique_ptr<LedgerSource>> server = ServerLedger(flags);
  if (!server.ok()) return ReportError(server.status());
  auto evidence = FetchLedgerEvidence(**server, inputs.log_verifier_key.value_or(""), receipt);
  if (!evidence.ok()) {
    const auto code = evidence.status().code();
    bool verification = code == absl::StatusCode::kUnauthenticated || code == absl::StatusCode::kDataLoss;
    return ReportError(evidence.status(), verification);
  }
  if (evidence->key_from_server) {
    std::cerr << "attest: note: checkpoint key taken from the server (" << evidence->verifier_key
              << "); pin it with --log-key\n";
    inputs.log_verifier_key = evidence->verifier_key;
  }
  if (evidence->consistency) std::cout << "PASS consistency: " << *evidence->consistency << "\n";
  return -1;
}

int RunReexecution(const ServerVerifyFlags& flags, const Receipt& receipt, const CommittedRequest* request) {
  if (flags.reexecute.empty()) return kExitOk;
  if (request == nullptr) return ReportError(absl::InvalidArgumentError("--reexecute needs --request"));
  auto result = ReexecuteOutput(flags.reexecute, receipt, *request);
  if (!result.ok()) return ReportError(result.status());
  if (!result->matches) {
    std::cout << "FAIL reexecution: " << result->detail << "\n";
    std::cerr << "attest: NOT VERIFIED: reexecution: " << result->detail << "\n";
    SetExitCode(kExitNotVerified);
    return kExitNotVerified;
  }
  std::cout << "PASS reexecution: " << result->detail << "\n";
  return kExitOk;
}

}  // namespace attestd::cli
