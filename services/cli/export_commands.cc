// `attest export`: anchor checkpoint roots on an EVM chain, or write them to a
// file; `attest anchors`: list recorded anchors, check a receipt on chain.
// docs/anchoring.md describes the exporter; chain/ implements it.
#include <atomic>
#include <csignal>
#include <fstream>
#include <iostream>

#include "attest/keystore.h"
#include "attest/receipt.h"
#include "chain/exporter.h"
#include "chain/file_export.h"
#include "chain/onchain_verify.h"
#include "ledger/merkle_hash.h"
#include "ledger/proof_verify.h"
#include "services/cli/command_registry.h"

namespace attestd::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

std::string Hex0x(ByteSpan bytes) { return "0x" + HexEncode(bytes); }

struct ExportFlags {
  std::string data_dir;
  std::string to_file;
  std::string rpc;
  std::string registry;
  uint64_t chain_id = 0;
  std::string keystore;
  std::string passphrase_file;
  std::string passphrase_env;
  std::string key_file;
  uint64_t confirmations = 2;
  uint64_t every_leaves = 1000;
  uint64_t every_seconds = 600;
  uint64_t max_fee_gwei = 200;
  uint64_t tip_cap_gwei = 5;
  uint64_t poll_ms = 1000;
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
  if (f.rpc.empty() || f.registry.empty() || f.chain_id == 0) {
    return absl::InvalidArgumentError("export: --rpc, --registry and --chain-id are required (or --to-file)");
  }
  KeySource source;
  source.keystore_path = f.keystore;
  source.passphrase_file = f.passphrase_file;
  source.passphrase_env = f.passphrase_env;
  source.raw_key_path = f.key_file;
  if (!f.keystore.empty() && f.passphrase_file.empty() && f.passphrase_env.empty()) {
    source.passphrase_env = "ATTEST_PASSPHRASE";
  }
  ASSIGN_OR_RETURN(SecretKey32 key, LoadAttestorKey(source));
  chain::ExporterConfig config;
  config.rpc_url = f.rpc;
  ASSIGN_OR_RETURN(config.registry, ParseAddress(f.registry));
  config.chain_id = f.chain_id;
  config.confirmations = f.confirmations;
  config.every_leaves = f.every_leaves;
  config.every_ms = static_cast<int64_t>(f.every_seconds) * 1000;
  config.fees.max_fee_cap = f.max_fee_gwei * 1'000'000'000ull;
  config.fees.tip_cap = f.tip_cap_gwei * 1'000'000'000ull;
  config.poll_interval_ms = static_cast<int64_t>(f.poll_ms);
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

void AddExport(CLI::App& app) {
  auto flags = std::make_shared<ExportFlags>();
  CLI::App* cmd = app.add_subcommand("export", "Anchor checkpoint roots on an EVM chain, or export them to a file");
  cmd->add_option("DATA_DIR", flags->data_dir, "attestd data directory (the ledger database)")->required();
  cmd->add_option("--to-file", flags->to_file, "write checkpoints with anchor records and proofs as JSON lines");
  cmd->add_option("--rpc", flags->rpc, "JSON-RPC URL of the chain's node");
  cmd->add_option("--registry", flags->registry, "AnchorRegistry contract address");
  cmd->add_option("--chain-id", flags->chain_id, "chain id the node must report");
  cmd->add_option("--keystore", flags->keystore, "exporter account: V3 keystore JSON");
  cmd->add_option("--passphrase-file", flags->passphrase_file, "keystore passphrase file");
  cmd->add_option("--passphrase-env", flags->passphrase_env, "keystore passphrase variable (default ATTEST_PASSPHRASE)");
  cmd->add_option("--key-file", flags->key_file, "exporter account: raw hex key file (mode 0600)");
  cmd->add_option("--confirmations", flags->confirmations, "blocks before an anchor counts as confirmed")->capture_default_str();
  cmd->add_option("--every-leaves", flags->every_leaves, "anchor after this many new leaves")->capture_default_str();
  cmd->add_option("--every-seconds", flags->every_seconds, "...or this many seconds, whichever first")->capture_default_str();
  cmd->add_option("--max-fee-gwei", flags->max_fee_gwei, "cap on maxFeePerGas")->capture_default_str();
  cmd->add_option("--tip-cap-gwei", flags->tip_cap_gwei, "cap on maxPriorityFeePerGas")->capture_default_str();
  cmd->add_option("--poll-ms", flags->poll_ms, "pause between exporter steps")->capture_default_str();
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
      chain::AnchorLedger records(store->raw_db(), store->anchors_family());
      ASSIGN_OR_RETURN(auto all, records.List());
      for (const auto& r : all) std::cout << RecordSummary(r).dump() << "\n";
      return absl::OkStatus();
    }();
    if (!status.ok()) ReportError(status);
  });
}

void AddAnchors(CLI::App& app) {
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
      std::ifstream in(vf->receipt);
      if (!in) return absl::NotFoundError("cannot read " + vf->receipt);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
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

}  // namespace

ATTEST_CLI_COMMANDS(export, AddExport);
ATTEST_CLI_COMMANDS(anchors, AddAnchors);

// `attest ledger anchors DATA_DIR`: the same listing under the ledger group.
// Groups are added in name order, so "ledger" (ledger_commands.cc) exists by
// the time this one runs; it is created here only if that file is absent.
void AddLedgerAnchors(CLI::App& app) {
  auto found = app.get_subcommands([](CLI::App* sub) { return sub->get_name() == "ledger"; });
  CLI::App* ledger = found.empty() ? app.add_subcommand("ledger", "The ledger database") : found.front();
  AddAnchorList(ledger->add_subcommand("anchors", "Print the anchor records (attest anchors list)"));
}
ATTEST_CLI_COMMANDS(ledger_anchors, AddLedgerAnchors);

}  // namespace attestd::cli
