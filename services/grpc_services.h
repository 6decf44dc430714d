// The gRPC service classes: thin adapters (STYLE.md, tensorflow/serving).
// Each handler authenticates where the service needs it, converts the
// deadline and cancellation, makes one call to the domain class
// (AttestationService, LedgerQueries) and converts the status in one place
// (grpc_status.h). No inference or ledger logic lives here.
//
// Request bodies reach these handlers already parsed, but not by protobuf's
// generated service code: raw_grpc_services.h registers the same methods with
// the raw body and parses it with request_parse.h, because protobuf refuses a
// proto3 string holding invalid UTF-8 and gRPC would then answer INTERNAL
// without saying which field (docs/api.md promises INVALID_ARGUMENT naming
// the field and byte). AdminService requests carry no strings, so
// AdminServiceImpl is registered as generated.
//
// Ownership: every service borrows the objects given to its constructor;
// they must outlive the grpc::Server the service is registered with.
// Thread safety: handlers run concurrently on gRPC's threads; the borrowed
// objects are thread safe, and the Authenticator is swapped atomically.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "attestd/v1/admin.grpc.pb.h"
#include "attestd/v1/inference.grpc.pb.h"
#include "attestd/v1/ledger.grpc.pb.h"
#include "attest/receipt.h"
#include "services/attestation_service.h"
#include "services/auth.h"
#include "services/ledger_queries.h"
#include "services/metrics.h"

namespace attestd::service {

// Holds the current Authenticator; Reload swaps it (SIGHUP / admin call).
class AuthHolder {
 public:
  explicit AuthHolder(std::shared_ptr<const Authenticator> auth) : auth_(std::move(auth)) {}
  std::shared_ptr<const Authenticator> Get() const { return std::atomic_load(&auth_); }
  void Set(std::shared_ptr<const Authenticator> auth) { std::atomic_store(&auth_, std::move(auth)); }

 private:
  std::shared_ptr<const Authenticator> auth_;
};

void ToProto(const Receipt& receipt, const std::string& log_origin, v1::Receipt* out);

class InferenceServiceImpl final : public v1::InferenceService::Service {
 public:
  InferenceServiceImpl(AttestationService* service, const AuthHolder* auth, Metrics* metrics)
      : service_(service), auth_(auth), metrics_(metrics) {}

  grpc::Status Generate(grpc::ServerContext* context, const v1::GenerateRequest* request,
                        v1::GenerateResponse* response) override;
  grpc::Status GenerateStream(grpc::ServerContext* context, const v1::GenerateRequest* request,
                              grpc::ServerWriter<v1::GenerateStreamResponse>* writer) override;
  grpc::Status ListModels(grpc::ServerContext* context, const v1::ListModelsRequest* request,
                          v1::ListModelsResponse* response) override;

 private:
  // Authenticates and runs one request; `on_chunk` may be empty.
  absl::Status Run(grpc::ServerContext* context, const v1::GenerateRequest& request, const ChunkCallback& on_chunk,
                   v1::GenerateResponse* response);

  AttestationService* service_;
  const AuthHolder* auth_;
  Metrics* metrics_;
};

class LedgerServiceImpl final : public v1::LedgerService::Service {
 public:
  explicit LedgerServiceImpl(const LedgerQueries* queries) : queries_(queries) {}

  grpc::Status GetCheckpoint(grpc::ServerContext*, const v1::GetCheckpointRequest* request,
                             v1::GetCheckpointResponse* response) override;
  grpc::Status GetEntry(grpc::ServerContext*, const v1::GetEntryRequest* request,
                        v1::GetEntryResponse* response) override;
  grpc::Status GetInclusionProof(grpc::ServerContext*, const v1::GetInclusionProofRequest* request,
                                 v1::GetInclusionProofResponse* response) override;
  grpc::Status GetConsistencyProof(grpc::ServerContext*, const v1::GetConsistencyProofRequest* request,
                                   v1::GetConsistencyProofResponse* response) override;
  grpc::Status GetReceipt(grpc::ServerContext*, const v1::GetReceiptRequest* request,
                          v1::GetReceiptResponse* response) override;
  grpc::Status ListAnchors(grpc::ServerContext*, const v1::ListAnchorsRequest* request,
                           v1::ListAnchorsResponse* response) override;

 private:
  const LedgerQueries* queries_;
};

class AdminServiceImpl final : public v1::AdminService::Service {
 public:
  // `reload` re-reads the config and returns what changed; `checkpoint`
  // issues one now.
  AdminServiceImpl(const AuthHolder* auth, std::function<absl::StatusOr<std::vector<std::string>>()> reload,
                   std::function<absl::StatusOr<ledger::IssuedCheckpoint>()> checkpoint)
      : auth_(auth), reload_(std::move(reload)), checkpoint_(std::move(checkpoint)) {}

  grpc::Status ReloadConfig(grpc::ServerContext* context, const v1::ReloadConfigRequest*,
                            v1::ReloadConfigResponse* response) override;
  grpc::Status IssueCheckpoint(grpc::ServerContext* context, const v1::IssueCheckpointRequest*,
                               v1::IssueCheckpointResponse* response) override;

 private:
  absl::Status CheckAdmin(grpc::ServerContext* context) const;

  const AuthHolder* auth_;
  std::function<absl::StatusOr<std::vector<std::string>>()> reload_;
  std::function<absl::StatusOr<ledger::IssuedCheckpoint>()> checkpoint_;
};

}  // namespace attestd::service
