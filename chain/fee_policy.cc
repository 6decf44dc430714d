#include "chain/fee_policy.h"

#include <algorithm>
#include <string>

namespace attestd::chain {

absl::StatusOr<Fees> ChooseFees(uint64_t next_base_fee, std::optional<uint64_t> suggested_tip,
                                const std::vector<uint64_t>& recent_rewards, const FeeCaps& caps) {
  uint64_t tip = caps.default_tip;
  if (suggested_tip.has_value()) {
    tip = *suggested_tip;
  } else if (!recent_rewards.empty()) {
    std::vector<uint64_t> sorted = recent_rewards;
    std::sort(sorted.begin(), sorted.end());
    tip = sorted[sorted.size() / 2];
  }
  tip = std::min(tip, caps.tip_cap);
  // Saturating arithmetic: a hostile node's base fee must not wrap around.
  auto add = [](uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; };
  const uint64_t floor = add(next_base_fee, tip);
  if (floor > caps.max_fee_cap) {
    return absl::FailedPreconditionError("fees: next base fee " + std::to_string(next_base_fee) + " + tip " +
                                         std::to_string(tip) + " wei/gas exceeds the max fee cap " +
                                         std::to_string(caps.max_fee_cap) + "; not sending");
  }
  Fees out;
  out.max_priority_fee_per_gas = tip;
  out.max_fee_per_gas = std::min(add(add(next_base_fee, next_base_fee), tip), caps.max_fee_cap);
  return out;
}

}  // namespace attestd::chain
