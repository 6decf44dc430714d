// The online half of `attest receipt verify` (receipt_commands.cc):
//
//   --server ADDR        fetch the newest signed checkpoint, an inclusion
//                        proof in it, and a consistency proof from the
//                        receipt's own checkpoint (if any) to it
//                        (verify/ledger_evidence.h over GrpcLedgerSource)
//   --reexecute DIR      re-run the request (needs --request) on this CPU and
//                        compare outputCommitment (needs the receipt's salt;
//                        verify/reexecute.h)
//   --tls-ca FILE        PEM roots for a TLS server (default: plaintext)
//
// Single-threaded, like the rest of the CLI.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "attest/commitment.h"
#include "attest/receipt.h"
#include "base/status.h"
#include "verify/ledger_source.h"
#include "verify/receipt_verifier.h"

namespace attestd::cli {

struct ServerVerifyFlags {
  std::string server;
  std::string reexecute;
  std::string tls_ca;
};

void AddServerVerifyOptions(CLI::App* verify, ServerVerifyFlags* flags);

// The server's LedgerService as a LedgerSource; null without --server.
[[nodiscard]] absl::StatusOr<std::unique_ptr<LedgerSource>> ServerLedger(const ServerVerifyFlags& flags);

// Before VerifyReceipt: completes `receipt` with server evidence and, when no
// key was pinned with --log-key, sets inputs.log_verifier_key to the server's
// (saying so). Returns -1 to go on, or the exit code to stop with.
int PrepareServerVerify(const ServerVerifyFlags& flags, Receipt& receipt, ReceiptVerifyInputs& inputs);

// After a verified report: re-execution when asked. Returns the exit code.
int RunReexecution(const ServerVerifyFlags& flags, const Receipt& receipt, const CommittedRequest* request);

}  // namespace attestd::cli
