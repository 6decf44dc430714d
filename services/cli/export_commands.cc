// `attest export`: anchor checkpoint roots on an EVM chain, or write them to a
// file; `attest anchors`: list recorded anchors, check a receipt on chain.
// docs/anchoring.md describes the exporter; chain/ implements it.
#include <atomic>
#include <csignal>
#include <fstream>
#include <iostream>

#include "attest/key_source.h"
#include "attest/receipt.h"
#include "chain/exporter.h"
#include "chain/file_export.h"
#include "chain/onchain_verify.h"
#include "ledger/merkle_hash.h"
#include "ledger/proof_verify.h"
#include "services/anchoring.h"
#include "services/cli/cli_helpers.h"
#include "services/cli/commands.h"

namespace attestd::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

// The exporter's settings are the `anchoring:` section of attestd's config
// (services/anchoring.h), so `attest export` and attestd anchor alike.
struct ExportFlags {
  std::string data_dir;
  std::string to_file;
  service::AnchoringConfig anchoring;
  std::string key_file;
  uint64_t rpc_timeout_ms = 15000;
  bool once = false;
  uint64_t timeout_seconds = 300;
};

nlohmann::json RecordSummary(const chain::AnchorRecord& r) {
  return {{"treeSize", r.tree_size},        {"root", Hex0x(r.root.span())},
          {"state", chain::AnchorStateName(r.state)},
          {"chainId", r.chain_id},          {"registry", Hex0x(r.registry.span())},
          {"txHash", Hex0x(r.tx_hash.span())}, {"nonce", r.nonce},
          {"blockNumber", r.block_number},  {"blockHash", Hex0x(r.block_hash.span())},
          {"gasUsed", r.gas_used},          {"lastError", r.last_error}};
}

absl::Status RunFileExport(const ExportFlags& f) {
  ledger::LogStoreOptions options;
  options.mode = ledger::OpenMode::kReadOnly;
  ASSIGN_OR_RETURN(auto store, ledger::LogStore::Open(f.data_dir, options));
  std::ofstream out(f.to_file, std::ios::trunc);
  if (!out) return absl::InvalidArgumentError("export: cannot open " + f.to_file + " for writing");
  ASSIGN_OR_RETURN(chain::FileExportStats stats, chain::ExportCheckpoints(*store, out));
  std::cerr << "attest export: wrote " << stats.checkpoints << " checkpoints (" << stats.anchored
            << " anchored) to " << f.to_file << "\n";
  return absl::OkStatus();
}

absl::Status RunChainExport(const ExportFlags& f) {
  const service::AnchoringConfig& a = f.anchoring;
  if (a.rpc_url.empty() || a.registry.empty() || a.chain_id == 0) {
    return absl::InvalidArgumentError("export: --rpc, --registry and --chain-id are required (or --to-file)");
  }
  KeySource source;
  source.keystore_path = a.keystore;
  source.passphrase_file = a.passphrase_file;
  source.passphrase_env = a.passphrase_env;
  source.raw_key_path = f.key_file;
  if (!a.keystore.empty() && a.passphrase_file.empty() && a.passphrase_env.empty()) {
    source.passphrase_env = "ATTEST_PASSPHRASE";
  }
  ASSIGN_OR_RETURN(SecretKey32 key, LoadAttestorKey(source));
  ASSIGN_OR_RETURN(chain::ExporterConfig config, service::ToExporterConfig(a));
  config.rpc_timeout_ms = static_cast<long>(f.rpc_timeout_ms);  // NOLINT(runtime/int)
  ledger::LogStoreOptions options;
  options.mode = ledger::OpenMode::kReadWrite;
  options.create_if_missing = false;
  ASSIGN_OR_RETURN(auto store, ledger::LogStore::Open(f.data_dir, options));
  auto log = [](const std::string& line) { std::cerr << "attest export: " << line << std::endl; };
  ASSIGN_OR_RETURN(auto exporter, chain::Exporter::Create(config, store.get(), std::move(key), log));
  log("account " + ToChecksumAddress(exporter->account()) + ", registry " + ToChecksumAddress(config.registry) +
      ", chain " + std::to_string(config.chain_id));
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  if (f.once) {
    auto record = exporter->AnchorNewestAndWait(static_cast<int64_t>(f.timeout_seconds) * 1000, g_stop);
    if (absl::IsAlreadyExists(record.status())) {
      // Nothing to do is success for a cron-style `--once`.
      log(std::string(record.status().message()));
      return absl::OkStatus();
    }
    if (!record.ok()) return record.status();
    std::cout << RecordSummary(*record).dump() << std::endl;
    return absl::OkStatus();
  }
  return exporter->Run(g_stop);
}

}  // namespace

