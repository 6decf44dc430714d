// engineDigest (SPEC "Model and engine identity"): SHA-256 of a canonical,
// human-readable description of everything besides the weights that decides
// the output bits.
//
// The description is exactly these lines, each ending in "\n":
//   attestd-engine-description/v1
//   engine_version=<engine version>
//   numeric_mode=<canonical|device>
//   reduce_spec=<reduction-order spec version>
//   device_class=<device class, empty in canonical mode>
// so `printf '...' | sha256sum` reproduces the digest (docs/receipt-format.md).
// canonical mode promises the same bits on every device, so it names no device
// class; device mode is reproducible only on one device class, so it must.
//
// Thread safety: pure functions, safe to call concurrently.
#pragma once

#include <string>
#include <string_view>

#include "attest/bytes.h"

namespace attestd {

enum class EngineNumericMode { kCanonical, kDevice };

struct EngineDescription {
  std::string engine_version;       // e.g. model::kEngineVersion
  EngineNumericMode numeric_mode = EngineNumericMode::kCanonical;
  std::string reduce_spec_version;  // e.g. model::kReduceSpecVersion
  std::string device_class;         // e.g. "nvidia-sm90"; empty in canonical mode
};

// "canonical" or "device".
std::string_view NumericModeName(EngineNumericMode mode);

// The canonical text above. InvalidArgument when a value is empty (except
// device_class in canonical mode), holds a byte outside printable ASCII
// 0x21..0x7e, or device_class is set in canonical mode / missing in device mode.
[[nodiscard]] absl::StatusOr<std::string> CanonicalEngineDescription(const EngineDescription& description);

// SHA-256 of CanonicalEngineDescription; same errors.
[[nodiscard]] absl::StatusOr<Digest32> EngineDigest(const EngineDescription& description);

}  // namespace attestd
