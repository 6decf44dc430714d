// ParseRequestBytes: a request body protobuf refuses gets INVALID_ARGUMENT
// naming the field (gRPC alone would answer INTERNAL with no message).
#include "services/request_parse.h"

#include <gtest/gtest.h>

#include "attestd/v1/inference.pb.h"

namespace attestd::service {
namespace {

// Serialises `request` with every "XX" in its strings turned into the
// invalid UTF-8 pair 0xff 0xfe (protobuf will not serialise invalid UTF-8
// itself without complaint; patching the bytes is what a hostile client does).
std::string WithInvalidUtf8(const v1::GenerateRequest& request) {
  std::string bytes = request.SerializeAsString();
  for (size_t at = bytes.find("XX"); at != std::string::npos; at = bytes.find("XX", at)) bytes.replace(at, 2, "\xff\xfe");
  return bytes;
}

v1::GenerateRequest ValidRequest() {
  v1::GenerateRequest r;
  r.set_model("tiny-qwen2");
  r.set_max_tokens(4);
  return r;
}

TEST(RequestParseTest, InvalidUtf8InThePromptNamesThePromptAndTheByte) {
  v1::GenerateRequest r = ValidRequest();
  r.set_prompt("bad XX utf8");
  v1::GenerateRequest out;
  absl::Status s = ParseRequestBytes(WithInvalidUtf8(r), &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ(std::string(s.message()), "prompt: invalid UTF-8 at byte offset 4 (byte 0xFF)");
}

TEST(RequestParseTest, InvalidUtf8InTheSecondChatMessageNamesItsIndexAndField) {
  v1::GenerateRequest r = ValidRequest();
  auto* first = r.add_messages();
  first->set_role("user");
  first->set_content("fine");
  auto* second = r.add_messages();
  second->set_role("user");
  second->set_content("XX");
  v1::GenerateRequest out;
  absl::Status s = ParseRequestBytes(WithInvalidUtf8(r), &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ(std::string(s.message()), "messages[1].content: invalid UTF-8 at byte offset 0 (byte 0xFF)");
}

TEST(RequestParseTest, InvalidUtf8InAStopStringNamesItsIndex) {
  v1::GenerateRequest r = ValidRequest();
  r.set_prompt("hello");
  r.add_stop("ok");
  r.add_stop("sXX");
  v1::GenerateRequest out;
  absl::Status s = ParseRequestBytes(WithInvalidUtf8(r), &out);
  EXPECT_EQ(std::string(s.message()), "stop[1]: invalid UTF-8 at byte offset 1 (byte 0xFF)") << s;
}

TEST(RequestParseTest, TruncatedBodyIsInvalidArgumentNamingTheMessageType) {
  v1::GenerateRequest r = ValidRequest();
  r.set_prompt("a prompt long enough to cut");
  std::string bytes = r.SerializeAsString();
  bytes.resize(bytes.size() - 3);
  v1::GenerateRequest out;
  absl::Status s = ParseRequestBytes(bytes, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ(std::string(s.message()), "request: not a valid attestd.v1.GenerateRequest encoding");
}

TEST(RequestParseTest, ValidBodyParsesToTheSameMessage) {
  v1::GenerateRequest r = ValidRequest();
  r.set_prompt("héllo 👋");
  r.add_stop("\n");
  r.mutable_sampling()->set_temperature(0.5f);
  v1::GenerateRequest out;
  ASSERT_TRUE(ParseRequestBytes(r.SerializeAsString(), &out).ok());
  EXPECT_EQ(out.SerializeAsString(), r.SerializeAsString());
}

}  // namespace
}  // namespace attestd::service
