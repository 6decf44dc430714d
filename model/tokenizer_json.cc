#include "model/tokenizer_json.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_format.h"
#include "model/regex_splitter.h"

namespace attestd::model {
namespace {

using nlohmann::json;

absl::Status Invalid(std::string_view path, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrFormat("tokenizer.json %s: %s", path, what));
}

std::string TypeName(const json& j) { return j.type_name(); }

// A short description of an untrusted value for an error message. Never
// dumps arrays or objects: their nesting depth is the attacker's choice and
// dump() recurses.
std::string Describe(const json& j) {
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (s.size() <= 64) return json(s).dump();
    size_t cut = 64;  // back off to a character boundary so dump() sees valid UTF-8
    while (cut > 0 && (static_cast<uint8_t>(s[cut]) & 0xC0) == 0x80) --cut;
    return json(s.substr(0, cut)).dump() + "...";
  }
  if (j.is_number() || j.is_boolean() || j.is_null()) return j.dump();
  return TypeName(j);
}

// The "type" string of a component object, or an error naming `path`.
absl::StatusOr<std::string> ComponentType(const json& j, std::string_view path) {
  if (!j.is_object()) return Invalid(path, absl::StrFormat("got %s, want an object", TypeName(j)));
  auto it = j.find("type");
  if (it == j.end() || !it->is_string()) return Invalid(path, "missing string field \"type\"");
  return it->get<std::string>();
}

// True if `key` is absent, null or equals the given default.
bool AbsentOr(const json& obj, const char* key, const json& ok_value) {
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() || *it == ok_value;
}

absl::Status ParseNormalizer(const json& j, std::string_view path, TokenizerSpec& spec) {
  if (j.is_null()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::string type, ComponentType(j, path));
  if (type == "NFC") {
    spec.nfc = true;
    return absl::OkStatus();
  }
  if (type == "Sequence") {
    auto it = j.find("normalizers");
    if (it == j.end() || !it->is_array()) return Invalid(path, "Sequence without a \"normalizers\" array");
    for (size_t i = 0; i < it->size(); ++i) {
      RETURN_IF_ERROR(ParseNormalizer((*it)[i], absl::StrFormat("%s.normalizers[%d]", path, i), spec));
    }
    return absl::OkStatus();
  }
  return Invalid(path, absl::StrFormat("unsupported normalizer type \"%s\" (supported: null, NFC)", type));
}

absl::Status ParseByteLevel(const json& j, std::string_view path, TokenizerSpec& spec) {
  if (!AbsentOr(j, "add_prefix_space", false)) return Invalid(path, "ByteLevel add_prefix_space true is not supported");
  auto it = j.find("use_regex");
  const bool use_regex = it == j.end() || it->is_null() || *it == true;
  if (it != j.end() && !it->is_null() && !it->is_boolean()) return Invalid(path, "use_regex must be a boolean");
  if (use_regex) spec.split_patterns.emplace_back(kGpt2SplitPattern);
  return absl::OkStatus();
}

absl::Status ParseSplit(const json& j, std::string_view path, TokenizerSpec& spec) {
  auto pattern = j.find("pattern");
  if (pattern == j.end() || !pattern->is_object()) return Invalid(path, "Split without a \"pattern\" object");
  auto regex = pattern->find("Regex");
  if (regex == pattern->end() || !regex->is_string()) {
    return Invalid(path, "only Split patterns of the form {\"Regex\": \"...\"} are supported");
  }
  auto behavior = j.find("behavior");
  if (behavior == j.end() || *behavior != "Isolated") {
    return Invalid(path, absl::StrFormat("Split behavior %s is not supported (want \"Isolated\")",
                                         behavior == j.end() ? "missing" : Describe(*behavior)));
  }
  if (!AbsentOr(j, "invert", false)) return Invalid(path, "Split invert true is not supported");
  spec.split_patterns.push_back(regex->get<std::string>());
  return absl::OkStatus();
}

