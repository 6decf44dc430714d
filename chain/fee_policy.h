// Choosing EIP-1559 fees for an anchor, within the operator's caps.
//
//   tip     = min(suggested tip (eth_maxPriorityFeePerGas, else the median
//             reward of recent blocks, else default_tip), tip_cap)
//   max fee = 2 * next base fee + tip   (survives ~6 full blocks of base-fee
//             growth at 12.5% each), lowered to max_fee_cap if above it.
// If even next base fee + tip exceeds max_fee_cap, nothing is sent: the
// result is FailedPrecondition naming the base fee, the tip and the cap, so an
// operator sees why anchors are waiting. Thread safety: pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/status.h"

namespace attestd::chain {

struct FeeCaps {
  uint64_t max_fee_cap = 200'000'000'000;  // 200 gwei
  uint64_t tip_cap = 5'000'000'000;        // 5 gwei
  uint64_t default_tip = 1'000'000'000;    // 1 gwei, when the node suggests none
};

struct Fees {
  uint64_t max_fee_per_gas = 0;
  uint64_t max_priority_fee_per_gas = 0;
};

[[nodiscard]] absl::StatusOr<Fees> ChooseFees(uint64_t next_base_fee, std::optional<uint64_t> suggested_tip,
                                              const std::vector<uint64_t>& recent_rewards, const FeeCaps& caps);

}  // namespace attestd::chain
