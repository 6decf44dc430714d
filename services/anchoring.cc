#include "services/anchoring.h"

#include "attest/secp256k1_signer.h"

namespace attestd::service {

absl::StatusOr<chain::ExporterConfig> ToExporterConfig(const AnchoringConfig& a) {
  chain::ExporterConfig config;
  config.rpc_url = a.rpc_url;
  ASSIGN_OR_RETURN(config.registry, ParseAddress(a.registry));
  config.chain_id = static_cast<uint64_t>(a.chain_id);
  config.confirmations = static_cast<uint64_t>(a.confirmations);
  config.every_leaves = static_cast<uint64_t>(a.every_leaves);
  config.every_ms = a.every_seconds * 1000;
  config.fees.max_fee_cap = static_cast<uint64_t>(a.max_fee_gwei) * kWeiPerGwei;
  config.fees.tip_cap = static_cast<uint64_t>(a.tip_cap_gwei) * kWeiPerGwei;
  config.poll_interval_ms = a.poll_ms;
  return config;
}

}  // namespace attestd::service
