#include "services/raw_grpc_services.h"

#include <grpcpp/impl/codegen/method_handler.h>
#include <grpcpp/impl/codegen/rpc_service_method.h>

#include "services/grpc_status.h"
#include "services/request_parse.h"

namespace attestd::service {

// The handler types generated code uses, with the raw body as the request.
template <class Impl, class Request, class Response>
void RawRequestService::AddUnary(const char* path, Impl* impl,
                                 grpc::Status (Impl::*method)(grpc::ServerContext*, const Request*, Response*)) {
  using Handler =
      grpc::internal::RpcMethodHandler<Impl, grpc::ByteBuffer, Response, grpc::ByteBuffer, grpc::protobuf::MessageLite>;
  AddMethod(new grpc::internal::RpcServiceMethod(
      path, grpc::internal::RpcMethod::NORMAL_RPC,
      new Handler(
          [method](Impl* service, grpc::ServerContext* context, const grpc::ByteBuffer* body, Response* response) {
            Request request;
            absl::Status parsed = ParseGrpcRequest(*body, &request);
            if (!parsed.ok()) return ToGrpcStatus(parsed);
            return (service->*method)(context, &request, response);
          },
          impl)));
}

template <class Impl, class Request, class Response>
void RawRequestService::AddServerStreaming(
    const char* path, Impl* impl,
    grpc::Status (Impl::*method)(grpc::ServerContext*, const Request*, grpc::ServerWriter<Response>*)) {
  using Handler = grpc::internal::ServerStreamingHandler<Impl, grpc::ByteBuffer, Response>;
  AddMethod(new grpc::internal::RpcServiceMethod(
      path, grpc::internal::RpcMethod::SERVER_STREAMING,
      new Handler(
          [method](Impl* service, grpc::ServerContext* context, const grpc::ByteBuffer* body,
                   grpc::ServerWriter<Response>* writer) {
            Request request;
            absl::Status parsed = ParseGrpcRequest(*body, &request);
            if (!parsed.ok()) return ToGrpcStatus(parsed);
            return (service->*method)(context, &request, writer);
          },
          impl)));
}

// Method paths as proto/attestd/v1/*.proto declare them; the e2e tests call
// every one, and tests/services/reflection_check.py compares them with the
// descriptors.
InferenceGrpcService::InferenceGrpcService(InferenceServiceImpl* impl) {
  AddUnary("/attestd.v1.InferenceService/Generate", impl, &InferenceServiceImpl::Generate);
  AddServerStreaming("/attestd.v1.InferenceService/GenerateStream", impl, &InferenceServiceImpl::GenerateStream);
  AddUnary("/attestd.v1.InferenceService/ListModels", impl, &InferenceServiceImpl::ListModels);
}

LedgerGrpcService::LedgerGrpcService(LedgerServiceImpl* impl) {
  AddUnary("/attestd.v1.LedgerService/GetCheckpoint", impl, &LedgerServiceImpl::GetCheckpoint);
  AddUnary("/attestd.v1.LedgerService/GetEntry", impl, &LedgerServiceImpl::GetEntry);
  AddUnary("/attestd.v1.LedgerService/GetInclusionProof", impl, &LedgerServiceImpl::GetInclusionProof);
  AddUnary("/attestd.v1.LedgerService/GetConsistencyProof", impl, &LedgerServiceImpl::GetConsistencyProof);
  AddUnary("/attestd.v1.LedgerService/GetReceipt", impl, &LedgerServiceImpl::GetReceipt);
  AddUnary("/attestd.v1.LedgerService/ListAnchors", impl, &LedgerServiceImpl::ListAnchors);
}

}  // namespace attestd::service
