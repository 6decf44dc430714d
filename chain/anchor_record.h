// Anchor records: what the exporter keeps in the ledger database's `anchors`
// column family (owned by chain/, see ledger/log_store.h).
//
// Format (docs/anchoring.md): key = "anchor/" followed by the tree size as 8
// big-endian bytes, so keys sort by size; value = one JSON object (below).
// Records are not hashed or signed; they are the exporter's durable memory of
// what it sent, so that a restart neither sends twice nor skips.
//
// Thread safety: AnchorLedger methods may be called concurrently (RocksDB is
// thread safe); read-modify-write sequences are the single exporter's job.
// Every Put is a synced write: it is on disk before the transaction it
// describes is sent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "attest/bytes.h"
#include "ledger/log_store.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace attestd::chain {

enum class AnchorState {
  kPending,    // intent: signed tx written, maybe sent, not yet confirmed
  kConfirmed,  // mined with status 1 and at least the confirmation depth
  kReverted,   // mined with status 0: the contract refused it (terminal)
};
std::string_view AnchorStateName(AnchorState state);

struct AnchorRecord {
  uint64_t tree_size = 0;
  Digest32 root;
  Digest32 log_id;
  AnchorState state = AnchorState::kPending;
  uint64_t chain_id = 0;
  Address20 registry;
  Address20 from;
  uint64_t nonce = 0;
  Digest32 tx_hash;                       // the current attempt
  Bytes raw_tx;                           // its signed bytes (rebroadcast as is)
  std::vector<Digest32> earlier_tx_hashes;  // attempts replaced after their nonce was used elsewhere or a reorg
  uint64_t block_number = 0;              // confirmed / reverted only
  Digest32 block_hash;
  uint64_t gas_used = 0;
  uint64_t effective_gas_price = 0;
  int64_t created_at_ms = 0;              // when the intent was first written (unix ms)
  std::string last_error;                 // the latest failure while sending, for operators
};

[[nodiscard]] nlohmann::json AnchorRecordToJson(const AnchorRecord& record);
// Strict: every field present with its type and size; DataLoss naming the field otherwise.
[[nodiscard]] absl::StatusOr<AnchorRecord> AnchorRecordFromJson(const nlohmann::json& json);

// Key of the record for `tree_size` ("anchor/" + 8 big-endian bytes).
std::string AnchorKey(uint64_t tree_size);

class AnchorLedger {
 public:
  // Borrows both; they must outlive this object (they live as long as the LogStore).
  AnchorLedger(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family) : db_(db), family_(family) {}
  // The `anchors` family of `store`, which must outlive this object.
  explicit AnchorLedger(const ledger::LogStore& store) : AnchorLedger(store.raw_db(), store.anchors_family()) {}

  [[nodiscard]] absl::Status Put(const AnchorRecord& record);
  [[nodiscard]] absl::StatusOr<std::optional<AnchorRecord>> Get(uint64_t tree_size) const;
  // All records, ascending by tree size.
  [[nodiscard]] absl::StatusOr<std::vector<AnchorRecord>> List() const;

 private:
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* family_;
};

}  // namespace attestd::chain
