#include "services/inference_grpc_service.h"

#include <grpcpp/impl/codegen/method_handler.h>
#include <grpcpp/impl/codegen/rpc_service_method.h>

#include "services/grpc_status.h"
#include "services/request_parse.h"

namespace attestd::service {
namespace {

// The method paths of attestd.v1.InferenceService (proto/attestd/v1/inference.proto).
constexpr char kGenerate[] = "/attestd.v1.InferenceService/Generate";
constexpr char kGenerateStream[] = "/attestd.v1.InferenceService/GenerateStream";
constexpr char kListModels[] = "/attestd.v1.InferenceService/ListModels";

// The handler types the generated code uses, with the raw body as request.
template <class Response>
using RawUnaryHandler =
    grpc::internal::RpcMethodHandler<InferenceServiceImpl, grpc::ByteBuffer, Response, grpc::ByteBuffer,
                                     grpc::protobuf::MessageLite>;
template <class Response>
using RawServerStreamingHandler = grpc::internal::ServerStreamingHandler<InferenceServiceImpl, grpc::ByteBuffer, Response>;

}  // namespace

InferenceGrpcService::InferenceGrpcService(InferenceServiceImpl* impl) {
  AddMethod(new grpc::internal::RpcServiceMethod(
      kGenerate, grpc::internal::RpcMethod::NORMAL_RPC,
      new RawUnaryHandler<v1::GenerateResponse>(
          [](InferenceServiceImpl* service, grpc::ServerContext* context, const grpc::ByteBuffer* body,
             v1::GenerateResponse* response) {
            v1::GenerateRequest request;
            absl::Status parsed = ParseGrpcRequest(*body, &request);
            if (!parsed.ok()) return ToGrpcStatus(parsed);
            return service->Generate(context, &request, response);
          },
          impl)));
  AddMethod(new grpc::internal::RpcServiceMethod(
      kGenerateStream, grpc::internal::RpcMethod::SERVER_STREAMING,
      new RawServerStreamingHandler<v1::GenerateStreamResponse>(
          [](InferenceServiceImpl* service, grpc::ServerContext* context, const grpc::ByteBuffer* body,
             grpc::ServerWriter<v1::GenerateStreamResponse>* writer) {
            v1::GenerateRequest request;
            absl::Status parsed = ParseGrpcRequest(*body, &request);
            if (!parsed.ok()) return ToGrpcStatus(parsed);
            return service->GenerateStream(context, &request, writer);
          },
          impl)));
  AddMethod(new grpc::internal::RpcServiceMethod(
      kListModels, grpc::internal::RpcMethod::NORMAL_RPC,
      new RawUnaryHandler<v1::ListModelsResponse>(
          [](InferenceServiceImpl* service, grpc::ServerContext* context, const grpc::ByteBuffer* body,
             v1::ListModelsResponse* response) {
            v1::ListModelsRequest request;
            absl::Status parsed = ParseGrpcRequest(*body, &request);
            if (!parsed.ok()) return ToGrpcStatus(parsed);
            return service->ListModels(context, &request, response);
          },
          impl)));
}

}  // namespace attestd::service
