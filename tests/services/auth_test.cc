#include "services/auth.h"

#include <gtest/gtest.h>

namespace attestd::service {
namespace {

TEST(AuthTest, OpenInferenceWhenNoTokensConfigured) {
  Authenticator auth({}, "");
  EXPECT_TRUE(auth.CheckInference("").ok());
}

TEST(AuthTest, MissingOrWrongTokenIsUnauthenticated) {
  Authenticator auth({"good-token"}, "");
  EXPECT_EQ(auth.CheckInference("").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(auth.CheckInference("Bearer bad-token").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(auth.CheckInference("good-token").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(auth.CheckInference("Bearer good-token").ok());
}

TEST(AuthTest, ErrorNeverEchoesThePresentedToken) {
  Authenticator auth({"good-token"}, "admin-token-0123456789");
  absl::Status s = auth.CheckInference("Bearer leaked-secret");
  EXPECT_EQ(s.message().find("leaked-secret"), std::string_view::npos);
  s = auth.CheckAdmin("Bearer leaked-secret");
  EXPECT_EQ(s.message().find("leaked-secret"), std::string_view::npos);
}

TEST(AuthTest, InferenceTokenIsNotAnAdminToken) {
  Authenticator auth({"good-token"}, "admin-token-0123456789");
  EXPECT_EQ(auth.CheckAdmin("Bearer good-token").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(auth.CheckAdmin("Bearer admin-token-0123456789").ok());
}

TEST(AuthTest, AdminRefusedWhenNoAdminTokenConfigured) {
  Authenticator auth({}, "");
  EXPECT_EQ(auth.CheckAdmin("Bearer anything").code(), absl::StatusCode::kPermissionDenied);
}

TEST(AuthTest, ClientIdentityHidesTheTokenAndStripsThePort) {
  std::string id = Authenticator::ClientIdentity("Bearer secret", "ipv4:127.0.0.1:5555");
  EXPECT_EQ(id.rfind("token:", 0), 0u);
  EXPECT_EQ(id.find("secret"), std::string::npos);
  EXPECT_EQ(Authenticator::ClientIdentity("", "ipv4:127.0.0.1:5555"), "peer:ipv4:127.0.0.1");
  EXPECT_EQ(Authenticator::ClientIdentity("", "ipv4:127.0.0.1:6666"), "peer:ipv4:127.0.0.1");
}

TEST(AuthTest, ConstantTimeEqualsComparesAllBytes) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

}  // namespace
}  // namespace attestd::service
