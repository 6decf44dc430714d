// LedgerSource (verify/ledger_source.h) over attestd's LedgerService: the
// client side of the gRPC adapter, for `attest receipt verify --server` and
// tests. It only fetches and decodes; verify/ checks every answer.
//
// Each call has a 30 s deadline. Errors: the RPC's status converted by
// grpc_status.h (NotFound from GetCheckpoint when the log has no checkpoint
// yet); InvalidArgument naming the hash for a proof hash that is not 64 hex
// digits.
//
// Ownership: shares the channel. Thread safety: each call makes its own
// context; safe to call concurrently.
#pragma once

#include <memory>

#include <grpcpp/channel.h>

#include "attestd/v1/ledger.grpc.pb.h"
#include "verify/ledger_source.h"

namespace attestd::service {

class GrpcLedgerSource final : public LedgerSource {
 public:
  explicit GrpcLedgerSource(std::shared_ptr<grpc::Channel> channel);

  [[nodiscard]] absl::StatusOr<Checkpoint> LatestCheckpoint() override;
  [[nodiscard]] absl::StatusOr<std::vector<Digest32>> InclusionProof(uint64_t index, uint64_t tree_size) override;
  [[nodiscard]] absl::StatusOr<std::vector<Digest32>> ConsistencyProof(uint64_t from_size, uint64_t to_size) override;

 private:
  std::unique_ptr<v1::LedgerService::Stub> stub_;
};

}  // namespace attestd::service