void AddExportCommands(CLI::App& app) {
  auto flags = std::make_shared<ExportFlags>();
  CLI::App* cmd = app.add_subcommand("export", "Anchor checkpoint roots on an EVM chain, or export them to a file");
  cmd->add_option("DATA_DIR", flags->data_dir, "attestd data directory (the ledger database)")->required();
  cmd->add_option("--to-file", flags->to_file, "write checkpoints with anchor records and proofs as JSON lines");
  service::AnchoringConfig& a = flags->anchoring;
  cmd->add_option("--rpc", a.rpc_url, "JSON-RPC URL of the chain's node");
  cmd->add_option("--registry", a.registry, "AnchorRegistry contract address");
  cmd->add_option("--chain-id", a.chain_id, "chain id the node must report")->check(CLI::NonNegativeNumber);
  cmd->add_option("--keystore", a.keystore, "exporter account: V3 keystore JSON");
  cmd->add_option("--passphrase-file", a.passphrase_file, "keystore passphrase file");
  cmd->add_option("--passphrase-env", a.passphrase_env, "keystore passphrase variable (default ATTEST_PASSPHRASE)");
  cmd->add_option("--key-file", flags->key_file, "exporter account: raw hex key file (mode 0600)");
  cmd->add_option("--confirmations", a.confirmations, "blocks before an anchor counts as confirmed")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--every-leaves", a.every_leaves, "anchor after this many new leaves")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--every-seconds", a.every_seconds, "...or this many seconds, whichever first")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--max-fee-gwei", a.max_fee_gwei, "cap on maxFeePerGas")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--tip-cap-gwei", a.tip_cap_gwei, "cap on maxPriorityFeePerGas")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--poll-ms", a.poll_ms, "pause between exporter steps")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--rpc-timeout-ms", flags->rpc_timeout_ms, "per-request timeout")->capture_default_str();
  cmd->add_flag("--once", flags->once, "anchor the newest checkpoint now, wait for it, print the record, exit");
  cmd->add_option("--timeout-seconds", flags->timeout_seconds, "with --once: give up after this long")->capture_default_str();
  cmd->callback([flags] {
    absl::Status status = flags->to_file.empty() ? RunChainExport(*flags) : RunFileExport(*flags);
    if (!status.ok()) ReportError(status, /*is_verification=*/false);
  });
}

void AddAnchorList(CLI::App* list) {
  auto data_dir = std::make_shared<std::string>();
  list->add_option("DATA_DIR", *data_dir, "attestd data directory")->required();
  list->callback([data_dir] {
    absl::Status status = [&]() -> absl::Status {
      ledger::LogStoreOptions options;
      options.mode = ledger::OpenMode::kReadOnly;
      ASSIGN_OR_RETURN(auto store, ledger::LogStore::Open(*data_dir, options));
      chain::AnchorLedger records(*store);
      ASSIGN_OR_RETURN(auto all, records.List());
      for (const auto& r : all) std::cout << RecordSummary(r).dump() << "\n";
      return absl::OkStatus();
    }();
    if (!status.ok()) ReportError(status);
  });
}

