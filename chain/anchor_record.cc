#include "chain/anchor_record.h"

#include <rocksdb/db.h>

#include <memory>

namespace attestd::chain {
namespace {

constexpr std::string_view kKeyPrefix = "anchor/";
constexpr uint64_t kFormatVersion = 1;

absl::Status Missing(std::string_view field, std::string_view want) {
  return absl::DataLossError("anchor record: field \"" + std::string(field) + "\" missing or not " + std::string(want));
}

absl::StatusOr<uint64_t> U64(const nlohmann::json& j, const char* field) {
  if (!j.contains(field) || !j[field].is_number_unsigned()) return Missing(field, "an unsigned integer");
  return j[field].get<uint64_t>();
}

absl::StatusOr<std::string> Str(const nlohmann::json& j, const char* field) {
  if (!j.contains(field) || !j[field].is_string()) return Missing(field, "a string");
  return j[field].get<std::string>();
}

template <size_t N>
absl::StatusOr<FixedBytes<N>> Fixed(const nlohmann::json& j, const char* field) {
  ASSIGN_OR_RETURN(std::string text, Str(j, field));
  auto parsed = HexDecodeFixed<N>(text, field);
  if (!parsed.ok()) return absl::DataLossError("anchor record: " + std::string(parsed.status().message()));
  return *parsed;
}

}  // namespace

std::string_view AnchorStateName(AnchorState state) {
  switch (state) {
    case AnchorState::kPending: return "pending";
    case AnchorState::kConfirmed: return "confirmed";
    case AnchorState::kReverted: return "reverted";
  }
  return "unknown";
}

nlohmann::json AnchorRecordToJson(const AnchorRecord& r) {
  nlohmann::json earlier = nlohmann::json::array();
  for (const Digest32& h : r.earlier_tx_hashes) earlier.push_back(Hex0x(h.span()));
  return {
      {"v", kFormatVersion},
      {"treeSize", r.tree_size},
      {"root", Hex0x(r.root.span())},
      {"logId", Hex0x(r.log_id.span())},
      {"state", AnchorStateName(r.state)},
      {"chainId", r.chain_id},
      {"registry", Hex0x(r.registry.span())},
      {"from", Hex0x(r.from.span())},
      {"nonce", r.nonce},
      {"txHash", Hex0x(r.tx_hash.span())},
      {"rawTx", Hex0x(r.raw_tx)},
      {"earlierTxHashes", earlier},
      {"blockNumber", r.block_number},
      {"blockHash", Hex0x(r.block_hash.span())},
      {"gasUsed", r.gas_used},
      {"effectiveGasPrice", r.effective_gas_price},
      {"createdAtMs", r.created_at_ms},
      {"lastError", r.last_error},
  };
}

absl::StatusOr<AnchorRecord> AnchorRecordFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return absl::DataLossError("anchor record: not a JSON object");
  ASSIGN_OR_RETURN(uint64_t version, U64(j, "v"));
  if (version != kFormatVersion) {
    return absl::DataLossError("anchor record: format version " + std::to_string(version) + ", want 1");
  }
  AnchorRecord r;
  ASSIGN_OR_RETURN(r.tree_size, U64(j, "treeSize"));
  ASSIGN_OR_RETURN(r.root, Fixed<32>(j, "root"));
  ASSIGN_OR_RETURN(r.log_id, Fixed<32>(j, "logId"));
  ASSIGN_OR_RETURN(std::string state, Str(j, "state"));
  if (state == "pending") r.state = AnchorState::kPending;
  else if (state == "confirmed") r.state = AnchorState::kConfirmed;
  else if (state == "reverted") r.state = AnchorState::kReverted;
  else return absl::DataLossError("anchor record: state \"" + state + "\" unknown");
  ASSIGN_OR_RETURN(r.chain_id, U64(j, "chainId"));
  ASSIGN_OR_RETURN(r.registry, Fixed<20>(j, "registry"));
  ASSIGN_OR_RETURN(r.from, Fixed<20>(j, "from"));
  ASSIGN_OR_RETURN(r.nonce, U64(j, "nonce"));
  ASSIGN_OR_RETURN(r.tx_hash, Fixed<32>(j, "txHash"));
  ASSIGN_OR_RETURN(std::string raw, Str(j, "rawTx"));
  auto raw_bytes = HexDecode(raw);
  if (!raw_bytes.ok()) return absl::DataLossError("anchor record: rawTx: " + std::string(raw_bytes.status().message()));
  r.raw_tx = *std::move(raw_bytes);
  if (!j.contains("earlierTxHashes") || !j["earlierTxHashes"].is_array()) return Missing("earlierTxHashes", "an array");
  for (const auto& h : j["earlierTxHashes"]) {
    if (!h.is_string()) return Missing("earlierTxHashes", "an array of strings");
    auto parsed = HexDecodeFixed<32>(h.get<std::string>(), "earlierTxHashes");
    if (!parsed.ok()) return absl::DataLossError("anchor record: " + std::string(parsed.status().message()));
    r.earlier_tx_hashes.push_back(*parsed);
  }
  ASSIGN_OR_RETURN(r.block_number, U64(j, "blockNumber"));
  ASSIGN_OR_RETURN(r.block_hash, Fixed<32>(j, "blockHash"));
  ASSIGN_OR_RETURN(r.gas_used, U64(j, "gasUsed"));
  ASSIGN_OR_RETURN(r.effective_gas_price, U64(j, "effectiveGasPrice"));
  if (!j.contains("createdAtMs") || !j["createdAtMs"].is_number_integer()) return Missing("createdAtMs", "an integer");
  r.created_at_ms = j["createdAtMs"].get<int64_t>();
  ASSIGN_OR_RETURN(r.last_error, Str(j, "lastError"));
  return r;
}

