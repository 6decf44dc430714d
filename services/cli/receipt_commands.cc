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
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "attest/commitment.h"
#include "attest/receipt.h"
#include "attest/receipt_verifier.h"
#include "attest/secp256k1_signer.h"
#include "attestd/v1/ledger.grpc.pb.h"
#include "chain/onchain_verify.h"
#include "chain/registry_abi.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle_hash.h"
#include "ledger/proof_json.h"
#include "ledger/proof_verify.h"
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
  std::string rpc;           // --rpc: the chain's JSON-RPC URL
  std::string registry;      // --registry: AnchorRegistry address
  uint64_t from_block = 0;   // --from-block: oldest block to search for the Anchored event
  std::string proof;         // --proof: inclusion proof JSON file (ledger/proof_json.h)
  std::string checkpoint;    // --checkpoint: signed checkpoint note file
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

std::string Hex0x(ByteSpan bytes) { return "0x" + HexEncode(bytes); }

// An inclusion proof of leaf `index` in the tree of `size` leaves, from the
// server's LedgerService (the anchored size need not have a checkpoint).
absl::StatusOr<std::vector<Digest32>> FetchInclusionProof(const ServerVerifyFlags& online, uint64_t index,
                                                          uint64_t size) {
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (!online.tls_ca.empty()) {
    grpc::SslCredentialsOptions options;
    ASSIGN_OR_RETURN(options.pem_root_certs, ReadSmallFile(online.tls_ca, "--tls-ca"));
    credentials = grpc::SslCredentials(options);
  }
  auto stub = v1::LedgerService::NewStub(grpc::CreateChannel(online.server, credentials));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::GetInclusionProofRequest request;
  request.set_index(index);
  request.set_tree_size(size);
  v1::GetInclusionProofResponse response;
  grpc::Status status = stub->GetInclusionProof(&ctx, request, &response);
  if (!status.ok()) {
    return absl::UnavailableError("--server: inclusion proof of leaf " + std::to_string(index) + " at size " +
                                  std::to_string(size) + ": " + status.error_message());
  }
  std::vector<Digest32> proof;
  for (const std::string& h : response.hashes()) {
    ASSIGN_OR_RETURN(Digest32 d, HexDecodeFixed<32>(h, "inclusion proof hash"));
    proof.push_back(d);
  }
  return proof;
}

