// The auditor's on-chain check: does the AnchorRegistry hold the root of a
// checkpoint, directly or through a consistency proof to a larger anchored
// tree? And which transaction and block anchored it?
//
// Thread safety: as EthClient (one per thread).
// Failure behaviour: Unavailable when the node cannot be reached;
// verification failures are FailedPrecondition ("not anchored: ...") or
// Unauthenticated (the registry holds a DIFFERENT root at that size, or the
// consistency proof does not connect the two roots); InvalidArgument for
// malformed inputs.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "attest/bytes.h"
#include "chain/eth_client.h"

namespace attestd::chain {

struct OnChainAnchor {
  uint64_t tree_size = 0;   // the anchored size (>= the checkpoint's size)
  Digest32 root;            // the root the registry holds at tree_size
  // Where it was anchored, when the Anchored(logId, tree_size, root) event
  // was found. The verification rests on rootAt alone; the event only
  // reports the transaction, so not finding it (a node that prunes logs or
  // refuses the range) leaves the anchor verified and says why here.
  bool event_located = false;
  Digest32 tx_hash;
  uint64_t block_number = 0;
  Digest32 block_hash;
  std::string event_not_located;  // why, when !event_located
};

// Where to look for the Anchored event: eth_getLogs from the newest block
// back to `from_block`, `window_blocks` blocks per call (public nodes cap
// the range of one call, commonly at 10,000 blocks or fewer).
struct AnchoredEventSearch {
  uint64_t from_block = 0;  // e.g. the registry's deployment block
  uint64_t window_blocks = 10'000;
};

// A larger anchored tree and the RFC 9162 consistency proof to it (from the
// file export's "coveredBy").
struct CoveringAnchor {
  uint64_t tree_size = 0;
  std::vector<Digest32> consistency_proof;
};

// Checks rootAt(log_id, size) == root, or, with `cover`, that the registry
// holds a root R2 at cover->tree_size and the proof shows (size, root) is a
// prefix of (cover->tree_size, R2). Then looks for the Anchored event as
// `search` says, newest blocks first, to report the transaction and block.
[[nodiscard]] absl::StatusOr<OnChainAnchor> VerifyRootOnChain(EthClient& eth, const Address20& registry,
                                                              const Digest32& log_id, uint64_t size,
                                                              const Digest32& root,
                                                              const std::optional<CoveringAnchor>& cover,
                                                              const AnchoredEventSearch& search = {});

}  // namespace attestd::chain
