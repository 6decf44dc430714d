// The anchor step of receipt verification, behind `attest receipt verify
// --rpc URL --registry ADDR`: is the leaf of a receipt whose offline checks
// passed (verify/receipt_verifier.h) under a root the AnchorRegistry holds?
//
//   1. The receipt's own checkpoint is anchored (rootAt(logId, size) is its
//      root), or
//   2. a larger tree is: the registry's newest anchored size covers the leaf,
//      the log (a LedgerSource) proves the leaf's inclusion at that size, and
//      the proof is checked against the root the registry holds, never the
//      server's word for it.
//
// Thread safety: as EthClient (one per thread).
#pragma once

#include <cstdint>
#include <string>

#include "attest/bytes.h"
#include "attest/receipt.h"
#include "base/status.h"
#include "chain/eth_client.h"
#include "chain/onchain_verify.h"
#include "verify/ledger_source.h"

namespace attestd {

struct AnchorEvidence {
  // "checkpoint N anchored" or "leaf I included in anchored size M".
  std::string how;
  chain::OnChainAnchor anchor;
};

// `log` may be null: then only step 1 can succeed. Errors: InvalidArgument
// for a receipt without an inclusion proof or a malformed checkpoint;
// FailedPrecondition ("not anchored: ...") or Unauthenticated (the chain
// holds another root, or the leaf is not in the anchored one): not anchored;
// Unavailable when the node or the log cannot be reached.
[[nodiscard]] absl::StatusOr<AnchorEvidence> VerifyReceiptAnchored(const Receipt& receipt, chain::EthClient& eth,
                                                                   const Address20& registry,
                                                                   const chain::AnchoredEventSearch& search,
                                                                   LedgerSource* log);

}  // namespace attestd
