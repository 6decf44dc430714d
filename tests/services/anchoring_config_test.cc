// The `anchoring:` section of the attestd config: off by default, parsed
// strictly, and checked as a whole when enabled.
#include <gtest/gtest.h>

#include "services/config.h"

namespace attestd::service {
namespace {

constexpr char kEnabled[] =
    "anchoring:\n"
    "  enabled: true\n"
    "  rpc_url: http://127.0.0.1:8545\n"
    "  registry: \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\n"
    "  chain_id: 31337\n"
    "  keystore: keys/exporter.json\n"
    "  passphrase_file: keys/exporter-pass.txt\n"
    "  every_leaves: 50\n"
    "  every_seconds: 30\n"
    "  confirmations: 3\n"
    "  max_fee_gwei: 40\n"
    "  tip_cap_gwei: 2\n"
    "  poll_ms: 500\n";

TEST(AnchoringConfigTest, OffByDefault) {
  ServerConfig c;
  EXPECT_FALSE(c.anchoring.enabled);
  EXPECT_TRUE(ValidateConfig(c).ok());
  EXPECT_NE(c.Describe().find("anchoring.enabled: false"), std::string::npos) << c.Describe();
}

TEST(AnchoringConfigTest, EveryKeyIsReadFromYaml) {
  auto c = ParseConfigYaml(kEnabled, ServerConfig{});
  ASSERT_TRUE(c.ok()) << c.status();
  const AnchoringConfig& a = c->anchoring;
  EXPECT_TRUE(a.enabled);
  EXPECT_EQ(a.rpc_url, "http://127.0.0.1:8545");
  EXPECT_EQ(a.registry, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
  EXPECT_EQ(a.chain_id, 31337);
  EXPECT_EQ(a.keystore, "keys/exporter.json");
  EXPECT_EQ(a.passphrase_file, "keys/exporter-pass.txt");
  EXPECT_EQ(a.every_leaves, 50);
  EXPECT_EQ(a.every_seconds, 30);
  EXPECT_EQ(a.confirmations, 3);
  EXPECT_EQ(a.max_fee_gwei, 40);
  EXPECT_EQ(a.tip_cap_gwei, 2);
  EXPECT_EQ(a.poll_ms, 500);
}

void ExpectRejected(const std::string& yaml, const std::string& names) {
  auto c = ParseConfigYaml(yaml, ServerConfig{});
  ASSERT_FALSE(c.ok()) << yaml;
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(c.status().message()).find(names), std::string::npos) << c.status();
}

TEST(AnchoringConfigTest, EnabledWithoutTheNodeRegistryChainOrKeyIsRejected) {
  ExpectRejected("anchoring:\n  enabled: true\n", "anchoring.rpc_url");
  std::string text = kEnabled;
  auto without = [&](const std::string& line) {
    std::string t = text;
    t.erase(t.find(line), line.size());
    return t;
  };
  ExpectRejected(without("  registry: \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\n"), "anchoring.registry");
  ExpectRejected(without("  chain_id: 31337\n"), "anchoring.chain_id");
  ExpectRejected(without("  keystore: keys/exporter.json\n"), "anchoring.keystore");
  ExpectRejected(without("  passphrase_file: keys/exporter-pass.txt\n"), "passphrase_file or passphrase_env");
}

TEST(AnchoringConfigTest, MalformedValuesSayGotAndWant) {
  std::string text = kEnabled;
  auto with = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  ExpectRejected(with("0x5FbDB2315678afecb367f032d93F642f64180aa3", "0x5FbDB2315678afecb367f032d93F642f64180aa"),
                 "want 0x + 40 hex digits");
  ExpectRejected(with("0x5FbDB2315678afecb367f032d93F642f64180aa3", "0x5FbDB2315678afecb367f032d93F642f64180aaZ"),
                 "anchoring.registry");
  ExpectRejected(with("confirmations: 3", "confirmations: 0"), "anchoring.confirmations: got 0");
  ExpectRejected(with("every_leaves: 50", "every_leaves: -1"), "anchoring.every_leaves: got -1");
  ExpectRejected(with("enabled: true", "enabled: maybe"), "anchoring.enabled");
  ExpectRejected(with("tip_cap_gwei: 2", "tip_cap_gwei: 41"), "want <= max_fee_gwei 40");
  ExpectRejected(text + "  gas_price: 3\n", "anchoring.gas_price");
}

TEST(AnchoringConfigTest, DisabledSectionNeedsNothingElse) {
  auto c = ParseConfigYaml("anchoring:\n  enabled: false\n  every_leaves: 10\n", ServerConfig{});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->anchoring.enabled);
  EXPECT_EQ(c->anchoring.every_leaves, 10);
}

TEST(AnchoringConfigTest, DiffReportsAnAnchoringChange) {
  auto a = ParseConfigYaml(kEnabled, ServerConfig{});
  ASSERT_TRUE(a.ok()) << a.status();
  ServerConfig b = *a;
  b.anchoring.every_leaves = 51;
  auto changes = DiffConfig(*a, b);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0], "anchoring.every_leaves: 50 -> 51");
}

}  // namespace
}  // namespace attestd::service