absl::Status ParsePreTokenizer(const json& j, TokenizerSpec& spec) {
  constexpr std::string_view kPath = "pre_tokenizer";
  if (j.is_null()) return Invalid(kPath, "null; a byte-level BPE needs a ByteLevel pre-tokenizer");
  ASSIGN_OR_RETURN(std::string type, ComponentType(j, kPath));
  if (type == "ByteLevel") return ParseByteLevel(j, kPath, spec);
  if (type != "Sequence") return Invalid(kPath, absl::StrFormat("unsupported type \"%s\"", type));
  auto list = j.find("pretokenizers");
  if (list == j.end() || !list->is_array() || list->empty()) {
    return Invalid(kPath, "Sequence without a non-empty \"pretokenizers\" array");
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string path = absl::StrFormat("%s.pretokenizers[%d]", kPath, i);
    ASSIGN_OR_RETURN(std::string item_type, ComponentType((*list)[i], path));
    const bool last = i + 1 == list->size();
    if (item_type == "Split" && !last) {
      RETURN_IF_ERROR(ParseSplit((*list)[i], path, spec));
    } else if (item_type == "ByteLevel" && last) {
      RETURN_IF_ERROR(ParseByteLevel((*list)[i], path, spec));
    } else {
      return Invalid(path, absl::StrFormat("unsupported \"%s\" here (supported: Split..., then ByteLevel last)",
                                           item_type));
    }
  }
  return absl::OkStatus();
}

absl::Status ParseDecoder(const json& j) {
  if (j.is_null()) return Invalid("decoder", "null; want ByteLevel");
  ASSIGN_OR_RETURN(std::string type, ComponentType(j, "decoder"));
  if (type != "ByteLevel") return Invalid("decoder", absl::StrFormat("unsupported type \"%s\" (want ByteLevel)", type));
  return absl::OkStatus();
}

absl::StatusOr<uint32_t> ParseId(const json& j, std::string_view path) {
  if (!j.is_number_integer()) return Invalid(path, absl::StrFormat("id is %s, want an integer", TypeName(j)));
  if (j.is_number_unsigned() ? j.get<uint64_t>() > kMaxTokenId : (j.get<int64_t>() < 0 || j.get<int64_t>() > kMaxTokenId)) {
    return Invalid(path, absl::StrFormat("id %s out of range [0, %d]", j.dump(), kMaxTokenId));
  }
  return static_cast<uint32_t>(j.get<int64_t>());
}

absl::Status ParseModel(const json& j, TokenizerSpec& spec) {
  if (!j.is_object()) return Invalid("model", absl::StrFormat("got %s, want an object", TypeName(j)));
  auto type = j.find("type");
  if (type != j.end() && *type != "BPE") {
    return Invalid("model.type", absl::StrFormat("got %s, want \"BPE\"", Describe(*type)));
  }
  if (!AbsentOr(j, "byte_fallback", false)) return Invalid("model.byte_fallback", "true is not supported");
  if (!AbsentOr(j, "dropout", 0.0) && !AbsentOr(j, "dropout", 0)) {
    return Invalid("model.dropout", "BPE dropout is random and cannot be attested; want null");
  }
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    if (!AbsentOr(j, key, "")) return Invalid(absl::StrFormat("model.%s", key), "want null or \"\"");
  }
  auto ignore = j.find("ignore_merges");
  if (ignore != j.end() && !ignore->is_null()) {
    if (!ignore->is_boolean()) return Invalid("model.ignore_merges", "want a boolean");
    spec.ignore_merges = ignore->get<bool>();
  }

  auto vocab = j.find("vocab");
  if (vocab == j.end() || !vocab->is_object()) return Invalid("model.vocab", "missing or not an object");
  spec.vocab.reserve(vocab->size());
  absl::flat_hash_map<uint32_t, std::string> token_of_id;
  token_of_id.reserve(vocab->size());
  for (auto it = vocab->begin(); it != vocab->end(); ++it) {
    ASSIGN_OR_RETURN(uint32_t id, ParseId(it.value(), absl::StrFormat("model.vocab[\"%s\"]", it.key())));
    auto [pos, inserted] = token_of_id.try_emplace(id, it.key());
    if (!inserted) {
      return Invalid("model.vocab", absl::StrFormat("id %d is used by both \"%s\" and \"%s\"", id, pos->second, it.key()));
    }
    spec.vocab.emplace(it.key(), id);
  }

  auto merges = j.find("merges");
  if (merges == j.end() || !merges->is_array()) return Invalid("model.merges", "missing or not an array");
  spec.merges.reserve(merges->size());
  for (size_t i = 0; i < merges->size(); ++i) {
    const json& m = (*merges)[i];
    const std::string path = absl::StrFormat("model.merges[%d]", i);
    if (m.is_string()) {
      const std::string& s = m.get_ref<const std::string&>();
      const size_t space = s.find(' ');
      if (space == std::string::npos || space == 0 || space + 1 == s.size() || s.find(' ', space + 1) != std::string::npos) {
        return Invalid(path, absl::StrFormat("\"%s\" is not of the form \"left right\"", s));
      }
      spec.merges.emplace_back(s.substr(0, space), s.substr(space + 1));
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      spec.merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
    } else {
      return Invalid(path, absl::StrFormat("got %s, want \"left right\" or [left, right]", Describe(m)));
    }
  }
  return absl::OkStatus();
}

