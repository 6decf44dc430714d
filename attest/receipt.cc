#include "attest/receipt.h"

#include "attest/secp256k1_signer.h"
#include "attest/strict_json.h"

namespace attestd {
namespace {

using json::FieldPath;
using json::Json;

constexpr std::string_view kRoot = "receipt";

absl::StatusOr<Digest32> GetHash(const Json& object, std::string_view path, std::string_view key) {
  ASSIGN_OR_RETURN(std::string hex, json::GetString(object, path, key));
  return ParseLowerHexFixed<32>(hex, FieldPath(path, key));
}

absl::StatusOr<AttestationStatement> StatementFromJson(const Json& j, std::string_view path) {
  RETURN_IF_ERROR(json::CheckObjectKeys(j, path,
                                        {"log_id", "model_digest", "engine_digest", "input_commitment",
                                         "output_commitment", "request_id", "issued_at_ms"}));
  AttestationStatement s;
  ASSIGN_OR_RETURN(s.log_id, GetHash(j, path, "log_id"));
  ASSIGN_OR_RETURN(s.model_digest, GetHash(j, path, "model_digest"));
  ASSIGN_OR_RETURN(s.engine_digest, GetHash(j, path, "engine_digest"));
  ASSIGN_OR_RETURN(s.input_commitment, GetHash(j, path, "input_commitment"));
  ASSIGN_OR_RETURN(s.output_commitment, GetHash(j, path, "output_commitment"));
  ASSIGN_OR_RETURN(s.request_id, GetHash(j, path, "request_id"));
  ASSIGN_OR_RETURN(s.issued_at_ms, json::GetUint64(j, path, "issued_at_ms"));
  return s;
}

absl::StatusOr<LedgerPosition> LedgerFromJson(const Json& j, std::string_view path) {
  RETURN_IF_ERROR(json::CheckObjectKeys(j, path, {"leaf_index"}, {"tree_size", "inclusion_proof", "checkpoint"}));
  LedgerPosition p;
  ASSIGN_OR_RETURN(p.leaf_index, json::GetUint64(j, path, "leaf_index"));
  int evidence_fields = static_cast<int>(j.contains("tree_size")) + static_cast<int>(j.contains("inclusion_proof")) +
                        static_cast<int>(j.contains("checkpoint"));
  if (evidence_fields == 0) return p;
  if (evidence_fields != 3) {
    return absl::InvalidArgumentError(std::string(path) +
                                      ": tree_size, inclusion_proof and checkpoint go together; got " +
                                      std::to_string(evidence_fields) + " of the 3");
  }
  LedgerInclusion inc;
  ASSIGN_OR_RETURN(inc.tree_size, json::GetUint64(j, path, "tree_size"));
  if (p.leaf_index >= inc.tree_size) {
    return absl::InvalidArgumentError(FieldPath(path, "leaf_index") + ": got " + std::to_string(p.leaf_index) +
                                      ", want < tree_size " + std::to_string(inc.tree_size));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> proof, json::GetStringArray(j, path, "inclusion_proof"));
  for (size_t i = 0; i < proof.size(); ++i) {
    ASSIGN_OR_RETURN(Digest32 h,
                     ParseLowerHexFixed<32>(proof[i], FieldPath(path, "inclusion_proof") + "[" + std::to_string(i) + "]"));
    inc.inclusion_proof.push_back(h);
  }
  ASSIGN_OR_RETURN(inc.checkpoint, json::GetString(j, path, "checkpoint"));
  p.inclusion = std::move(inc);
  return p;
}

}  // namespace

absl::Status CheckLowerHex(std::string_view hex, size_t want_digits, std::string_view field) {
  if (hex.size() != want_digits) {
    return absl::InvalidArgumentError(std::string(field) + ": got " + std::to_string(hex.size()) +
                                      " hex digits, want " + std::to_string(want_digits));
  }
  for (size_t i = 0; i < hex.size(); ++i) {
    char c = hex[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return absl::InvalidArgumentError(std::string(field) + ": character '" + std::string(1, c) + "' at offset " +
                                        std::to_string(i) + ", want lowercase hex without 0x");
    }
  }
  return absl::OkStatus();
}

std::string ReceiptToJson(const Receipt& r) {
  Json statement = {{"log_id", HexEncode(r.statement.log_id)},
                    {"model_digest", HexEncode(r.statement.model_digest)},
                    {"engine_digest", HexEncode(r.statement.engine_digest)},
                    {"input_commitment", HexEncode(r.statement.input_commitment)},
                    {"output_commitment", HexEncode(r.statement.output_commitment)},
                    {"request_id", HexEncode(r.statement.request_id)},
                    {"issued_at_ms", r.statement.issued_at_ms}};
  Json j = {{"version", kReceiptVersion},
            {"model", r.model_name},
            {"attestor", ToChecksumAddress(r.attestor)},
            {"statement", std::move(statement)},
            {"signature", HexEncode(r.signature)}};
  if (r.salt) j["salt"] = HexEncode(*r.salt);
  if (r.ledger) {
    Json ledger = {{"leaf_index", r.ledger->leaf_index}};
    if (r.ledger->inclusion) {
      const LedgerInclusion& inc = *r.ledger->inclusion;
      Json proof = Json::array();
      for (const Digest32& h : inc.inclusion_proof) proof.push_back(HexEncode(h));
      ledger["tree_size"] = inc.tree_size;
      ledger["inclusion_proof"] = std::move(proof);
      ledger["checkpoint"] = inc.checkpoint;
    }
    j["ledger"] = std::move(ledger);
  }
  // nlohmann's object is a std::map: keys come out sorted. `replace` keeps
  // dump() from throwing on a non-UTF-8 model name (see the header).
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

absl::StatusOr<Receipt> ParseReceiptJson(std::string_view text) {
  ASSIGN_OR_RETURN(Json j, json::ParseStrict(text, kRoot));
  if (!j.is_object()) return absl::InvalidArgumentError("receipt: want a JSON object");
  // The version is checked first so a future receipt gets "unknown version",
  // not a confusing complaint about a field added in that version.
  if (!j.contains("version")) return absl::InvalidArgumentError("receipt.version: missing (required)");
  ASSIGN_OR_RETURN(uint64_t version, json::GetUint64(j, kRoot, "version"));
  if (version != kReceiptVersion) {
    return absl::InvalidArgumentError("receipt.version: got " + std::to_string(version) + ", want " +
                                      std::to_string(kReceiptVersion) + " (unknown receipt version)");
  }
  RETURN_IF_ERROR(json::CheckObjectKeys(j, kRoot, {"version", "model", "attestor", "statement", "signature"},
                                        {"salt", "ledger"}));
  Receipt r;
  ASSIGN_OR_RETURN(r.model_name, json::GetString(j, kRoot, "model"));
  ASSIGN_OR_RETURN(std::string attestor, json::GetString(j, kRoot, "attestor"));
  auto address = ParseAddress(attestor);
  if (!address.ok()) return absl::InvalidArgumentError("receipt.attestor: " + std::string(address.status().message()));
  r.attestor = *address;
  ASSIGN_OR_RETURN(r.statement, StatementFromJson(j.at("statement"), "receipt.statement"));
  ASSIGN_OR_RETURN(std::string sig_hex, json::GetString(j, kRoot, "signature"));
  ASSIGN_OR_RETURN(r.signature, ParseLowerHexFixed<65>(sig_hex, "receipt.signature"));
  if (j.contains("salt")) {
    ASSIGN_OR_RETURN(std::string salt_hex, json::GetString(j, kRoot, "salt"));
    ASSIGN_OR_RETURN(Salt32 salt, ParseLowerHexFixed<32>(salt_hex, "receipt.salt"));
    r.salt = salt;
  }
  if (j.contains("ledger")) {
    ASSIGN_OR_RETURN(r.ledger, LedgerFromJson(j.at("ledger"), "receipt.ledger"));
  }
  return r;
}

}  // namespace attestd
