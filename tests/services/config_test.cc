#include "services/config.h"

#include <gtest/gtest.h>

namespace attestd::service {
namespace {

TEST(ConfigTest, EmbeddedDefaultsAreValidWithoutAFile) {
  ServerConfig c;
  EXPECT_TRUE(ValidateConfig(c).ok());
  EXPECT_EQ(c.listen.rfind("127.0.0.1:", 0), 0u) << "defaults must bind loopback only";
}

TEST(ConfigTest, YamlOverlaysOnlyTheKeysItNames) {
  auto c = ParseConfigYaml("listen: 127.0.0.1:6000\nlimits:\n  max_tokens: 64\nmodels: [a, b]\n", ServerConfig{});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->listen, "127.0.0.1:6000");
  EXPECT_EQ(c->limits.max_tokens, 64);
  EXPECT_EQ(c->limits.max_queue, Limits{}.max_queue);
  EXPECT_EQ(c->model_dirs, (std::vector<std::string>{"a", "b"}));
}

TEST(ConfigTest, BackendIsSetGloballyAndPerModelByName) {
  auto c = ParseConfigYaml("backend: cuda\nmodel_backends: {demo: cpu}\nmodels: [m/demo, m/other]\n", ServerConfig{});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(BackendOf(*c, "demo"), "cpu");
  EXPECT_EQ(BackendOf(*c, "other"), "cuda");
  EXPECT_EQ(BackendOf(ServerConfig{}, "demo"), "cpu") << "the CPU is the default";
  const std::string text = c->Describe();
  EXPECT_NE(text.find("backend: cuda"), std::string::npos) << text;
  EXPECT_NE(text.find("model_backends: demo=cpu"), std::string::npos) << text;
  EXPECT_FALSE(ParseConfigYaml("model_backends: [cuda]\n", ServerConfig{}).ok());
}

TEST(ConfigTest, UnknownKeyIsRejectedByName) {
  auto c = ParseConfigYaml("limits:\n  max_tokenz: 3\n", ServerConfig{});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("limits.max_tokenz"), std::string_view::npos) << c.status();
}

TEST(ConfigTest, OutOfRangeLimitSaysGotAndWant) {
  auto c = ParseConfigYaml("limits: {max_tokens: -1}\n", ServerConfig{});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("got -1"), std::string_view::npos) << c.status();
}

TEST(ConfigTest, MaxBatchDefaultsToEightAndRefusesZero) {
  EXPECT_EQ(Limits{}.max_batch, 8);
  auto c = ParseConfigYaml("limits: {max_batch: 1}\n", ServerConfig{});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->limits.max_batch, 1);
  auto zero = ParseConfigYaml("limits: {max_batch: 0}\n", ServerConfig{});
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.status().message().find("limits.max_batch"), std::string_view::npos) << zero.status();
  EXPECT_NE(zero.status().message().find("got 0"), std::string_view::npos) << zero.status();
  std::vector<std::string> diff = DiffConfig(ServerConfig{}, *c);
  ASSERT_EQ(diff.size(), 1u);
  EXPECT_EQ(diff[0], "limits.max_batch: 8 -> 1");
}

TEST(ConfigTest, PrefillChunkAcceptsZeroForWholePromptsAndRefusesNegative) {
  EXPECT_EQ(Limits{}.prefill_chunk, 128);
  auto whole = ParseConfigYaml("limits: {prefill_chunk: 0}\n", ServerConfig{});
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(whole->limits.prefill_chunk, 0);
  EXPECT_EQ(DiffConfig(ServerConfig{}, *whole), std::vector<std::string>{"limits.prefill_chunk: 128 -> 0"});
  auto negative = ParseConfigYaml("limits: {prefill_chunk: -8}\n", ServerConfig{});
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("limits.prefill_chunk"), std::string_view::npos) << negative.status();
}

TEST(ConfigTest, NonIntegerLimitIsRejected) {
  EXPECT_FALSE(ParseConfigYaml("limits: {max_queue: lots}\n", ServerConfig{}).ok());
}

TEST(ConfigTest, MalformedYamlIsInvalidArgument) {
  auto c = ParseConfigYaml("listen: [unclosed\n", ServerConfig{});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ConfigTest, TlsKeyWithoutCertIsRejected) {
  EXPECT_FALSE(ParseConfigYaml("tls: {key_file: k.pem}\n", ServerConfig{}).ok());
  EXPECT_FALSE(ParseConfigYaml("tls: {client_ca_file: ca.pem}\n", ServerConfig{}).ok());
}

TEST(ConfigTest, DescribeAndDiffNeverPrintSecrets) {
  ServerConfig a;
  auto b = ParseConfigYaml("auth: {admin_token: s3cr3t-admin-token-xyz, inference_tokens: [tok-abc-123]}\n", a);
  ASSERT_TRUE(b.ok()) << b.status();
  std::string text = b->Describe();
  for (const auto& line : DiffConfig(a, *b)) text += line;
  EXPECT_EQ(text.find("s3cr3t"), std::string::npos);
  EXPECT_EQ(text.find("tok-abc"), std::string::npos);
  EXPECT_FALSE(DiffConfig(a, *b).empty());
}

TEST(ConfigTest, MissingFileIsNotFound) {
  EXPECT_EQ(LoadConfigFile("no/such/attestd.yaml", ServerConfig{}).status().code(), absl::StatusCode::kNotFound);
}

// Flags come from the same table as the YAML keys: each names a key that
// Describe() prints, and takes exactly that key's values.
TEST(ConfigTest, EveryFlagIsAConfigKeyThatDescribePrints) {
  const std::string described = ServerConfig{}.Describe();
  ASSERT_FALSE(ConfigFlags().empty());
  for (const ConfigFlag& flag : ConfigFlags()) {
    EXPECT_EQ(flag.flag.substr(0, 2), "--") << flag.key;
    EXPECT_NE(described.find(std::string(flag.key) + ": "), std::string::npos) << flag.key;
  }
}

TEST(ConfigTest, FlagValuesGoThroughTheKeysParserAndRange) {
  ServerConfig c;
  ASSERT_TRUE(ApplyConfigFlag("limits.max_batch", {"3"}, c).ok());
  EXPECT_EQ(c.limits.max_batch, 3);
  absl::Status zero = ApplyConfigFlag("limits.max_batch", {"0"}, c);
  EXPECT_EQ(zero.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(zero.message().find("limits.max_batch: got 0"), std::string_view::npos) << zero;
  EXPECT_EQ(c.limits.max_batch, 3) << "a refused value leaves the setting as it was";
  EXPECT_EQ(ApplyConfigFlag("engine_threads", {"two"}, c).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(ApplyConfigFlag("metrics_listen", {""}, c).ok());
  EXPECT_EQ(c.metrics_listen, "");
}

TEST(ConfigTest, RepeatedModelFlagReplacesTheListAndKeysWithoutAFlagAreRefused) {
  ServerConfig c;
  ASSERT_TRUE(ApplyConfigFlag("models", {"a", "b"}, c).ok());
  EXPECT_EQ(c.model_dirs, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ApplyConfigFlag("auth.admin_token", {"0123456789abcdef"}, c).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace attestd::service
