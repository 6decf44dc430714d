#include "ledger/chain/onchain_verify.h"

#include "ledger/chain/registry_abi.h"
#include "ledger/proof_verify.h"

namespace attestd::chain {
namespace {

std::string Hex0x(ByteSpan bytes) { return "0x" + HexEncode(bytes); }

absl::StatusOr<Digest32> RootAt(EthClient& eth, const Address20& registry, const Digest32& log_id, uint64_t size) {
  ASSIGN_OR_RETURN(Bytes data, eth.Call(registry, EncodeRootAtCall(log_id, size)));
  return DecodeRootAtResult(data);
}

}  // namespace

absl::StatusOr<OnChainAnchor> VerifyRootOnChain(EthClient& eth, const Address20& registry, const Digest32& log_id,
                                                uint64_t size, const Digest32& root,
                                                const std::optional<CoveringAnchor>& cover) {
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
  // Which transaction put it there: the Anchored event for this log and size.
  nlohmann::json filter = {{"address", Hex0x(registry.span())},
                           {"fromBlock", "0x0"},
                           {"toBlock", "latest"},
                           {"topics", {Hex0x(AnchoredEventTopic().span()), Hex0x(log_id.span())}}};
  ASSIGN_OR_RETURN(nlohmann::json logs, eth.Raw("eth_getLogs", nlohmann::json::array({filter})));
  if (!logs.is_array()) return absl::InternalError("eth_getLogs: reply is not an array");
  for (const auto& log : logs) {
    if (!log.is_object() || !log.contains("data") || !log["data"].is_string()) continue;
    ASSIGN_OR_RETURN(Bytes data, HexDecode(log["data"].get<std::string>()));
    auto decoded = DecodeLatestResult(data);  // same (uint64, bytes32) layout
    if (!decoded.ok() || decoded->tree_size != out.tree_size || decoded->root != out.root) continue;
    ASSIGN_OR_RETURN(out.tx_hash, HexDecodeFixed<32>(log.value("transactionHash", std::string()), "transactionHash"));
    ASSIGN_OR_RETURN(out.block_hash, HexDecodeFixed<32>(log.value("blockHash", std::string()), "blockHash"));
    ASSIGN_OR_RETURN(out.block_number, ParseQuantity(log.value("blockNumber", nlohmann::json()), "blockNumber"));
    return out;
  }
  return absl::InternalError("registry holds the root but no Anchored event for size " +
                             std::to_string(out.tree_size) + " was found (node pruned its logs?)");
}

}  // namespace attestd::chain
