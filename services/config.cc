#include "services/config.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace attestd::service {
namespace {

using Setter = std::function<absl::Status(const YAML::Node&, ServerConfig&)>;

absl::Status TypeError(const std::string& key, const std::string& want) {
  return absl::InvalidArgumentError("config " + key + ": wrong type, want " + want);
}

Setter String(std::string ServerConfig::*field) {
  return [field](const YAML::Node& n, ServerConfig& c) -> absl::Status {
    if (!n.IsScalar()) return TypeError("", "a string");
    c.*field = n.as<std::string>();
    return absl::OkStatus();
  };
}

template <typename Struct>
Setter NestedString(Struct ServerConfig::*outer, std::string Struct::*field) {
  return [outer, field](const YAML::Node& n, ServerConfig& c) -> absl::Status {
    if (!n.IsScalar()) return TypeError("", "a string");
    (c.*outer).*field = n.as<std::string>();
    return absl::OkStatus();
  };
}

absl::StatusOr<int64_t> AsInt(const YAML::Node& n, int64_t min, int64_t max) {
  if (!n.IsScalar()) return absl::InvalidArgumentError("wrong type, want an integer");
  int64_t v = 0;
  if (!YAML::convert<int64_t>::decode(n, v)) {
    return absl::InvalidArgumentError("got \"" + n.Scalar() + "\", want an integer");
  }
  if (v < min || v > max) {
    return absl::InvalidArgumentError("got " + std::to_string(v) + ", want " + std::to_string(min) + ".." +
                                      std::to_string(max));
  }
  return v;
}

Setter Limit(int64_t Limits::*field, int64_t min, int64_t max) {
  return [field, min, max](const YAML::Node& n, ServerConfig& c) -> absl::Status {
    ASSIGN_OR_RETURN(c.limits.*field, AsInt(n, min, max));
    return absl::OkStatus();
  };
}

Setter AnchoringString(std::string AnchoringConfig::*field) {
  return NestedString(&ServerConfig::anchoring, field);
}

Setter AnchoringInt(int64_t AnchoringConfig::*field, int64_t min, int64_t max) {
  return [field, min, max](const YAML::Node& n, ServerConfig& c) -> absl::Status {
    ASSIGN_OR_RETURN(c.anchoring.*field, AsInt(n, min, max));
    return absl::OkStatus();
  };
}

const std::map<std::string, Setter>& Setters() {
  static const auto* setters = new std::map<std::string, Setter>{
      {"listen", String(&ServerConfig::listen)},
      {"metrics_listen", String(&ServerConfig::metrics_listen)},
      {"ledger_dir", String(&ServerConfig::ledger_dir)},
      {"log_origin", String(&ServerConfig::log_origin)},
      {"digest_cache_dir", String(&ServerConfig::digest_cache_dir)},
      {"models",
       [](const YAML::Node& n, ServerConfig& c) -> absl::Status {
         if (!n.IsSequence() || n.size() == 0) return TypeError("", "a non-empty list of model folders");
         c.model_dirs.clear();
         for (const auto& item : n) {
           if (!item.IsScalar()) return TypeError("", "a list of strings");
           c.model_dirs.push_back(item.as<std::string>());
         }
         return absl::OkStatus();
       }},
      {"engine_threads",
       [](const YAML::Node& n, ServerConfig& c) -> absl::Status {
         ASSIGN_OR_RETURN(int64_t v, AsInt(n, 1, 256));
         c.engine_threads = static_cast<int>(v);
         return absl::OkStatus();
       }},
      {"checkpoint_interval_ms",
       [](const YAML::Node& n, ServerConfig& c) -> absl::Status {
         ASSIGN_OR_RETURN(c.checkpoint_interval_ms, AsInt(n, 100, 86400000));
         return absl::OkStatus();
       }},
      {"keys.attestor_keystore", NestedString(&ServerConfig::keys, &KeyConfig::attestor_keystore)},
      {"keys.attestor_passphrase_file", NestedString(&ServerConfig::keys, &KeyConfig::attestor_passphrase_file)},
      {"keys.attestor_passphrase_env", NestedString(&ServerConfig::keys, &KeyConfig::attestor_passphrase_env)},
      {"keys.log_key_file", NestedString(&ServerConfig::keys, &KeyConfig::log_key_file)},
      {"tls.cert_file", NestedString(&ServerConfig::tls, &TlsConfig::cert_file)},
      {"tls.key_file", NestedString(&ServerConfig::tls, &TlsConfig::key_file)},
      {"tls.client_ca_file", NestedString(&ServerConfig::tls, &TlsConfig::client_ca_file)},
      {"auth.admin_token", NestedString(&ServerConfig::auth, &AuthConfig::admin_token)},
      {"auth.inference_tokens",
       [](const YAML::Node& n, ServerConfig& c) -> absl::Status {
         if (!n.IsSequence()) return TypeError("", "a list of strings");
         c.auth.inference_tokens.clear();
         for (const auto& item : n) {
           if (!item.IsScalar() || item.Scalar().empty()) return TypeError("", "a list of non-empty strings");
           c.auth.inference_tokens.push_back(item.as<std::string>());
         }
         return absl::OkStatus();
       }},
      {"limits.max_message_bytes", Limit(&Limits::max_message_bytes, 1024, 64 << 20)},
      {"limits.max_prompt_tokens", Limit(&Limits::max_prompt_tokens, 1, 1 << 20)},
      {"limits.max_tokens", Limit(&Limits::max_tokens, 1, 1 << 20)},
      {"limits.max_queue", Limit(&Limits::max_queue, 1, 1 << 20)},
      {"limits.max_streams_per_client", Limit(&Limits::max_streams_per_client, 1, 1 << 20)},
      {"limits.max_batch", Limit(&Limits::max_batch, 1, 256)},
      {"limits.prefill_chunk", Limit(&Limits::prefill_chunk, 0, 1 << 20)},
      {"limits.default_deadline_ms", Limit(&Limits::default_deadline_ms, 1, 86400000)},
      {"anchoring.enabled",
       [](const YAML::Node& n, ServerConfig& c) -> absl::Status {
         bool v = false;
         if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) return TypeError("", "true or false");
         c.anchoring.enabled = v;
         return absl::OkStatus();
       }},
      {"anchoring.rpc_url", AnchoringString(&AnchoringConfig::rpc_url)},
      {"anchoring.registry", AnchoringString(&AnchoringConfig::registry)},
      {"anchoring.chain_id", AnchoringInt(&AnchoringConfig::chain_id, 1, int64_t{1} << 53)},
      {"anchoring.keystore", AnchoringString(&AnchoringConfig::keystore)},
      {"anchoring.passphrase_file", AnchoringString(&AnchoringConfig::passphrase_file)},
      {"anchoring.passphrase_env", AnchoringString(&AnchoringConfig::passphrase_env)},
      {"anchoring.every_leaves", AnchoringInt(&AnchoringConfig::every_leaves, 1, int64_t{1} << 40)},
      {"anchoring.every_seconds", AnchoringInt(&AnchoringConfig::every_seconds, 1, 86400 * 365)},
      {"anchoring.confirmations", AnchoringInt(&AnchoringConfig::confirmations, 1, 1000)},
      {"anchoring.max_fee_gwei", AnchoringInt(&AnchoringConfig::max_fee_gwei, 1, 1'000'000)},
      {"anchoring.tip_cap_gwei", AnchoringInt(&AnchoringConfig::tip_cap_gwei, 0, 1'000'000)},
      {"anchoring.poll_ms", AnchoringInt(&AnchoringConfig::poll_ms, 10, 3'600'000)},
  };
  return *setters;
}

