// `attest receipt verify --server ADDR [--reexecute MODEL_DIR]`: the online
// half of receipt verification, used by receipt_commands.cc and defined in
// generate_commands.cc (services/receipt_audit.h does the work).
//
//   --server ADDR        fetch the newest signed checkpoint, an inclusion
//                        proof in it, and a consistency proof from the
//                        receipt's own checkpoint (if any) to it
//   --reexecute DIR      re-run the request (needs --request) on this CPU and
//                        compare outputCommitment (needs the receipt's salt)
//   --tls-ca FILE        PEM roots for a TLS server (default: plaintext)
// Single-threaded, like the rest of the CLI.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "attest/commitment.h"
#include "attest/receipt.h"
#include "attest/receipt_verifier.h"

namespace attestd::cli {

struct ServerVerifyFlags {
  std::string server;
  std::string reexecute;
  std::string tls_ca;
};

void AddServerVerifyOptions(CLI::App* verify, ServerVerifyFlags* flags);

// Before VerifyReceipt: completes `receipt` with server evidence and, when no
// key was pinned with --log-key, sets inputs.log_verifier_key to the server's
// (saying so). Returns -1 to go on, or the exit code to stop with.
int PrepareServerVerify(const ServerVerifyFlags& flags, Receipt& receipt, ReceiptVerifyInputs& inputs);

// After a verified report: re-execution when asked. Returns the exit code.
int RunReexecution(const ServerVerifyFlags& flags, const Receipt& receipt, const CommittedRequest* request);

}  // namespace attestd::cli
