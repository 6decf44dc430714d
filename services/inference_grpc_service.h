// InferenceGrpcService: what the server registers for attestd.v1.InferenceService.
//
// The generated service has protobuf parse each request before our code
// runs, and a proto3 string holding invalid UTF-8 then fails the call with
// INTERNAL and no message. This service registers the same three methods at
// the same paths (so clients, health checking and reflection see
// attestd.v1.InferenceService unchanged) with the raw request body, parses it
// with ParseGrpcRequest (request_parse.h: INVALID_ARGUMENT naming the field)
// and hands the parsed request to InferenceServiceImpl.
//
// Ownership: borrows `impl`, which must outlive the server. Thread safety:
// as InferenceServiceImpl (every method may run concurrently).
#pragma once

#include <grpcpp/grpcpp.h>

#include "services/grpc_services.h"

namespace attestd::service {

class InferenceGrpcService final : public grpc::Service {
 public:
  explicit InferenceGrpcService(InferenceServiceImpl* impl);
};

}  // namespace attestd::service
