// Typed Ethereum JSON-RPC calls the exporter and the auditor check need.
//
// Quantities are parsed strictly: "0x" followed by at most 16 hex digits with
// no leading zero (the node's canonical form); anything wider than 64 bits is
// OutOfRange. Errors from the transport and from the node are passed through
// from JsonRpcClient (see json_rpc.h for their codes).
// Thread safety: as JsonRpcClient, one EthClient per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attest/bytes.h"
#include "chain/json_rpc.h"

namespace attestd::chain {

[[nodiscard]] absl::StatusOr<uint64_t> ParseQuantity(const nlohmann::json& value, std::string_view what);
std::string ToQuantity(uint64_t value);
std::string ToHexData(ByteSpan bytes);  // "0x" + lowercase hex

struct TxReceipt {
  Digest32 tx_hash;
  uint64_t block_number = 0;
  Digest32 block_hash;
  bool success = false;  // status 1; false: the transaction reverted
  uint64_t gas_used = 0;
  uint64_t effective_gas_price = 0;
};

struct FeeHistory {
  uint64_t next_base_fee = 0;        // base fee of the block after the newest
  std::vector<uint64_t> rewards;     // one percentile reward per block
};

class EthClient {
 public:
  explicit EthClient(JsonRpcOptions options) : rpc_(std::move(options)) {}

  [[nodiscard]] absl::StatusOr<uint64_t> ChainId();
  [[nodiscard]] absl::StatusOr<uint64_t> BlockNumber();
  // block_tag: "latest" (mined) or "pending" (including the node's pool).
  [[nodiscard]] absl::StatusOr<uint64_t> TransactionCount(const Address20& account, std::string_view block_tag);
  [[nodiscard]] absl::StatusOr<uint64_t> Balance(const Address20& account);
  // eth_feeHistory over the last `blocks` blocks at `percentile`.
  [[nodiscard]] absl::StatusOr<FeeHistory> GetFeeHistory(uint64_t blocks, double percentile);
  [[nodiscard]] absl::StatusOr<uint64_t> MaxPriorityFeePerGas();
  [[nodiscard]] absl::StatusOr<uint64_t> EstimateGas(const Address20& from, const Address20& to, ByteSpan data);
  // Returns the hash the node reports for the transaction.
  [[nodiscard]] absl::StatusOr<Digest32> SendRawTransaction(ByteSpan raw);
  // nullopt while the transaction is not mined (or unknown to the node).
  [[nodiscard]] absl::StatusOr<std::optional<TxReceipt>> GetReceipt(const Digest32& tx_hash);
  // Whether the node knows the transaction at all (pool or chain).
  [[nodiscard]] absl::StatusOr<bool> KnowsTransaction(const Digest32& tx_hash);
  // Hash of the canonical block at `number`; nullopt beyond the head.
  [[nodiscard]] absl::StatusOr<std::optional<Digest32>> BlockHashAt(uint64_t number);
  // eth_call at "latest"; returns the return data.
  [[nodiscard]] absl::StatusOr<Bytes> Call(const Address20& to, ByteSpan data);
  // Raw access for tests and rare calls (evm_mine, evm_snapshot...).
  [[nodiscard]] absl::StatusOr<nlohmann::json> Raw(std::string_view method, const nlohmann::json& params) {
    return rpc_.Call(method, params);
  }

  const std::string& url() const { return rpc_.url(); }

 private:
  JsonRpcClient rpc_;
};

}  // namespace attestd::chain
