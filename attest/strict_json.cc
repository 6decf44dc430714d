#include "attest/strict_json.h"

#include <cmath>
#include <limits>
#include <set>

namespace attestd::json {
namespace {

const char* TypeName(const Json& value) { return value.type_name(); }

absl::Status WrongType(std::string_view field, const Json& value, std::string_view want) {
  return absl::InvalidArgumentError(std::string(field) + ": got JSON " + TypeName(value) + ", want " +
                                    std::string(want));
}

absl::StatusOr<uint64_t> AsUint64(const Json& value, std::string_view field) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_number_integer()) {
    return absl::InvalidArgumentError(std::string(field) + ": got " + value.dump() +
                                      ", want a non-negative integer");
  }
  return WrongType(field, value, "a non-negative integer");
}

absl::StatusOr<uint32_t> AsUint32(const Json& value, std::string_view field) {
  ASSIGN_OR_RETURN(uint64_t v, AsUint64(value, field));
  if (v > std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError(std::string(field) + ": got " + std::to_string(v) +
                                      ", want at most 4294967295");
  }
  return static_cast<uint32_t>(v);
}

}  // namespace

std::string FieldPath(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return std::string(path) + "." + std::string(key);
}

absl::StatusOr<Json> ParseStrict(std::string_view text, std::string_view what) {
  // One set of seen keys per open object, innermost last. A key event always
  // belongs to the innermost open object, arrays in between notwithstanding.
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  auto on_event = [&](int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        open_objects.emplace_back();
        break;
      case Json::parse_event_t::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      case Json::parse_event_t::key:
        if (!open_objects.empty() && !open_objects.back().insert(parsed.get<std::string>()).second &&
            duplicate.empty()) {
          duplicate = parsed.get<std::string>();
        }
        break;
      default:
        break;
    }
    return true;
  };
  Json value;
  try {
    value = Json::parse(text.begin(), text.end(), on_event, /*allow_exceptions=*/true,
                        /*ignore_comments=*/false);
  } catch (const Json::exception& e) {
    return absl::InvalidArgumentError(std::string(what) + ": not valid JSON: " + e.what());
  }
  if (!duplicate.empty()) {
    return absl::InvalidArgumentError(std::string(what) + ": key \"" + duplicate +
                                      "\" appears twice in one object");
  }
  return value;
}

absl::Status CheckObjectKeys(const Json& value, std::string_view path,
                             std::initializer_list<std::string_view> required,
                             std::initializer_list<std::string_view> optional) {
  if (!value.is_object()) return WrongType(path, value, "an object");
  for (std::string_view key : required) {
    if (!value.contains(key)) {
      return absl::InvalidArgumentError(FieldPath(path, key) + ": missing (required)");
    }
  }
  for (const auto& [key, unused] : value.items()) {
    bool known = false;
    for (std::string_view k : required) known = known || k == key;
    for (std::string_view k : optional) known = known || k == key;
    if (!known) return absl::InvalidArgumentError(FieldPath(path, key) + ": unknown field");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> GetString(const Json& object, std::string_view path, std::string_view key) {
  const Json& value = object.at(key);
  if (!value.is_string()) return WrongType(FieldPath(path, key), value, "a string");
  return value.get<std::string>();
}

absl::StatusOr<uint64_t> GetUint64(const Json& object, std::string_view path, std::string_view key) {
  return AsUint64(object.at(key), FieldPath(path, key));
}

absl::StatusOr<uint32_t> GetUint32(const Json& object, std::string_view path, std::string_view key) {
  return AsUint32(object.at(key), FieldPath(path, key));
}

absl::StatusOr<float> GetFloat32(const Json& object, std::string_view path, std::string_view key) {
  const Json& value = object.at(key);
  std::string field = FieldPath(path, key);
  if (!value.is_number()) return WrongType(field, value, "a number");
  double d = value.get<double>();
  if (!std::isfinite(d) || std::fabs(d) > static_cast<double>(std::numeric_limits<float>::max())) {
    return absl::InvalidArgumentError(field + ": got " + value.dump() + ", want a finite binary32 value");
  }
  return static_cast<float>(d);
}

absl::StatusOr<std::vector<std::string>> GetStringArray(const Json& object, std::string_view path,
                                                        std::string_view key) {
  const Json& value = object.at(key);
  std::string field = FieldPath(path, key);
  if (!value.is_array()) return WrongType(field, value, "an array of strings");
  std::vector<std::string> out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string()) {
      return WrongType(field + "[" + std::to_string(i) + "]", value[i], "a string");
    }
    out.push_back(value[i].get<std::string>());
  }
  return out;
}

absl::StatusOr<std::vector<uint32_t>> GetUint32Array(const Json& object, std::string_view path,
                                                     std::string_view key) {
  const Json& value = object.at(key);
  std::string field = FieldPath(path, key);
  if (!value.is_array()) return WrongType(field, value, "an array of integers");
  std::vector<uint32_t> out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    ASSIGN_OR_RETURN(uint32_t v, AsUint32(value[i], field + "[" + std::to_string(i) + "]"));
    out.push_back(v);
  }
  return out;
}

}  // namespace attestd::json
