#include "services/grpc_ledger_source.h"

#include <chrono>

#include <grpcpp/client_context.h>

#include "services/grpc_status.h"

namespace attestd::service {
namespace {

constexpr std::chrono::seconds kCallDeadline{30};

absl::StatusOr<std::vector<Digest32>> DecodeHashes(const google::protobuf::RepeatedPtrField<std::string>& hex) {
  std::vector<Digest32> out;
  for (int i = 0; i < hex.size(); ++i) {
    ASSIGN_OR_RETURN(Digest32 h, HexDecodeFixed<32>(hex[i], "proof hash " + std::to_string(i)));
    out.push_back(h);
  }
  return out;
}

void SetDeadline(grpc::ClientContext& ctx) { ctx.set_deadline(std::chrono::system_clock::now() + kCallDeadline); }

}  // namespace

GrpcLedgerSource::GrpcLedgerSource(std::shared_ptr<grpc::Channel> channel)
    : stub_(v1::LedgerService::NewStub(std::move(channel))) {}

absl::StatusOr<LedgerSource::Checkpoint> GrpcLedgerSource::LatestCheckpoint() {
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::GetCheckpointResponse response;
  RETURN_IF_ERROR(FromGrpcStatus(stub_->GetCheckpoint(&ctx, v1::GetCheckpointRequest(), &response)));
  return Checkpoint{response.checkpoint(), response.tree_size(), response.verifier_key()};
}

absl::StatusOr<std::vector<Digest32>> GrpcLedgerSource::InclusionProof(uint64_t index, uint64_t tree_size) {
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::GetInclusionProofRequest request;
  request.set_index(index);
  request.set_tree_size(tree_size);
  v1::GetInclusionProofResponse response;
  RETURN_IF_ERROR(FromGrpcStatus(stub_->GetInclusionProof(&ctx, request, &response)));
  return DecodeHashes(response.hashes());
}

absl::StatusOr<std::vector<Digest32>> GrpcLedgerSource::ConsistencyProof(uint64_t from_size, uint64_t to_size) {
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::GetConsistencyProofRequest request;
  request.set_from_size(from_size);
  request.set_to_size(to_size);
  v1::GetConsistencyProofResponse response;
  RETURN_IF_ERROR(FromGrpcStatus(stub_->GetConsistencyProof(&ctx, request, &response)));
  return DecodeHashes(response.hashes());
}

}  // namespace attestd::service