// The on-chain step of a receipt whose offline checks passed. OK: anchored,
// the transaction and block printed. FailedPrecondition ("not anchored") or
// Unauthenticated (the chain holds another root / the proof does not reach
// it): not verified. Unavailable: the node or server could not be reached.
absl::Status VerifyAnchored(const VerifyFlags& f, const Receipt& receipt) {
  ASSIGN_OR_RETURN(Address20 registry, ParseAddress(f.registry));
  if (!receipt.ledger.has_value() || !receipt.ledger->inclusion.has_value()) {
    return absl::InvalidArgumentError("--rpc: the receipt has no ledger inclusion proof; add --server to fetch one");
  }
  const LedgerInclusion& inclusion = *receipt.ledger->inclusion;
  const size_t body_end = inclusion.checkpoint.find("\n\n");
  if (body_end == std::string::npos) return absl::InvalidArgumentError("receipt checkpoint: no signature block");
  ASSIGN_OR_RETURN(ledger::Checkpoint checkpoint, ledger::ParseCheckpoint(inclusion.checkpoint.substr(0, body_end + 1)));
  const Digest32 log_id = ledger::LogIdOf(checkpoint.origin);
  if (log_id != receipt.statement.log_id) {
    return absl::FailedPreconditionError("not anchored: the checkpoint's log id " + Hex0x(log_id.span()) +
                                         ", the statement's " + Hex0x(receipt.statement.log_id.span()));
  }
  const uint64_t index = receipt.ledger->leaf_index;
  chain::EthClient eth(chain::JsonRpcOptions{f.rpc});
  // 1. The receipt's own checkpoint (already proven to hold the leaf) is anchored.
  const chain::AnchoredEventSearch search{.from_block = f.from_block};
  auto direct =
      chain::VerifyRootOnChain(eth, registry, log_id, checkpoint.size, checkpoint.root, std::nullopt, search);
  std::optional<chain::OnChainAnchor> anchored;
  std::string how = "checkpoint " + std::to_string(checkpoint.size) + " anchored";
  if (direct.ok()) {
    anchored = *direct;
  } else if (!absl::IsFailedPrecondition(direct.status())) {
    return direct.status();
  } else {
    // 2. A larger anchored tree: the server proves the leaf in it, checked
    //    against the root the registry holds (not the server's word for it).
    ASSIGN_OR_RETURN(Bytes latest_data, eth.Call(registry, chain::EncodeLatestCall(log_id)));
    ASSIGN_OR_RETURN(chain::LatestAnchor latest, chain::DecodeLatestResult(latest_data));
    if (latest.tree_size <= index) {
      return absl::FailedPreconditionError("not anchored: the registry's newest anchored size is " +
                                           std::to_string(latest.tree_size) + ", leaf " + std::to_string(index) +
                                           " needs > " + std::to_string(index));
    }
    if (f.online.server.empty()) {
      return absl::FailedPreconditionError(
          "not anchored: size " + std::to_string(checkpoint.size) + " is not in the registry; size " +
          std::to_string(latest.tree_size) + " is: add --server to fetch an inclusion proof in it");
    }
    ASSIGN_OR_RETURN(std::vector<Digest32> proof, FetchInclusionProof(f.online, index, latest.tree_size));
    const AttestationLeaf321 leaf = EncodeLedgerLeaf(receipt.statement, receipt.signature);
    absl::Status included = ledger::VerifyInclusion(index, latest.tree_size, ledger::HashLeaf(leaf.span()), proof,
                                                    latest.root);
    if (!included.ok()) {
      return absl::UnauthenticatedError("the leaf is not in the anchored root at size " +
                                        std::to_string(latest.tree_size) + ": " + std::string(included.message()));
    }
    ASSIGN_OR_RETURN(anchored, chain::VerifyRootOnChain(eth, registry, log_id, latest.tree_size, latest.root,
                                                        std::nullopt, search));
    how = "leaf " + std::to_string(index) + " included in anchored size " + std::to_string(latest.tree_size);
  }
  std::cout << "PASS anchored: " << how << " root " << Hex0x(anchored->root.span());
  if (anchored->event_located) {
    std::cout << " tx " << Hex0x(anchored->tx_hash.span()) << " block " << anchored->block_number << " "
              << Hex0x(anchored->block_hash.span()) << "\n";
  } else {
    std::cout << " (rootAt holds it; its transaction was not located: " << anchored->event_not_located << ")\n";
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
  ASSIGN_OR_RETURN(std::string proof_text, ReadSmallFile(f.proof, "--proof"));
  absl::StatusOr<ledger::InclusionProofRecord> proof = ledger::ParseInclusionProofJson(proof_text);
  if (!proof.ok()) return absl::InvalidArgumentError("--proof " + f.proof + ": " + std::string(proof.status().message()));
  if (proof->index != receipt.ledger->leaf_index) {
    return absl::InvalidArgumentError("--proof " + f.proof + ": proves leaf " + std::to_string(proof->index) +
                                      ", the receipt's leaf is " + std::to_string(receipt.ledger->leaf_index));
  }
  ASSIGN_OR_RETURN(std::string note, ReadSmallFile(f.checkpoint, "--checkpoint"));
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
  auto receipt_text = ReadSmallFile(f.receipt, "receipt");
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

}  // namespace
}  // namespace attestd::cli

ATTEST_CLI_COMMANDS(receipt, attestd::cli::AddReceiptCommands);