absl::Status Apply(const YAML::Node& node, const std::string& prefix, ServerConfig& config) {
  for (const auto& kv : node) {
    std::string key = prefix + kv.first.as<std::string>();
    const auto& setters = Setters();
    auto it = setters.find(key);
    if (it != setters.end()) {
      absl::Status s = it->second(kv.second, config);
      if (!s.ok()) return absl::InvalidArgumentError("config " + key + ": " + std::string(s.message()));
      continue;
    }
    if (kv.second.IsMap()) {
      RETURN_IF_ERROR(Apply(kv.second, key + ".", config));
      continue;
    }
    return absl::InvalidArgumentError("config: unknown key \"" + key + "\"");
  }
  return absl::OkStatus();
}

std::string Secret(const std::string& s) { return s.empty() ? "(unset)" : "(set)"; }

std::vector<std::pair<std::string, std::string>> Fields(const ServerConfig& c) {
  std::string models;
  for (const auto& m : c.model_dirs) models += (models.empty() ? "" : ",") + m;
  return {
      {"listen", c.listen},
      {"metrics_listen", c.metrics_listen},
      {"models", models},
      {"ledger_dir", c.ledger_dir},
      {"log_origin", c.log_origin},
      {"digest_cache_dir", c.digest_cache_dir},
      {"engine_threads", std::to_string(c.engine_threads)},
      {"checkpoint_interval_ms", std::to_string(c.checkpoint_interval_ms)},
      {"keys.attestor_keystore", c.keys.attestor_keystore},
      {"keys.attestor_passphrase_file", c.keys.attestor_passphrase_file},
      {"keys.attestor_passphrase_env", c.keys.attestor_passphrase_env},
      {"keys.log_key_file", c.keys.log_key_file},
      {"tls.cert_file", c.tls.cert_file},
      {"tls.key_file", c.tls.key_file},
      {"tls.client_ca_file", c.tls.client_ca_file},
      {"auth.inference_tokens",
       c.auth.inference_tokens.empty() ? "(none: open)" : std::to_string(c.auth.inference_tokens.size()) + " (set)"},
      {"auth.admin_token", Secret(c.auth.admin_token)},
      {"limits.max_message_bytes", std::to_string(c.limits.max_message_bytes)},
      {"limits.max_prompt_tokens", std::to_string(c.limits.max_prompt_tokens)},
      {"limits.max_tokens", std::to_string(c.limits.max_tokens)},
      {"limits.max_queue", std::to_string(c.limits.max_queue)},
      {"limits.max_streams_per_client", std::to_string(c.limits.max_streams_per_client)},
      {"limits.max_batch", std::to_string(c.limits.max_batch)},
      {"limits.prefill_chunk", std::to_string(c.limits.prefill_chunk)},
      {"limits.default_deadline_ms", std::to_string(c.limits.default_deadline_ms)},
      {"anchoring.enabled", c.anchoring.enabled ? "true" : "false"},
      {"anchoring.rpc_url", c.anchoring.rpc_url},
      {"anchoring.registry", c.anchoring.registry},
      {"anchoring.chain_id", std::to_string(c.anchoring.chain_id)},
      {"anchoring.keystore", c.anchoring.keystore},
      {"anchoring.passphrase_file", c.anchoring.passphrase_file},
      {"anchoring.passphrase_env", c.anchoring.passphrase_env},
      {"anchoring.every_leaves", std::to_string(c.anchoring.every_leaves)},
      {"anchoring.every_seconds", std::to_string(c.anchoring.every_seconds)},
      {"anchoring.confirmations", std::to_string(c.anchoring.confirmations)},
      {"anchoring.max_fee_gwei", std::to_string(c.anchoring.max_fee_gwei)},
      {"anchoring.tip_cap_gwei", std::to_string(c.anchoring.tip_cap_gwei)},
      {"anchoring.poll_ms", std::to_string(c.anchoring.poll_ms)},
  };
}

}  // namespace

