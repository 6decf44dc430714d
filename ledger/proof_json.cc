#include "ledger/proof_json.h"

#include <nlohmann/json.hpp>

#include <set>

#include "ledger/proof_verify.h"

namespace attestd::ledger {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// Parses without exceptions and refuses duplicate keys at any depth, which
// nlohmann would otherwise resolve silently (last one wins).
absl::StatusOr<json> ParseStrictObject(std::string_view text, std::string_view what) {
  std::vector<std::set<std::string>> keys_by_depth;
  bool duplicate = false;
  std::string duplicate_key;
  json::parser_callback_t on_event = [&](int depth, json::parse_event_t event, json& parsed) {
    const auto d = static_cast<size_t>(depth);
    if (event == json::parse_event_t::object_start) {
      if (keys_by_depth.size() <= d) keys_by_depth.resize(d + 1);
      keys_by_depth[d].clear();
    } else if (event == json::parse_event_t::key) {
      // A key event arrives at the depth of the object's members.
      const size_t object_depth = d == 0 ? 0 : d - 1;
      if (keys_by_depth.size() <= object_depth) keys_by_depth.resize(object_depth + 1);
      if (!keys_by_depth[object_depth].insert(parsed.get<std::string>()).second) {
        duplicate = true;
        duplicate_key = parsed.get<std::string>();
      }
    }
    return true;
  };
  json doc = json::parse(text.begin(), text.end(), on_event, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return absl::InvalidArgumentError(std::string(what) + ": not valid JSON");
  if (duplicate) return absl::InvalidArgumentError(std::string(what) + ": duplicate key \"" + duplicate_key + "\"");
  if (!doc.is_object()) return absl::InvalidArgumentError(std::string(what) + ": want a JSON object");
  return doc;
}

absl::Status CheckKeys(const json& doc, std::initializer_list<const char*> want, std::string_view what) {
  for (const char* key : want) {
    if (!doc.contains(key)) {
      return absl::InvalidArgumentError(std::string(what) + ": missing field \"" + key + "\"");
    }
  }
  for (const auto& [key, value] : doc.items()) {
    if (std::find_if(want.begin(), want.end(), [&](const char* k) { return key == k; }) == want.end()) {
      return absl::InvalidArgumentError(std::string(what) + ": unknown field \"" + key + "\"");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> GetSize(const json& doc, const char* key, std::string_view what) {
  const json& v = doc.at(key);
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer()) {
    return absl::InvalidArgumentError(std::string(what) + ": \"" + key + "\" is negative, want >= 0");
  }
  return absl::InvalidArgumentError(std::string(what) + ": \"" + key + "\" is " + v.type_name() +
                                    ", want an integer");
}

absl::StatusOr<Digest32> GetHash(const json& v, const std::string& field, std::string_view what) {
  if (!v.is_string()) {
    return absl::InvalidArgumentError(std::string(what) + ": " + field + " is " + v.type_name() +
                                      ", want a hex string");
  }
  const std::string& hex = v.get_ref<const std::string&>();
  if (hex.size() != 2 * kHashSize) {
    return absl::InvalidArgumentError(std::string(what) + ": " + field + ": got " + std::to_string(hex.size()) +
                                      " hex digits, want 64 (32 bytes)");
  }
  for (size_t i = 0; i < hex.size(); ++i) {
    const char c = hex[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return absl::InvalidArgumentError(std::string(what) + ": " + field + ": character " + std::to_string(i) +
                                        " is not a lowercase hex digit");
    }
  }
  return HexDecodeFixed<32>(hex, field);
}

absl::StatusOr<std::vector<Digest32>> GetProof(const json& doc, std::string_view what) {
  const json& v = doc.at("proof");
  if (!v.is_array()) {
    return absl::InvalidArgumentError(std::string(what) + ": \"proof\" is " + v.type_name() + ", want an array");
  }
  // A proof in a 2^64-leaf tree has at most 64 hashes (inclusion) or 65 (consistency).
  if (v.size() > 65) {
    return absl::InvalidArgumentError(std::string(what) + ": proof has " + std::to_string(v.size()) +
                                      " hashes, want at most 65");
  }
  std::vector<Digest32> out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    ASSIGN_OR_RETURN(Digest32 h, GetHash(v[i], "proof[" + std::to_string(i) + "]", what));
    out.push_back(h);
  }
  return out;
}

ordered_json HexArray(const std::vector<Digest32>& hashes) {
  ordered_json out = ordered_json::array();
  for (const Digest32& h : hashes) out.push_back(HexEncode(h));
  return out;
}

}  // namespace

std::string InclusionProofToJson(const InclusionProofRecord& record) {
  ordered_json doc;
  doc["index"] = record.index;
  doc["tree_size"] = record.tree_size;
  doc["leaf_hash"] = HexEncode(record.leaf_hash);
  doc["root"] = HexEncode(record.root);
  doc["proof"] = HexArray(record.proof);
  return doc.dump();
}

std::string ConsistencyProofToJson(const ConsistencyProofRecord& record) {
  ordered_json doc;
  doc["from"] = record.from;
  doc["to"] = record.to;
  doc["root_from"] = HexEncode(record.root_from);
  doc["root_to"] = HexEncode(record.root_to);
  doc["proof"] = HexArray(record.proof);
  return doc.dump();
}

absl::StatusOr<InclusionProofRecord> ParseInclusionProofJson(std::string_view text) {
  constexpr std::string_view kWhat = "inclusion proof JSON";
  ASSIGN_OR_RETURN(json doc, ParseStrictObject(text, kWhat));
  RETURN_IF_ERROR(CheckKeys(doc, {"index", "tree_size", "leaf_hash", "root", "proof"}, kWhat));
  InclusionProofRecord record;
  ASSIGN_OR_RETURN(record.index, GetSize(doc, "index", kWhat));
  ASSIGN_OR_RETURN(record.tree_size, GetSize(doc, "tree_size", kWhat));
  ASSIGN_OR_RETURN(record.leaf_hash, GetHash(doc["leaf_hash"], "leaf_hash", kWhat));
  ASSIGN_OR_RETURN(record.root, GetHash(doc["root"], "root", kWhat));
  ASSIGN_OR_RETURN(record.proof, GetProof(doc, kWhat));
  return record;
}

absl::StatusOr<ConsistencyProofRecord> ParseConsistencyProofJson(std::string_view text) {
  constexpr std::string_view kWhat = "consistency proof JSON";
  ASSIGN_OR_RETURN(json doc, ParseStrictObject(text, kWhat));
  RETURN_IF_ERROR(CheckKeys(doc, {"from", "to", "root_from", "root_to", "proof"}, kWhat));
  ConsistencyProofRecord record;
  ASSIGN_OR_RETURN(record.from, GetSize(doc, "from", kWhat));
  ASSIGN_OR_RETURN(record.to, GetSize(doc, "to", kWhat));
  ASSIGN_OR_RETURN(record.root_from, GetHash(doc["root_from"], "root_from", kWhat));
  ASSIGN_OR_RETURN(record.root_to, GetHash(doc["root_to"], "root_to", kWhat));
  ASSIGN_OR_RETURN(record.proof, GetProof(doc, kWhat));
  return record;
}

absl::Status VerifyInclusionRecord(const InclusionProofRecord& record) {
  return VerifyInclusion(record.index, record.tree_size, record.leaf_hash, record.proof, record.root);
}

absl::Status VerifyConsistencyRecord(const ConsistencyProofRecord& record) {
  return VerifyConsistency(record.from, record.to, record.proof, record.root_from, record.root_to);
}

}  // namespace attestd::ledger
