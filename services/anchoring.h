// The chain exporter's settings from the `anchoring:` section of the config
// (services/config.h, docs/anchoring.md), for both places that run an
// exporter: attestd's own thread and `attest export`. The one place where
// config units become the exporter's: gwei to wei, seconds to milliseconds.
//
// Thread safety: a pure function.
#pragma once

#include <cstdint>

#include "base/status.h"
#include "chain/exporter.h"
#include "services/config.h"

namespace attestd::service {

inline constexpr uint64_t kWeiPerGwei = 1'000'000'000;

// InvalidArgument when `anchoring.registry` is not an address. Ranges are
// ValidateConfig's (and the CLI's flag checks'); the key is not loaded here.
[[nodiscard]] absl::StatusOr<chain::ExporterConfig> ToExporterConfig(const AnchoringConfig& anchoring);

}  // namespace attestd::service
