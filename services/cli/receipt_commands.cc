// `attest receipt verify`: offline verification of a receipt.
//
//   attest receipt verify RECEIPT.json [--request F --response F]
//                         [--attestor 0xADDR] [--log-key VERIFIER_KEY]
//
// Prints one line per check (PASS / FAIL / SKIP with the reason) on stdout.
// Exit 0: verified; 1: a check failed (the first failure is repeated on
// stderr); 2: a file is missing or malformed, or a flag is invalid.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "attest/commitment.h"
#include "attest/receipt.h"
#include "attest/receipt_verifier.h"
#include "attest/secp256k1_signer.h"
#include "services/cli/command_registry.h"
#include "services/cli/server_verify.h"

namespace attestd::cli {
namespace {

constexpr size_t kMaxInputFileBytes = size_t{64} << 20;

struct VerifyFlags {
  std::string receipt;
  std::string request;
  std::string response;
  std::string attestor;
  std::string log_key;
  ServerVerifyFlags online;  // --server / --reexecute (server_verify.h, service engineer)
};

absl::StatusOr<std::string> ReadSmallFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(std::string(what) + " file " + path + ": cannot open");
  std::string data;
  char buf[65536];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    data.append(buf, static_cast<size_t>(in.gcount()));
    if (data.size() > kMaxInputFileBytes) {
      return absl::InvalidArgumentError(std::string(what) + " file " + path + ": larger than " +
                                        std::to_string(kMaxInputFileBytes) + " bytes");
    }
  }
  return data;
}

// Returns the exit code.
int RunVerify(const VerifyFlags& f) {
  auto receipt_text = ReadSmallFile(f.receipt, "receipt");
  if (!receipt_text.ok()) return ReportError(receipt_text.status());
  auto receipt = ParseReceiptJson(*receipt_text);
  if (!receipt.ok()) return ReportError(receipt.status());

  ReceiptVerifyInputs inputs;
  std::optional<CommittedRequest> request;
  std::optional<CommittedResponse> response;
  if (!f.request.empty()) {
    auto text = ReadSmallFile(f.request, "request");
    if (!text.ok()) return ReportError(text.status());
    auto parsed = ParseRequestJson(*text);
    if (!parsed.ok()) return ReportError(parsed.status());
    request = *std::move(parsed);
    inputs.request = &*request;
  }
  if (!f.response.empty()) {
    auto text = ReadSmallFile(f.response, "response");
    if (!text.ok()) return ReportError(text.status());
    auto parsed = ParseResponseJson(*text);
    if (!parsed.ok()) return ReportError(parsed.status());
    response = *std::move(parsed);
    inputs.response = &*response;
  }
  if (!f.attestor.empty()) {
    auto address = ParseAddress(f.attestor);
    if (!address.ok()) return ReportError(absl::InvalidArgumentError("--attestor: " + std::string(address.status().message())));
    inputs.expected_attestor = *address;
  }
  if (!f.log_key.empty()) inputs.log_verifier_key = f.log_key;
  if (int rc = PrepareServerVerify(f.online, *receipt, inputs); rc >= 0) return rc;

  VerificationReport report = VerifyReceipt(*receipt, inputs);
  std::cout << report.ToText();
  if (const CheckResult* failed = report.first_failure()) {
    std::cerr << "attest: NOT VERIFIED: " << failed->name << ": " << failed->detail << "\n";
    SetExitCode(kExitNotVerified);
    return kExitNotVerified;
  }
  if (!report.verified()) {
    std::cerr << "attest: NOT VERIFIED: the signature check did not pass\n";
    SetExitCode(kExitNotVerified);
    return kExitNotVerified;
  }
  if (int rc = RunReexecution(f.online, *receipt, inputs.request); rc != kExitOk) return rc;
  std::cout << "verified\n";
  SetExitCode(kExitOk);
  return kExitOk;
}

void AddReceiptCommands(CLI::App& app) {
  CLI::App* receipt = app.add_subcommand("receipt", "Receipts: verify offline");
  receipt->require_subcommand(1);
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* verify = receipt->add_subcommand("verify", "Verify a receipt's signature, commitments and ledger proof");
  verify->add_option("RECEIPT", flags->receipt, "Receipt JSON file")->required();
  verify->add_option("--request", flags->request, "Plaintext request JSON (docs/receipt-format.md)");
  verify->add_option("--response", flags->response, "Plaintext response JSON (docs/receipt-format.md)");
  verify->add_option("--attestor", flags->attestor, "Expected attestor address (0x...)");
  verify->add_option("--log-key", flags->log_key, "The log's C2SP note verifier key, to check the checkpoint");
  AddServerVerifyOptions(verify, &flags->online);
  verify->callback([flags] { RunVerify(*flags); });
}

}  // namespace
}  // namespace attestd::cli

ATTEST_CLI_COMMANDS(receipt, attestd::cli::AddReceiptCommands);
