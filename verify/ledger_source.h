// What an auditor asks of a log it does not trust. Every answer is checked by
// the caller in verify/ (signatures, RFC 9162 proofs) before it is believed,
// so an implementation only fetches and decodes: services/cli/server_verify.h
// asks attestd's LedgerService over gRPC; tests answer from a local store.
//
// Thread safety: the implementer's to state; verify/ calls one source from
// one thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "attest/bytes.h"
#include "base/status.h"

namespace attestd {

class LedgerSource {
 public:
  struct Checkpoint {
    std::string note;          // the signed checkpoint note, as served
    uint64_t tree_size = 0;    // the size the server says the note is for
    std::string verifier_key;  // the note verifier key the server reports
  };

  virtual ~LedgerSource() = default;
  // The newest signed checkpoint. NotFound when the log has issued none.
  [[nodiscard]] virtual absl::StatusOr<Checkpoint> LatestCheckpoint() = 0;
  // RFC 9162 inclusion proof of leaf `index` in the tree of `tree_size` leaves.
  [[nodiscard]] virtual absl::StatusOr<std::vector<Digest32>> InclusionProof(uint64_t index, uint64_t tree_size) = 0;
  // RFC 9162 consistency proof from `from_size` to `to_size`.
  [[nodiscard]] virtual absl::StatusOr<std::vector<Digest32>> ConsistencyProof(uint64_t from_size,
                                                                               uint64_t to_size) = 0;
};

}  // namespace attestd