absl::Status ParseAddedTokens(const json& j, TokenizerSpec& spec) {
  if (j.is_null()) return absl::OkStatus();
  if (!j.is_array()) return Invalid("added_tokens", absl::StrFormat("got %s, want an array", TypeName(j)));
  for (size_t i = 0; i < j.size(); ++i) {
    const json& t = j[i];
    const std::string path = absl::StrFormat("added_tokens[%d]", i);
    if (!t.is_object()) return Invalid(path, "want an object");
    auto id = t.find("id");
    auto content = t.find("content");
    if (id == t.end()) return Invalid(path, "missing \"id\"");
    if (content == t.end() || !content->is_string() || content->get_ref<const std::string&>().empty()) {
      return Invalid(path, "\"content\" must be a non-empty string");
    }
    AddedTokenSpec added;
    ASSIGN_OR_RETURN(added.id, ParseId(*id, path));
    added.content = content->get<std::string>();
    for (const char* flag : {"single_word", "lstrip", "rstrip"}) {
      if (!AbsentOr(t, flag, false)) {
        return Invalid(path, absl::StrFormat("\"%s\": %s true is not supported", added.content, flag));
      }
    }
    auto special = t.find("special");
    if (special != t.end() && !special->is_null()) {
      if (!special->is_boolean()) return Invalid(path, "\"special\" must be a boolean");
      added.special = special->get<bool>();
    }
    spec.added_tokens.push_back(std::move(added));
  }
  return absl::OkStatus();
}

absl::StatusOr<TokenizerSpec> ParseParsed(const json& root) {
  if (!root.is_object()) return Invalid("root", absl::StrFormat("got %s, want an object", TypeName(root)));
  TokenizerSpec spec;
  auto field = [&](const char* key) -> const json& {
    static const json kNull = nullptr;
    auto it = root.find(key);
    return it == root.end() ? kNull : *it;
  };
  if (!root.contains("model")) return Invalid("model", "missing");
  RETURN_IF_ERROR(ParseNormalizer(field("normalizer"), "normalizer", spec));
  RETURN_IF_ERROR(ParsePreTokenizer(field("pre_tokenizer"), spec));
  RETURN_IF_ERROR(ParseDecoder(field("decoder")));
  RETURN_IF_ERROR(ParseModel(field("model"), spec));
  RETURN_IF_ERROR(ParseAddedTokens(field("added_tokens"), spec));
  return spec;
}

}  // namespace

absl::StatusOr<TokenizerSpec> ParseTokenizerJson(std::string_view text) {
  // nlohmann reports errors as exceptions; they are caught here and never
  // leave this module.
  try {
    const json root = json::parse(text.begin(), text.end());
    return ParseParsed(root);
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrFormat("tokenizer.json is not valid JSON: %s", e.what()));
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError("tokenizer.json: out of memory while parsing");
  }
}

}  // namespace attestd::model
