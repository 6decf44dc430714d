#include "chain/file_export.h"

#include <map>

#include <nlohmann/json.hpp>

#include "chain/exporter.h"
#include "ledger/proof_plan.h"

namespace attestd::chain {

absl::StatusOr<FileExportStats> ExportCheckpoints(const ledger::LogStore& store, std::ostream& out) {
  AnchorLedger records(store);
  ASSIGN_OR_RETURN(std::vector<AnchorRecord> all, records.List());
  std::map<uint64_t, AnchorRecord> confirmed;
  std::map<uint64_t, AnchorRecord> by_size;
  for (AnchorRecord& r : all) {
    if (r.state == AnchorState::kConfirmed) confirmed.emplace(r.tree_size, r);
    by_size.emplace(r.tree_size, std::move(r));
  }
  ASSIGN_OR_RETURN(std::vector<uint64_t> sizes, store.CheckpointSizes());
  FileExportStats stats;
  for (uint64_t size : sizes) {
    ASSIGN_OR_RETURN(std::string note, store.GetCheckpoint(size));
    ASSIGN_OR_RETURN(CheckpointRef checkpoint, ParseCheckpointNote(note));
    if (checkpoint.size != size) {
      return absl::DataLossError("export: checkpoint stored under size " + std::to_string(size) + " says size " +
                                 std::to_string(checkpoint.size));
    }
    nlohmann::json line = {
        {"origin", checkpoint.origin},     {"logId", Hex0x(checkpoint.log_id.span())},
        {"treeSize", size},                {"root", Hex0x(checkpoint.root.span())},
        {"checkpoint", note},              {"anchor", nullptr},
        {"coveredBy", nullptr},
    };
    if (auto it = by_size.find(size); it != by_size.end()) {
      const AnchorRecord& r = it->second;
      line["anchor"] = {{"state", AnchorStateName(r.state)}, {"chainId", r.chain_id},
                        {"registry", Hex0x(r.registry.span())}, {"txHash", Hex0x(r.tx_hash.span())},
                        {"blockNumber", r.block_number}, {"blockHash", Hex0x(r.block_hash.span())},
                        {"gasUsed", r.gas_used}};
      if (r.state == AnchorState::kConfirmed) ++stats.anchored;
    }
    auto cover = confirmed.lower_bound(size);
    if (cover != confirmed.end() && cover->second.log_id == checkpoint.log_id) {
      const AnchorRecord& r = cover->second;
      std::vector<Digest32> proof;
      if (r.tree_size != size) {
        ASSIGN_OR_RETURN(proof, ledger::ConsistencyProof(size, r.tree_size, store));
      }
      nlohmann::json proof_json = nlohmann::json::array();
      for (const Digest32& h : proof) proof_json.push_back(Hex0x(h.span()));
      line["coveredBy"] = {{"treeSize", r.tree_size}, {"root", Hex0x(r.root.span())},
                           {"chainId", r.chain_id}, {"registry", Hex0x(r.registry.span())},
                           {"txHash", Hex0x(r.tx_hash.span())}, {"blockNumber", r.block_number},
                           {"consistencyProof", proof_json}};
    }
    out << line.dump() << "\n";
    if (!out) return absl::InternalError("export: writing the output failed");
    ++stats.checkpoints;
  }
  out.flush();
  if (!out) return absl::InternalError("export: flushing the output failed");
  return stats;
}

}  // namespace attestd::chain
