#include "chain/onchain_verify.h"

#include <algorithm>

#include "chain/registry_abi.h"
#include "ledger/proof_verify.h"

namespace attestd::chain {
namespace {

absl::StatusOr<Digest32> RootAt(EthClient& eth, const Address20& registry, const Digest32& log_id, uint64_t size) {
  ASSIGN_OR_RETURN(Bytes data, eth.Call(registry, EncodeRootAtCall(log_id, size)));
  return DecodeRootAtResult(data);
}

// Fills the event fields of `anchor` (tree_size and root already set) from
// the Anchored event for this log and size, scanning windows of blocks from
// the newest back to search.from_block.
void LocateAnchoredEvent(EthClient& eth, const Address20& registry, const Digest32& log_id,
                         const AnchoredEventSearch& search, OnChainAnchor& anchor) {
  absl::StatusOr<uint64_t> latest = eth.BlockNumber();
  if (!latest.ok()) {
    anchor.event_not_located = "eth_blockNumber: " + std::string(latest.status().message());
    return;
  }
  const uint64_t window = std::max<uint64_t>(search.window_blocks, 1);
  if (search.from_block > *latest) {
    anchor.event_not_located = "from block " + std::to_string(search.from_block) + " is past the newest block " +
                               std::to_string(*latest);
    return;
  }
  for (uint64_t high = *latest;;) {
    const uint64_t low = high - search.from_block + 1 > window ? high - window + 1 : search.from_block;
    nlohmann::json filter = {{"address", Hex0x(registry.span())},
                             {"fromBlock", ToQuantity(low)},
                             {"toBlock", ToQuantity(high)},
                             {"topics", {Hex0x(AnchoredEventTopic().span()), Hex0x(log_id.span())}}};
    absl::StatusOr<nlohmann::json> logs = eth.Raw("eth_getLogs", nlohmann::json::array({filter}));
    if (!logs.ok() || !logs->is_array()) {
      anchor.event_not_located = "eth_getLogs for blocks " + std::to_string(low) + ".." + std::to_string(high) + ": " +
                                 (logs.ok() ? "reply is not an array" : std::string(logs.status().message()));
      return;
    }
    for (const auto& log : *logs) {
      if (!log.is_object() || !log.contains("data") || !log["data"].is_string()) continue;
      absl::StatusOr<Bytes> data = HexDecode(log["data"].get<std::string>());
      if (!data.ok()) continue;
      auto decoded = DecodeLatestResult(*data);  // same (uint64, bytes32) layout
      if (!decoded.ok() || decoded->tree_size != anchor.tree_size || decoded->root != anchor.root) continue;
      auto tx = HexDecodeFixed<32>(log.value("transactionHash", std::string()), "transactionHash");
      auto block_hash = HexDecodeFixed<32>(log.value("blockHash", std::string()), "blockHash");
      auto block = ParseQuantity(log.value("blockNumber", nlohmann::json()), "blockNumber");
      if (!tx.ok() || !block_hash.ok() || !block.ok()) {
        anchor.event_not_located = "the Anchored event's transaction fields do not parse";
        return;
      }
      anchor.event_located = true;
      anchor.tx_hash = *tx;
      anchor.block_hash = *block_hash;
      anchor.block_number = *block;
      return;
    }
    if (low == search.from_block) {
      anchor.event_not_located = "no Anchored event for size " + std::to_string(anchor.tree_size) + " in blocks " +
                                 std::to_string(search.from_block) + ".." + std::to_string(*latest) +
                                 " (a node that prunes logs?)";
      return;
    }
    high = low - 1;
  }
}

}  // namespace

absl::StatusOr<OnChainAnchor> VerifyRootOnChain(EthClient& eth, const Address20& registry, const Digest32& log_id,
                                                uint64_t size, const Digest32& root,
                                                const std::optional<CoveringAnchor>& cover,
                                                const AnchoredEventSearch& search) {
  OnChainAnchor out;
  out.tree_size = cover.has_value() ? cover->tree_size : size;
  ASSIGN_OR_RETURN(out.root, RootAt(eth, registry, log_id, out.tree_size));
  if (out.root == Digest32()) {
    return absl::FailedPreconditionError("not anchored: registry " + Hex0x(registry.span()) +
                                         " holds no root for log " + Hex0x(log_id.span()) + " at size " +
                                         std::to_string(out.tree_size));
  }
  if (!cover.has_value() || cover->tree_size == size) {
    if (out.root != root) {
      return absl::UnauthenticatedError("registry holds root " + Hex0x(out.root.span()) + " at size " +
                                        std::to_string(size) + ", the checkpoint says " + Hex0x(root.span()));
    }
  } else {
    absl::Status consistent = ledger::VerifyConsistency(size, cover->tree_size, cover->consistency_proof, root, out.root);
    if (!consistent.ok()) {
      return absl::UnauthenticatedError("checkpoint of size " + std::to_string(size) +
                                        " is not a prefix of the anchored tree of size " +
                                        std::to_string(cover->tree_size) + ": " + std::string(consistent.message()));
    }
  }
  LocateAnchoredEvent(eth, registry, log_id, search, out);
  return out;
}

}  // namespace attestd::chain
