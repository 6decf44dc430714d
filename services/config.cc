#include "services/config.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <functional>
#include <string_view>
#include <utility>

#include "base/file.h"

namespace attestd::service {
namespace {

absl::Status TypeError(const std::string& key, const std::string& want) {
  return absl::InvalidArgumentError("config " + key + ": wrong type, want " + want);
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

std::string Secret(const std::string& s) { return s.empty() ? "(unset)" : "(set)"; }

// Where a setting lives in ServerConfig: `field` at the top level, or
// `field` of the struct `outer`.
template <typename T>
struct Field {
  std::function<T&(ServerConfig&)> of;
  std::function<const T&(const ServerConfig&)> in;
};
template <typename T>
Field<T> At(T ServerConfig::*field) {
  return {[field](ServerConfig& c) -> T& { return c.*field; },
          [field](const ServerConfig& c) -> const T& { return c.*field; }};
}
template <typename T, typename S>
Field<T> At(S ServerConfig::*outer, T S::*field) {
  return {[outer, field](ServerConfig& c) -> T& { return (c.*outer).*field; },
          [outer, field](const ServerConfig& c) -> const T& { return (c.*outer).*field; }};
}

// One config key: how its YAML value is read, how Describe() prints it, and
// the attestd flag that sets it too (none when `flag` is empty). Flags go
// through `parse` like the file, so both take the same values.
struct Setting {
  std::string_view key;
  std::function<absl::Status(const YAML::Node&, ServerConfig&)> parse;
  std::function<std::string(const ServerConfig&)> print;
  ConfigFlag flag = {};
};

Setting Text(std::string_view key, Field<std::string> f, std::string_view flag = {}, std::string_view help = {}) {
  return {key,
          [f](const YAML::Node& n, ServerConfig& c) -> absl::Status {
            if (!n.IsScalar()) return TypeError("", "a string");
            f.of(c) = n.as<std::string>();
            return absl::OkStatus();
          },
          [f](const ServerConfig& c) { return f.in(c); },
          {key, flag, help}};
}

Setting SecretText(std::string_view key, Field<std::string> f) {
  Setting s = Text(key, f);
  s.print = [f](const ServerConfig& c) { return Secret(f.in(c)); };
  return s;
}

template <typename Int>
Setting Integer(std::string_view key, Field<Int> f, int64_t min, int64_t max, std::string_view flag = {},
                std::string_view help = {}) {
  return {key,
          [f, min, max](const YAML::Node& n, ServerConfig& c) -> absl::Status {
            ASSIGN_OR_RETURN(int64_t v, AsInt(n, min, max));
            f.of(c) = static_cast<Int>(v);
            return absl::OkStatus();
          },
          [f](const ServerConfig& c) { return std::to_string(f.in(c)); },
          {key, flag, help, /*repeatable=*/false, "INT"}};
}

Setting Boolean(std::string_view key, Field<bool> f) {
  return {key,
          [f](const YAML::Node& n, ServerConfig& c) -> absl::Status {
            bool v = false;
            if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) return TypeError("", "true or false");
            f.of(c) = v;
            return absl::OkStatus();
          },
          [f](const ServerConfig& c) -> std::string { return f.in(c) ? "true" : "false"; },
          {key, {}, {}}};
}

// Every setting, in Describe() order. The one place a config key is named.
const std::vector<Setting>& Settings() {
  static const auto* settings = new std::vector<Setting>{
      Text("listen", At(&ServerConfig::listen), "--listen", "gRPC address host:port"),
      Text("metrics_listen", At(&ServerConfig::metrics_listen), "--metrics-listen",
           "Prometheus endpoint host:port ('' = off)"),
      {"models",
       [](const YAML::Node& n, ServerConfig& c) -> absl::Status {
         if (!n.IsSequence() || n.size() == 0) return TypeError("", "a non-empty list of model folders");
         c.model_dirs.clear();
         for (const auto& item : n) {
           if (!item.IsScalar()) return TypeError("", "a list of strings");
           c.model_dirs.push_back(item.as<std::string>());
         }
         return absl::OkStatus();
       },
       [](const ServerConfig& c) {
         std::string models;
         for (const auto& m : c.model_dirs) models += (models.empty() ? "" : ",") + m;
         return models;
       },
       {"models", "--model", "model folder (repeatable; replaces the config's list)", /*repeatable=*/true}},
      Text("ledger_dir", At(&ServerConfig::ledger_dir), "--ledger-dir", "ledger database folder"),
      Text("log_origin", At(&ServerConfig::log_origin), "--log-origin", "checkpoint origin line"),
      Text("digest_cache_dir", At(&ServerConfig::digest_cache_dir)),
      Integer("engine_threads", At(&ServerConfig::engine_threads), 1, 256, "--engine-threads",
              "kernel threads per model"),
      Text("backend", At(&ServerConfig::backend), "--backend", "cpu or cuda: what runs the models' kernels"),
      {"model_backends",
       [](const YAML::Node& n, ServerConfig& c) -> absl::Status {
         if (!n.IsMap()) return TypeError("", "a map from model name to cpu or cuda");
         c.model_backends.clear();
         for (const auto& item : n) {
           if (!item.first.IsScalar() || !item.second.IsScalar()) return TypeError("", "a map of strings");
           c.model_backends[item.first.as<std::string>()] = item.second.as<std::string>();
         }
         return absl::OkStatus();
       },
       [](const ServerConfig& c) {
         std::string text;
         for (const auto& [model, backend] : c.model_backends) text += (text.empty() ? "" : ",") + model + "=" + backend;
         return text;
       }},
      Integer("checkpoint_interval_ms", At(&ServerConfig::checkpoint_interval_ms), 100, 86400000,
              "--checkpoint-interval-ms", "checkpoint timer"),
      Text("keys.attestor_keystore", At(&ServerConfig::keys, &KeyConfig::attestor_keystore), "--attestor-keystore",
           "V3 keystore of the attestor key"),
      Text("keys.attestor_passphrase_file", At(&ServerConfig::keys, &KeyConfig::attestor_passphrase_file),
           "--attestor-passphrase-file", "file holding the keystore passphrase"),
      Text("keys.attestor_passphrase_env", At(&ServerConfig::keys, &KeyConfig::attestor_passphrase_env),
           "--attestor-passphrase-env", "environment variable holding the passphrase"),
      Text("keys.log_key_file", At(&ServerConfig::keys, &KeyConfig::log_key_file), "--log-key",
           "Ed25519 checkpoint key file"),
      Text("tls.cert_file", At(&ServerConfig::tls, &TlsConfig::cert_file)),
      Text("tls.key_file", At(&ServerConfig::tls, &TlsConfig::key_file)),
      Text("tls.client_ca_file", At(&ServerConfig::tls, &TlsConfig::client_ca_file)),
      {"auth.inference_tokens",
       [](const YAML::Node& n, ServerConfig& c) -> absl::Status {
         if (!n.IsSequence()) return TypeError("", "a list of strings");
         c.auth.inference_tokens.clear();
         for (const auto& item : n) {
           if (!item.IsScalar() || item.Scalar().empty()) return TypeError("", "a list of non-empty strings");
           c.auth.inference_tokens.push_back(item.as<std::string>());
         }
         return absl::OkStatus();
       },
       [](const ServerConfig& c) {
         return c.auth.inference_tokens.empty() ? std::string("(none: open)")
                                                : std::to_string(c.auth.inference_tokens.size()) + " (set)";
       }},
      SecretText("auth.admin_token", At(&ServerConfig::auth, &AuthConfig::admin_token)),
      Integer("limits.max_message_bytes", At(&ServerConfig::limits, &Limits::max_message_bytes), 1024, 64 << 20),
      Integer("limits.max_prompt_tokens", At(&ServerConfig::limits, &Limits::max_prompt_tokens), 1, 1 << 20),
      Integer("limits.max_tokens", At(&ServerConfig::limits, &Limits::max_tokens), 1, 1 << 20),
      Integer("limits.max_queue", At(&ServerConfig::limits, &Limits::max_queue), 1, 1 << 20),
      Integer("limits.max_streams_per_client", At(&ServerConfig::limits, &Limits::max_streams_per_client), 1,
              1 << 20),
      Integer("limits.max_batch", At(&ServerConfig::limits, &Limits::max_batch), 1, 256, "--max-batch",
              "requests decoding together per model (limits.max_batch; 1 = one at a time)"),
      Integer("limits.prefill_chunk", At(&ServerConfig::limits, &Limits::prefill_chunk), 0, 1 << 20,
              "--prefill-chunk", "prompt tokens per request per batch step (limits.prefill_chunk; 0 = whole prompt)"),
      Integer("limits.default_deadline_ms", At(&ServerConfig::limits, &Limits::default_deadline_ms), 1, 86400000),
      Boolean("anchoring.enabled", At(&ServerConfig::anchoring, &AnchoringConfig::enabled)),
      Text("anchoring.rpc_url", At(&ServerConfig::anchoring, &AnchoringConfig::rpc_url)),
      Text("anchoring.registry", At(&ServerConfig::anchoring, &AnchoringConfig::registry)),
      Integer("anchoring.chain_id", At(&ServerConfig::anchoring, &AnchoringConfig::chain_id), 1, int64_t{1} << 53),
      Text("anchoring.keystore", At(&ServerConfig::anchoring, &AnchoringConfig::keystore)),
      Text("anchoring.passphrase_file", At(&ServerConfig::anchoring, &AnchoringConfig::passphrase_file)),
      Text("anchoring.passphrase_env", At(&ServerConfig::anchoring, &AnchoringConfig::passphrase_env)),
      Integer("anchoring.every_leaves", At(&ServerConfig::anchoring, &AnchoringConfig::every_leaves), 1,
              int64_t{1} << 40),
      Integer("anchoring.every_seconds", At(&ServerConfig::anchoring, &AnchoringConfig::every_seconds), 1,
              86400 * 365),
      Integer("anchoring.confirmations", At(&ServerConfig::anchoring, &AnchoringConfig::confirmations), 1, 1000),
      Integer("anchoring.max_fee_gwei", At(&ServerConfig::anchoring, &AnchoringConfig::max_fee_gwei), 1,
              1'000'000),
      Integer("anchoring.tip_cap_gwei", At(&ServerConfig::anchoring, &AnchoringConfig::tip_cap_gwei), 0,
              1'000'000),
      Integer("anchoring.poll_ms", At(&ServerConfig::anchoring, &AnchoringConfig::poll_ms), 10, 3'600'000),
  };
  return *settings;
}

const Setting* FindSetting(std::string_view key) {
  for (const Setting& s : Settings()) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

// Reads one key's value; errors say "config KEY: ...".
absl::Status ApplySetting(const Setting& setting, const YAML::Node& value, ServerConfig& config) {
  absl::Status s = setting.parse(value, config);
  if (!s.ok()) return absl::InvalidArgumentError("config " + std::string(setting.key) + ": " + std::string(s.message()));
  return absl::OkStatus();
}

absl::Status Apply(const YAML::Node& node, const std::string& prefix, ServerConfig& config) {
  for (const auto& kv : node) {
    std::string key = prefix + kv.first.as<std::string>();
    if (const Setting* setting = FindSetting(key)) {
      RETURN_IF_ERROR(ApplySetting(*setting, kv.second, config));
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

std::vector<std::pair<std::string, std::string>> Fields(const ServerConfig& c) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Setting& s : Settings()) out.emplace_back(s.key, s.print(c));
  return out;
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
  ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path, "config file"));
  return ParseConfigYaml(text, base);
}

const std::vector<ConfigFlag>& ConfigFlags() {
  static const auto* flags = [] {
    auto* out = new std::vector<ConfigFlag>();
    for (const Setting& s : Settings()) {
      if (!s.flag.flag.empty()) out->push_back(s.flag);
    }
    return out;
  }();
  return *flags;
}

absl::Status ApplyConfigFlag(std::string_view key, const std::vector<std::string>& values, ServerConfig& config) {
  const Setting* setting = FindSetting(key);
  if (setting == nullptr || setting->flag.flag.empty()) {
    return absl::InvalidArgumentError("config: no flag sets \"" + std::string(key) + "\"");
  }
  YAML::Node value;
  if (setting->flag.repeatable) {
    for (const std::string& v : values) value.push_back(v);
  } else if (!values.empty()) {
    value = YAML::Node(values.back());
  }
  return ApplySetting(*setting, value, config);
}

std::string BackendOf(const ServerConfig& config, const std::string& model_name) {
  const auto it = config.model_backends.find(model_name);
  return it != config.model_backends.end() ? it->second : config.backend;
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
