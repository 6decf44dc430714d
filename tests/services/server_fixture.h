// A real attestd server on 127.0.0.1 (ephemeral port) in this process, over a
// temporary folder holding a synthetic tiny model, dev keys and a ledger.
#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "attestd/v1/admin.grpc.pb.h"
#include "attestd/v1/inference.grpc.pb.h"
#include "attestd/v1/ledger.grpc.pb.h"
#include "model/synth_model.h"
#include "services/dev_keys.h"
#include "services/server.h"
#include "tests/testing/temp_dir.h"

namespace attestd::service::testing {

inline constexpr char kInferenceToken[] = "test-inference-token";
inline constexpr char kAdminToken[] = "test-admin-token-0123456789";

using ::attestd::testing::TempDir;

// Writes the model and keys under `root` (once) and returns a config using them.
inline ServerConfig MakeTestConfig(const std::string& root) {
  ServerConfig c;
  c.listen = "127.0.0.1:0";
  c.metrics_listen = "127.0.0.1:0";
  c.model_dirs = {root + "/models/tiny-qwen2"};
  c.ledger_dir = root + "/ledger";
  c.digest_cache_dir = root + "/digest-cache";
  c.checkpoint_interval_ms = 3600000;  // tests issue checkpoints explicitly
  c.keys.attestor_keystore = root + "/keys/attestor.json";
  c.keys.attestor_passphrase_file = root + "/keys/DEV-ONLY-passphrase.txt";
  c.keys.log_key_file = root + "/keys/log-ed25519.pem";
  c.auth.inference_tokens = {kInferenceToken};
  c.auth.admin_token = kAdminToken;
  if (!std::filesystem::exists(c.model_dirs[0] + "/config.json")) {
    model::SynthOptions synth;
    synth.family = model::ModelFamily::kQwen2;
    synth.seed = 1;
    absl::Status s = model::WriteSynthModel(c.model_dirs[0], synth);
    EXPECT_TRUE(s.ok()) << s;
  }
  absl::Status s = EnsureDevKeys(c.keys);
  EXPECT_TRUE(s.ok()) << s;
  return c;
}

inline std::shared_ptr<grpc::Channel> Connect(int port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
}

inline void Authorize(grpc::ClientContext& ctx, const std::string& token = kInferenceToken) {
  ctx.AddMetadata("authorization", "Bearer " + token);
}

inline v1::GenerateRequest SimpleRequest(const std::string& prompt, int64_t max_tokens = 8) {
  v1::GenerateRequest r;
  r.set_model("tiny-qwen2");
  r.set_prompt(prompt);
  r.set_max_tokens(max_tokens);
  return r;
}

}  // namespace attestd::service::testing
