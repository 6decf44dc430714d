#include "attest/engine_digest.h"

#include "attest/sha256.h"

namespace attestd {
namespace {

// Printable ASCII without space keeps one value per line and unambiguous.
absl::Status CheckValue(std::string_view field, std::string_view value, bool may_be_empty) {
  if (value.empty() && !may_be_empty) return absl::InvalidArgumentError(std::string(field) + ": empty");
  for (size_t i = 0; i < value.size(); ++i) {
    auto c = static_cast<unsigned char>(value[i]);
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(std::string(field) + ": byte 0x" + HexEncode(ByteSpan(&c, 1)) +
                                        " at offset " + std::to_string(i) +
                                        ", want printable ASCII without spaces");
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view NumericModeName(EngineNumericMode mode) {
  return mode == EngineNumericMode::kDevice ? "device" : "canonical";
}

absl::StatusOr<std::string> CanonicalEngineDescription(const EngineDescription& d) {
  RETURN_IF_ERROR(CheckValue("engine_version", d.engine_version, false));
  RETURN_IF_ERROR(CheckValue("reduce_spec", d.reduce_spec_version, false));
  bool device = d.numeric_mode == EngineNumericMode::kDevice;
  RETURN_IF_ERROR(CheckValue("device_class", d.device_class, !device));
  if (!device && !d.device_class.empty()) {
    return absl::InvalidArgumentError("device_class: got \"" + d.device_class +
                                      "\", want empty in canonical mode (its bits do not depend on the device)");
  }
  std::string out = "attestd-engine-description/v1\n";
  out += "engine_version=" + d.engine_version + "\n";
  out += "numeric_mode=" + std::string(NumericModeName(d.numeric_mode)) + "\n";
  out += "reduce_spec=" + d.reduce_spec_version + "\n";
  out += "device_class=" + d.device_class + "\n";
  return out;
}

absl::StatusOr<Digest32> EngineDigest(const EngineDescription& description) {
  ASSIGN_OR_RETURN(std::string text, CanonicalEngineDescription(description));
  return Sha256(text);
}

}  // namespace attestd
