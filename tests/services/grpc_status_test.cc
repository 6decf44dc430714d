#include "services/grpc_status.h"

#include <gtest/gtest.h>

namespace attestd::service {
namespace {

TEST(GrpcStatusTest, CodeAndMessageSurviveTheRoundTrip) {
  for (int code = 0; code <= 16; ++code) {
    absl::Status s(static_cast<absl::StatusCode>(code), code == 0 ? "" : "got 1, want 2");
    grpc::Status g = ToGrpcStatus(s);
    EXPECT_EQ(static_cast<int>(g.error_code()), code);
    EXPECT_EQ(FromGrpcStatus(g), s);
  }
}

TEST(GrpcStatusTest, InvalidArgumentMapsToInvalidArgument) {
  EXPECT_EQ(ToGrpcStatus(absl::InvalidArgumentError("x")).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ToGrpcStatus(absl::UnauthenticatedError("x")).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace attestd::service