std::string AnchorKey(uint64_t tree_size) {
  uint8_t be[8];
  PutBigEndian64(tree_size, be);
  return std::string(kKeyPrefix) + std::string(reinterpret_cast<const char*>(be), 8);
}

absl::Status AnchorLedger::Put(const AnchorRecord& record) {
  rocksdb::WriteOptions options;
  options.sync = true;  // the intent must be durable before the transaction leaves
  rocksdb::Status s = db_->Put(options, family_, AnchorKey(record.tree_size), AnchorRecordToJson(record).dump());
  if (!s.ok()) return absl::InternalError("anchors: writing record " + std::to_string(record.tree_size) + ": " + s.ToString());
  return absl::OkStatus();
}

absl::StatusOr<std::optional<AnchorRecord>> AnchorLedger::Get(uint64_t tree_size) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), family_, AnchorKey(tree_size), &value);
  if (s.IsNotFound()) return std::optional<AnchorRecord>();
  if (!s.ok()) return absl::InternalError("anchors: reading record " + std::to_string(tree_size) + ": " + s.ToString());
  nlohmann::json j = nlohmann::json::parse(value, nullptr, false);
  ASSIGN_OR_RETURN(AnchorRecord record, AnchorRecordFromJson(j));
  if (record.tree_size != tree_size) {
    return absl::DataLossError("anchors: record under key " + std::to_string(tree_size) + " says treeSize " +
                               std::to_string(record.tree_size));
  }
  return std::optional<AnchorRecord>(std::move(record));
}

absl::StatusOr<std::vector<AnchorRecord>> AnchorLedger::List() const {
  std::vector<AnchorRecord> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family_));
  for (it->Seek(std::string(kKeyPrefix)); it->Valid() && it->key().starts_with(kKeyPrefix); it->Next()) {
    nlohmann::json j = nlohmann::json::parse(it->value().ToString(), nullptr, false);
    auto record = AnchorRecordFromJson(j);
    if (!record.ok()) {
      return absl::DataLossError("anchors: record at key " + HexEncode(AsBytes(it->key().ToStringView())) + ": " +
                                 std::string(record.status().message()));
    }
    out.push_back(*std::move(record));
  }
  if (!it->status().ok()) return absl::InternalError("anchors: listing: " + it->status().ToString());
  return out;
}

}  // namespace attestd::chain
