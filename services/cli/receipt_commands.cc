// `attest receipt verify`: offline verification of a receipt.
//
//   attest receipt verify RECEIPT.json [--request F --response F]
//                         [--attestor 0xADDR] [--log-key VERIFIER_KEY]
//                         [--server ADDR | --proof F --checkpoint F]
//                         [--rpc URL --registry 0xADDR [--from-block N]]
//
// Inclusion comes from the receipt itself, from the server (--server), or
// from files (--proof: an inclusion proof JSON as `attest ledger prove
// --json` prints it; --checkpoint: the signed note as `attest ledger
// checkpoint` prints it), which replace any the receipt carries.
//
// Prints one line per check (PASS / FAIL / SKIP with the reason) on stdout.
// With --rpc and --registry, a verified receipt must also be anchored: the
// AnchorRegistry holds the root of the receipt's checkpoint, or (with
// --server) of a larger anchored tree in which the server proves the leaf's
// inclusion; the anchoring transaction and block are printed when the
// Anchored event is found (eth_getLogs from the newest block back to
// --from-block, 10,000 blocks per call). The anchor is verified by the
// registry's rootAt alone; an event the node cannot return is reported, not
// a failure.
// Exit 0: verified; 1: a check failed (the first failure is repeated on
// stderr); 2: a file is missing or malformed, or a flag is invalid.
#include <iostream>
#include <memory>

#include "attest/commitment.h"
#include "attest/receipt.h"
#include "attest/secp256k1_signer.h"
#include "chain/eth_client.h"
#include "ledger/proof_json.h"
#include "services/cli/cli_helpers.h"
#include "services/cli/commands.h"
#include "services/cli/server_verify.h"
#include "verify/anchor_check.h"
#include "verify/receipt_verifier.h"