void AddAnchorsCommands(CLI::App& app) {
  CLI::App* group = app.add_subcommand("anchors", "Anchors of the ledger on an EVM chain");
  group->require_subcommand(1);

  AddAnchorList(group->add_subcommand("list", "Print the anchor records of a data directory as JSON lines"));

  struct VerifyFlags {
    std::string receipt;
    std::string rpc;
    std::string registry;
    std::string export_file;
  };
  auto vf = std::make_shared<VerifyFlags>();
  CLI::App* verify = group->add_subcommand(
      "verify", "Check that a receipt's leaf is in a root the AnchorRegistry holds; print the anchoring tx and block");
  verify->add_option("RECEIPT", vf->receipt, "receipt JSON file")->required();
  verify->add_option("--rpc", vf->rpc, "JSON-RPC URL of the chain's node")->required();
  verify->add_option("--registry", vf->registry, "AnchorRegistry contract address")->required();
  verify->add_option("--export", vf->export_file,
                     "file export (attest export --to-file) with the consistency proof to a larger anchored tree");
  verify->callback([vf] {
    bool verification = false;
    absl::Status status = [&]() -> absl::Status {
      ASSIGN_OR_RETURN(std::string text, ReadInputFile(vf->receipt, "receipt file"));
      ASSIGN_OR_RETURN(Receipt receipt, ParseReceiptJson(text));
      ASSIGN_OR_RETURN(Address20 registry, ParseAddress(vf->registry));
      if (!receipt.ledger.has_value() || !receipt.ledger->inclusion.has_value()) {
        return absl::InvalidArgumentError("receipt has no ledger inclusion proof and checkpoint");
      }
      const LedgerInclusion& inclusion = *receipt.ledger->inclusion;
      ASSIGN_OR_RETURN(chain::CheckpointRef checkpoint, chain::ParseCheckpointNote(inclusion.checkpoint));
      verification = true;
      if (checkpoint.size != inclusion.tree_size) {
        return absl::FailedPreconditionError("receipt tree_size " + std::to_string(inclusion.tree_size) +
                                             ", its checkpoint says " + std::to_string(checkpoint.size));
      }
      if (checkpoint.log_id != receipt.statement.log_id) {
        return absl::FailedPreconditionError("checkpoint origin's log id " + Hex0x(checkpoint.log_id.span()) +
                                             ", the statement says " + Hex0x(receipt.statement.log_id.span()));
      }
      AttestationLeaf321 leaf = EncodeLedgerLeaf(receipt.statement, receipt.signature);
      RETURN_IF_ERROR(ledger::VerifyInclusion(receipt.ledger->leaf_index, inclusion.tree_size,
                                              ledger::HashLeaf(leaf.span()), inclusion.inclusion_proof,
                                              checkpoint.root));
      std::optional<chain::CoveringAnchor> cover;
      if (!vf->export_file.empty()) {
        verification = false;
        std::ifstream exported(vf->export_file);
        if (!exported) return absl::NotFoundError("cannot read " + vf->export_file);
        std::string line;
        while (std::getline(exported, line)) {
          nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
          if (!j.is_object() || j.value("treeSize", uint64_t{0}) != checkpoint.size || j["coveredBy"].is_null()) {
            continue;
          }
          chain::CoveringAnchor c;
          c.tree_size = j["coveredBy"].value("treeSize", uint64_t{0});
          for (const auto& h : j["coveredBy"]["consistencyProof"]) {
            ASSIGN_OR_RETURN(Digest32 d, HexDecodeFixed<32>(h.get<std::string>(), "consistencyProof"));
            c.consistency_proof.push_back(d);
          }
          cover = c;
        }
        verification = true;
      }
      chain::EthClient eth(chain::JsonRpcOptions{vf->rpc});
      auto anchored = chain::VerifyRootOnChain(eth, registry, checkpoint.log_id, checkpoint.size, checkpoint.root, cover);
      if (absl::IsUnavailable(anchored.status()) || absl::IsInternal(anchored.status())) verification = false;
      if (!anchored.ok()) return anchored.status();
      nlohmann::json report = {{"verified", true},
                               {"leafIndex", receipt.ledger->leaf_index},
                               {"checkpointSize", checkpoint.size},
                               {"anchoredSize", anchored->tree_size},
                               {"root", Hex0x(anchored->root.span())}};
      if (anchored->event_located) {
        report["txHash"] = Hex0x(anchored->tx_hash.span());
        report["blockNumber"] = anchored->block_number;
        report["blockHash"] = Hex0x(anchored->block_hash.span());
      } else {
        report["txNotLocated"] = anchored->event_not_located;
      }
      std::cout << report.dump() << std::endl;
      return absl::OkStatus();
    }();
    if (!status.ok()) ReportError(status, verification);
  });
}

}  // namespace attestd::cli
