// Parsing gRPC request bodies with errors that name the bad field.
//
// protobuf refuses to parse a proto3 `string` field that holds invalid
// UTF-8, and gRPC then answers INTERNAL with an empty message before any of
// our code runs. Services registered through RawRequestService (see
// services/raw_grpc_services.h) receive the raw body instead and parse
// it here, so such a request gets INVALID_ARGUMENT saying which field holds
// what: "messages[1].content: invalid UTF-8 at byte offset 3 (byte 0xFF)".
//
// Thread safety: pure functions.
#pragma once

#include <grpcpp/support/byte_buffer.h>

#include <string_view>

#include "base/status.h"
#include "google/protobuf/message.h"

namespace attestd::service {

// Parses `body` into `out` (cleared first). InvalidArgument on failure:
// "<field path>: <what is wrong>" for a string field with invalid UTF-8
// (nested messages and repeated fields as "a.b[2].c"), otherwise
// "request: not a valid <message type> encoding".
[[nodiscard]] absl::Status ParseRequestBytes(std::string_view body, google::protobuf::Message* out);
[[nodiscard]] absl::Status ParseGrpcRequest(const grpc::ByteBuffer& body, google::protobuf::Message* out);

}  // namespace attestd::service