namespace attestd::cli {
namespace {

struct VerifyFlags {
  std::string receipt;
  std::string request;
  std::string response;
  std::string attestor;
  std::string log_key;
  ServerVerifyFlags online;  // --server / --reexecute / --tls-ca (server_verify.h)
  std::string rpc;           // --rpc: the chain's JSON-RPC URL
  std::string registry;      // --registry: AnchorRegistry address
  uint64_t from_block = 0;   // --from-block: oldest block to search for the Anchored event
  std::string proof;         // --proof: inclusion proof JSON file (ledger/proof_json.h)
  std::string checkpoint;    // --checkpoint: signed checkpoint note file
};

// The on-chain step of a receipt whose offline checks passed. OK: anchored,
// the transaction and block printed. FailedPrecondition ("not anchored") or
// Unauthenticated (the chain holds another root / the proof does not reach
// it): not verified. Unavailable: the node or server could not be reached.
absl::Status VerifyAnchored(const VerifyFlags& f, const Receipt& receipt) {
  ASSIGN_OR_RETURN(Address20 registry, ParseAddress(f.registry));
  ASSIGN_OR_RETURN(std::unique_ptr<LedgerSource> server, ServerLedger(f.online));
  chain::EthClient eth(chain::JsonRpcOptions{f.rpc});
  const chain::AnchoredEventSearch search{.from_block = f.from_block};
  ASSIGN_OR_RETURN(AnchorEvidence evidence, VerifyReceiptAnchored(receipt, eth, registry, search, server.get()));
  const chain::OnChainAnchor& anchored = evidence.anchor;
  std::cout << "PASS anchored: " << evidence.how << " root " << Hex0x(anchored.root);
  if (anchored.event_located) {
    std::cout << " tx " << Hex0x(anchored.tx_hash) << " block " << anchored.block_number << " "
              << Hex0x(anchored.block_hash) << "\n";
  } else {
    std::cout << " (rootAt holds it; its transaction was not located: " << anchored.event_not_located << ")\n";
  }
  return absl::OkStatus();
}

// Puts the inclusion proof and checkpoint of --proof and --checkpoint into
// the receipt. The proof must be for the receipt's own leaf; whether it and
// the checkpoint are true is the verifier's job.
absl::Status AttachInclusionFiles(const VerifyFlags& f, Receipt& receipt) {
  if (!receipt.ledger.has_value()) {
    return absl::InvalidArgumentError("--proof: the receipt has no ledger position (leaf_index) to prove");
  }
  ASSIGN_OR_RETURN(std::string proof_text, ReadInputFile(f.proof, "--proof file"));
  absl::StatusOr<ledger::InclusionProofRecord> proof = ledger::ParseInclusionProofJson(proof_text);
  if (!proof.ok()) return absl::InvalidArgumentError("--proof " + f.proof + ": " + std::string(proof.status().message()));
  if (proof->index != receipt.ledger->leaf_index) {
    return absl::InvalidArgumentError("--proof " + f.proof + ": proves leaf " + std::to_string(proof->index) +
                                      ", the receipt's leaf is " + std::to_string(receipt.ledger->leaf_index));
  }
  ASSIGN_OR_RETURN(std::string note, ReadInputFile(f.checkpoint, "--checkpoint file"));
  receipt.ledger->inclusion = LedgerInclusion{proof->tree_size, proof->proof, note};
  return absl::OkStatus();
}

// Returns the exit code.
int RunVerify(const VerifyFlags& f) {
  if (f.rpc.empty() != f.registry.empty()) {
    return ReportError(absl::InvalidArgumentError("--rpc and --registry go together"));
  }
  if (f.proof.empty() != f.checkpoint.empty()) {
    return ReportError(absl::InvalidArgumentError("--proof and --checkpoint go together"));
  }
  if (!f.proof.empty() && !f.online.server.empty()) {
    return ReportError(absl::InvalidArgumentError("--proof/--checkpoint and --server are alternatives"));
  }
  if (!f.registry.empty()) {
    auto address = ParseAddress(f.registry);
    if (!address.ok()) return ReportError(absl::InvalidArgumentError("--registry: " + std::string(address.status().message())));
  }
  auto receipt_text = ReadInputFile(f.receipt, "receipt file");
  if (!receipt_text.ok()) return ReportError(receipt_text.status());
  auto receipt = ParseReceiptJson(*receipt_text);
  if (!receipt.ok()) return ReportError(receipt.status());
  if (!f.proof.empty()) {
    if (absl::Status attached = AttachInclusionFiles(f, *receipt); !attached.ok()) return ReportError(attached);
  }

  ReceiptVerifyInputs inputs;
  std::optional<CommittedRequest> request;
  std::optional<CommittedResponse> response;
  if (!f.request.empty()) {
    auto text = ReadInputFile(f.request, "request file");
    if (!text.ok()) return ReportError(text.status());
    auto parsed = ParseRequestJson(*text);
    if (!parsed.ok()) return ReportError(parsed.status());
    request = *std::move(parsed);
    inputs.request = &*request;
  }
  if (!f.response.empty()) {
    auto text = ReadInputFile(f.response, "response file");
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
  if (!f.log_key.empty()) {
    auto key = LogKeyText(f.log_key);
    if (!key.ok()) return ReportError(key.status());
    inputs.log_verifier_key = *key;
  }
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
  if (!f.rpc.empty()) {
    absl::Status anchored = VerifyAnchored(f, *receipt);
    if (!anchored.ok()) {
      const bool not_verified = absl::IsFailedPrecondition(anchored) || absl::IsUnauthenticated(anchored);
      if (not_verified) std::cout << "FAIL anchored: " << anchored.message() << "\n";
      return ReportError(anchored, not_verified);
    }
  }
  std::cout << "verified\n";
  SetExitCode(kExitOk);
  return kExitOk;
}

}  // namespace

void AddReceiptCommands(CLI::App& app) {
  CLI::App* receipt = app.add_subcommand("receipt", "Receipts: verify offline");
  receipt->require_subcommand(1);
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* verify = receipt->add_subcommand("verify", "Verify a receipt's signature, commitments and ledger proof");
  verify->add_option("RECEIPT", flags->receipt, "Receipt JSON file")->required();
  verify->add_option("--request", flags->request, "Plaintext request JSON (docs/receipt-format.md)");
  verify->add_option("--response", flags->response, "Plaintext response JSON (docs/receipt-format.md)");
  verify->add_option("--attestor", flags->attestor, "Expected attestor address (0x...)");
  verify->add_option("--log-key", flags->log_key,
                     "The log's C2SP note verifier key (name+hash+base64), or a file holding it, to check the "
                     "checkpoint");
  AddServerVerifyOptions(verify, &flags->online);
  verify->add_option("--proof", flags->proof,
                     "Inclusion proof JSON of the receipt's leaf (`attest ledger prove --json`), offline; with "
                     "--checkpoint");
  verify->add_option("--checkpoint", flags->checkpoint,
                     "Signed checkpoint note the proof leads to (`attest ledger checkpoint`); with --proof");
  verify->add_option("--rpc", flags->rpc, "JSON-RPC URL of the chain: also require the receipt to be anchored");
  verify->add_option("--registry", flags->registry, "AnchorRegistry address (with --rpc)");
  verify->add_option("--from-block", flags->from_block,
                     "with --rpc: oldest block to search for the anchoring transaction (e.g. the registry's "
                     "deployment block; default 0)");
  verify->callback([flags] { RunVerify(*flags); });
}

}  // namespace attestd::cli
