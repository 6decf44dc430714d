// File export: the ledger's checkpoints with their anchor records and proofs,
// as JSON lines, for chains we do not speak natively and for air-gapped
// auditors (docs/anchoring.md, "File export"). One line per stored checkpoint,
// ascending by tree size:
//   {"origin": "...", "logId": "0x..", "treeSize": N, "root": "0x..",
//    "checkpoint": "<signed note text>",
//    "anchor": null | {"state", "chainId", "registry", "txHash", "blockNumber",
//                      "blockHash", "gasUsed"}            (record at exactly N)
//    "coveredBy": null | {"treeSize": A, "root": "0x..", "chainId",
//                         "registry", "txHash", "blockNumber",
//                         "consistencyProof": ["0x..", ...]}}
// coveredBy names the smallest CONFIRMED anchor at A >= N with the RFC 9162
// consistency proof from N to A (empty when A == N), so an auditor holding a
// checkpoint of size N can check it against a root the contract holds.
//
// Thread safety: reads only; safe alongside the Sequencer and the exporter.
#pragma once

#include <ostream>

#include "chain/anchor_record.h"
#include "ledger/log_store.h"

namespace attestd::chain {

struct FileExportStats {
  uint64_t checkpoints = 0;
  uint64_t anchored = 0;  // lines with a confirmed anchor at exactly their size
};

// Writes every checkpoint line to `out`. Errors: the store's (DataLoss for a
// malformed stored checkpoint or record); Internal if `out` fails.
[[nodiscard]] absl::StatusOr<FileExportStats> ExportCheckpoints(const ledger::LogStore& store, std::ostream& out);

}  // namespace attestd::chain
