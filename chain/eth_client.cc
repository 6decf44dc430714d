#include "chain/eth_client.h"

namespace attestd::chain {
namespace {

absl::StatusOr<Digest32> ParseHash(const nlohmann::json& value, std::string_view what) {
  if (!value.is_string()) return absl::InternalError(std::string(what) + ": not a string in the node's reply");
  return HexDecodeFixed<32>(value.get<std::string>(), what);
}

}  // namespace

absl::StatusOr<uint64_t> ParseQuantity(const nlohmann::json& value, std::string_view what) {
  if (!value.is_string()) {
    return absl::InvalidArgumentError(std::string(what) + ": got " + value.dump() + ", want a hex quantity string");
  }
  const std::string text = value.get<std::string>();
  if (text.size() < 3 || text[0] != '0' || text[1] != 'x' || (text.size() > 3 && text[2] == '0')) {
    return absl::InvalidArgumentError(std::string(what) + ": got \"" + text + "\", want 0x and minimal hex digits");
  }
  if (text.size() - 2 > 16) {
    return absl::OutOfRangeError(std::string(what) + ": " + text + " does not fit in 64 bits");
  }
  uint64_t out = 0;
  for (size_t i = 2; i < text.size(); ++i) {
    const char c = text[i];
    int digit = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (digit < 0) {
      return absl::InvalidArgumentError(std::string(what) + ": bad hex digit at offset " + std::to_string(i) + " in " + text);
    }
    out = (out << 4) | static_cast<uint64_t>(digit);
  }
  return out;
}

std::string ToQuantity(uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  if (value == 0) return "0x0";
  std::string digits;
  while (value != 0) {
    digits.insert(digits.begin(), kDigits[value & 0xf]);
    value >>= 4;
  }
  return "0x" + digits;
}

absl::StatusOr<uint64_t> EthClient::ChainId() {
  ASSIGN_OR_RETURN(auto result, rpc_.Call("eth_chainId", nlohmann::json::array()));
  return ParseQuantity(result, "eth_chainId");
}

absl::StatusOr<uint64_t> EthClient::BlockNumber() {
  ASSIGN_OR_RETURN(auto result, rpc_.Call("eth_blockNumber", nlohmann::json::array()));
  return ParseQuantity(result, "eth_blockNumber");
}

absl::StatusOr<uint64_t> EthClient::TransactionCount(const Address20& account, std::string_view block_tag) {
  ASSIGN_OR_RETURN(auto result, rpc_.Call("eth_getTransactionCount", {Hex0x(account.span()), block_tag}));
  return ParseQuantity(result, "eth_getTransactionCount");
}

absl::StatusOr<uint64_t> EthClient::Balance(const Address20& account) {
  ASSIGN_OR_RETURN(auto result, rpc_.Call("eth_getBalance", {Hex0x(account.span()), "latest"}));
  // Balances routinely exceed 64 bits of wei (hardhat funds 10^22); saturate.
  auto parsed = ParseQuantity(result, "eth_getBalance");
  if (parsed.status().code() == absl::StatusCode::kOutOfRange) return UINT64_MAX;
  return parsed;
}

absl::StatusOr<FeeHistory> EthClient::GetFeeHistory(uint64_t blocks, double percentile) {
  ASSIGN_OR_RETURN(auto result,
                   rpc_.Call("eth_feeHistory", {ToQuantity(blocks), "latest", nlohmann::json::array({percentile})}));
  if (!result.is_object() || !result.contains("baseFeePerGas") || !result["baseFeePerGas"].is_array() ||
      result["baseFeePerGas"].empty()) {
    return absl::InternalError("eth_feeHistory: reply has no baseFeePerGas array");
  }
  FeeHistory out;
  ASSIGN_OR_RETURN(out.next_base_fee, ParseQuantity(result["baseFeePerGas"].back(), "baseFeePerGas"));
  if (result.contains("reward") && result["reward"].is_array()) {
    for (const auto& block : result["reward"]) {
      if (!block.is_array() || block.empty()) continue;
      ASSIGN_OR_RETURN(uint64_t reward, ParseQuantity(block[0], "reward"));
      out.rewards.push_back(reward);
    }
  }
  return out;
}

absl::StatusOr<uint64_t> EthClient::MaxPriorityFeePerGas() {
  ASSIGN_OR_RETURN(auto result, rpc_.Call("eth_maxPriorityFeePerGas", nlohmann::json::array()));
  return ParseQuantity(result, "eth_maxPriorityFeePerGas");
}

absl::StatusOr<uint64_t> EthClient::EstimateGas(const Address20& from, const Address20& to, ByteSpan data) {
  nlohmann::json call = {{"from", Hex0x(from.span())}, {"to", Hex0x(to.span())}, {"data", Hex0x(data)}};
  ASSIGN_OR_RETURN(auto result, rpc_.Call("eth_estimateGas", nlohmann::json::array({call})));
  return ParseQuantity(result, "eth_estimateGas");
}

absl::StatusOr<Digest32> EthClient::SendRawTransaction(ByteSpan raw) {
  ASSIGN_OR_RETURN(auto result, rpc_.Call("eth_sendRawTransaction", {Hex0x(raw)}));
  return ParseHash(result, "eth_sendRawTransaction");
}

absl::StatusOr<std::optional<TxReceipt>> EthClient::GetReceipt(const Digest32& tx_hash) {
  ASSIGN_OR_RETURN(auto result, rpc_.Call("eth_getTransactionReceipt", {Hex0x(tx_hash.span())}));
  if (result.is_null()) return std::optional<TxReceipt>();
  if (!result.is_object()) return absl::InternalError("eth_getTransactionReceipt: reply is not an object");
  TxReceipt out;
  out.tx_hash = tx_hash;
  ASSIGN_OR_RETURN(out.block_number, ParseQuantity(result.value("blockNumber", nlohmann::json()), "blockNumber"));
  ASSIGN_OR_RETURN(out.block_hash, ParseHash(result.value("blockHash", nlohmann::json()), "blockHash"));
  ASSIGN_OR_RETURN(uint64_t status, ParseQuantity(result.value("status", nlohmann::json()), "status"));
  out.success = status == 1;
  ASSIGN_OR_RETURN(out.gas_used, ParseQuantity(result.value("gasUsed", nlohmann::json()), "gasUsed"));
  if (result.contains("effectiveGasPrice")) {
    ASSIGN_OR_RETURN(out.effective_gas_price, ParseQuantity(result["effectiveGasPrice"], "effectiveGasPrice"));
  }
  return std::optional<TxReceipt>(out);
}

absl::StatusOr<bool> EthClient::KnowsTransaction(const Digest32& tx_hash) {
  ASSIGN_OR_RETURN(auto result, rpc_.Call("eth_getTransactionByHash", {Hex0x(tx_hash.span())}));
  return !result.is_null();
}

absl::StatusOr<std::optional<Digest32>> EthClient::BlockHashAt(uint64_t number) {
  ASSIGN_OR_RETURN(auto result, rpc_.Call("eth_getBlockByNumber", {ToQuantity(number), false}));
  if (result.is_null()) return std::optional<Digest32>();
  if (!result.is_object()) return absl::InternalError("eth_getBlockByNumber: reply is not an object");
  ASSIGN_OR_RETURN(Digest32 hash, ParseHash(result.value("hash", nlohmann::json()), "block hash"));
  return std::optional<Digest32>(hash);
}

absl::StatusOr<Bytes> EthClient::Call(const Address20& to, ByteSpan data) {
  nlohmann::json call = {{"to", Hex0x(to.span())}, {"data", Hex0x(data)}};
  ASSIGN_OR_RETURN(auto result, rpc_.Call("eth_call", {call, "latest"}));
  if (!result.is_string()) return absl::InternalError("eth_call: reply is not a hex string");
  return HexDecode(result.get<std::string>());
}

}  // namespace attestd::chain