std::string ServerConfig::Describe() const {
  std::string out;
  for (const auto& [k, v] : Fields(*this)) out += k + ": " + v + "\n";
  return out;
}

absl::StatusOr<ServerConfig> ParseConfigYaml(const std::string& yaml_text, const ServerConfig& base) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(std::string("config: bad YAML: ") + e.what());
  }
  ServerConfig out = base;
  if (root.IsNull()) return out;
  if (!root.IsMap()) return absl::InvalidArgumentError("config: the top level must be a mapping");
  try {
    RETURN_IF_ERROR(Apply(root, "", out));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(std::string("config: ") + e.what());
  }
  RETURN_IF_ERROR(ValidateConfig(out));
  return out;
}

absl::StatusOr<ServerConfig> LoadConfigFile(const std::string& path, const ServerConfig& base) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("config: cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return ParseConfigYaml(text.str(), base);
}

absl::Status ValidateConfig(const ServerConfig& c) {
  if (c.listen.empty()) return absl::InvalidArgumentError("config listen: empty, want host:port");
  if (c.model_dirs.empty()) return absl::InvalidArgumentError("config models: empty, want at least one folder");
  if (c.tls.cert_file.empty() != c.tls.key_file.empty()) {
    return absl::InvalidArgumentError("config tls: cert_file and key_file must be set together");
  }
  if (!c.tls.client_ca_file.empty() && c.tls.cert_file.empty()) {
    return absl::InvalidArgumentError("config tls.client_ca_file: mutual TLS needs tls.cert_file and tls.key_file");
  }
  if (!c.auth.admin_token.empty() && c.auth.admin_token.size() < 16) {
    return absl::InvalidArgumentError("config auth.admin_token: got " + std::to_string(c.auth.admin_token.size()) +
                                      " characters, want >= 16");
  }
  const AnchoringConfig& a = c.anchoring;
  if (a.enabled) {
    if (a.rpc_url.empty()) return absl::InvalidArgumentError("config anchoring.rpc_url: empty, want the node's URL");
    bool registry_ok = a.registry.size() == 42 && a.registry[0] == '0' && (a.registry[1] == 'x' || a.registry[1] == 'X');
    for (size_t i = 2; registry_ok && i < a.registry.size(); ++i) {
      registry_ok = std::isxdigit(static_cast<unsigned char>(a.registry[i])) != 0;
    }
    if (!registry_ok) {
      return absl::InvalidArgumentError("config anchoring.registry: got \"" + a.registry + "\", want 0x + 40 hex digits");
    }
    if (a.chain_id == 0) return absl::InvalidArgumentError("config anchoring.chain_id: got 0, want the chain's id");
    if (a.keystore.empty()) return absl::InvalidArgumentError("config anchoring.keystore: empty, want a V3 keystore");
    if (a.passphrase_file.empty() && a.passphrase_env.empty()) {
      return absl::InvalidArgumentError("config anchoring: set passphrase_file or passphrase_env for the keystore");
    }
    if (a.tip_cap_gwei > a.max_fee_gwei) {
      return absl::InvalidArgumentError("config anchoring.tip_cap_gwei: got " + std::to_string(a.tip_cap_gwei) +
                                        ", want <= max_fee_gwei " + std::to_string(a.max_fee_gwei));
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> DiffConfig(const ServerConfig& before, const ServerConfig& after) {
  std::vector<std::string> changes;
  auto a = Fields(before);
  auto b = Fields(after);
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].second != b[i].second) changes.push_back(a[i].first + ": " + a[i].second + " -> " + b[i].second);
  }
  // Token values are redacted in Fields(); report a rotation all the same.
  if (before.auth.inference_tokens != after.auth.inference_tokens &&
      before.auth.inference_tokens.size() == after.auth.inference_tokens.size()) {
    changes.push_back("auth.inference_tokens: rotated");
  }
  if (before.auth.admin_token != after.auth.admin_token && !before.auth.admin_token.empty() &&
      !after.auth.admin_token.empty()) {
    changes.push_back("auth.admin_token: rotated");
  }
  return changes;
}

}  // namespace attestd::service
