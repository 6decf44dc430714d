// The gRPC services the server registers for attestd.v1.InferenceService and
// attestd.v1.LedgerService.
//
// A generated service has protobuf parse each request before our code runs,
// and a proto3 string holding invalid UTF-8 then fails the call with
// INTERNAL and no message. These services register the same methods at the
// same paths (so clients, health checking and reflection see the services as
// the .proto declares them) with the raw request body, parse it with
// ParseGrpcRequest (request_parse.h: INVALID_ARGUMENT naming the field and
// byte) and hand the parsed request to the *ServiceImpl that does the work.
//
// Ownership: each borrows its impl, which must outlive the server. Thread
// safety: as the impl (every method may run concurrently).
#pragma once

#include <grpcpp/grpcpp.h>

#include "services/grpc_services.h"

namespace attestd::service {

// Registers methods whose handlers parse the raw body first.
class RawRequestService : public grpc::Service {
 protected:
  template <class Impl, class Request, class Response>
  void AddUnary(const char* path, Impl* impl,
                grpc::Status (Impl::*method)(grpc::ServerContext*, const Request*, Response*));
  template <class Impl, class Request, class Response>
  void AddServerStreaming(const char* path, Impl* impl,
                          grpc::Status (Impl::*method)(grpc::ServerContext*, const Request*,
                                                       grpc::ServerWriter<Response>*));
};

class InferenceGrpcService final : public RawRequestService {
 public:
  explicit InferenceGrpcService(InferenceServiceImpl* impl);
};

class LedgerGrpcService final : public RawRequestService {
 public:
  explicit LedgerGrpcService(LedgerServiceImpl* impl);
};

}  // namespace attestd::service
