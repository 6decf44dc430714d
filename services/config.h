// attestd server configuration: embedded defaults, a YAML file, then flags.
//
// Every field has a default that starts a development server with no config
// file (docs/service.md lists them). LoadConfigFile overlays the keys present
// in the file on the defaults and rejects unknown keys, wrong types and values
// out of range with InvalidArgument naming the key ("limits.max_tokens: got
// -1, want >= 1"). Secrets (passphrases, tokens) are never in this struct's
// text form: Describe() prints only whether they are set.
//
// Thread safety: a plain value; copy it to share.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace attestd::service {

struct Limits {
  int64_t max_message_bytes = 1 << 20;   // gRPC receive limit per message
  int64_t max_prompt_tokens = 2048;      // after the chat format
  int64_t max_tokens = 512;              // per request
  int64_t max_queue = 256;               // requests admitted but not running
  int64_t max_streams_per_client = 128;  // concurrent calls per client identity
  int64_t max_batch = 8;                 // requests decoding together per model (1 = one at a time)
  int64_t prefill_chunk = 128;           // prompt tokens per batch step and request (0 = whole prompt)
  int64_t default_deadline_ms = 120000;  // used when the client sets none
};

struct TlsConfig {
  std::string cert_file;       // PEM chain; empty = plaintext (loopback only)
  std::string key_file;        // PEM private key
  std::string client_ca_file;  // set: mutual TLS, clients must present a cert it signed
};

struct AuthConfig {
  // Bearer tokens accepted for inference. Empty = inference is open.
  std::vector<std::string> inference_tokens;
  // Bearer token for AdminService. Empty = admin calls are refused.
  std::string admin_token;
};

struct KeyConfig {
  std::string attestor_keystore;        // Ethereum V3 keystore JSON (SPEC)
  std::string attestor_passphrase_file;  // file holding the passphrase
  std::string attestor_passphrase_env;   // or the name of an environment variable
  std::string log_key_file;             // Ed25519 note signing key (attest/ed25519.h)
};

// The chain exporter running inside attestd (docs/anchoring.md): puts the
// newest checkpoint root on the AnchorRegistry every `every_leaves` new leaves
// or `every_seconds`, whichever comes first. Off by default.
struct AnchoringConfig {
  bool enabled = false;
  std::string rpc_url;          // JSON-RPC URL of the chain's node
  std::string registry;         // AnchorRegistry address, 0x + 40 hex
  int64_t chain_id = 0;         // the node must report exactly this
  std::string keystore;         // exporter account: V3 keystore JSON
  std::string passphrase_file;  // its passphrase, from a file...
  std::string passphrase_env;   // ...or an environment variable (wins when set)
  int64_t every_leaves = 1000;
  int64_t every_seconds = 600;
  int64_t confirmations = 2;     // blocks, counting the including one
  int64_t max_fee_gwei = 200;    // cap on maxFeePerGas
  int64_t tip_cap_gwei = 5;      // cap on maxPriorityFeePerGas
  int64_t poll_ms = 1000;        // pause between exporter steps
};

struct ServerConfig {
  std::string listen = "127.0.0.1:50051";
  std::string metrics_listen = "127.0.0.1:9464";  // Prometheus text over HTTP; empty = off
  std::vector<std::string> model_dirs = {".attestd/models/demo"};
  std::string ledger_dir = ".attestd/ledger";
  std::string log_origin = "attestd.dev/log";
  std::string digest_cache_dir = ".attestd/digest-cache";
  int engine_threads = 1;
  // What runs the models' kernels: "cpu" or "cuda" (model/engine.h; both
  // give the same bits, so receipts do not differ). model_backends sets it
  // for one model, by name (its folder's base name).
  std::string backend = "cpu";
  std::map<std::string, std::string> model_backends;
  int64_t checkpoint_interval_ms = 10000;
  KeyConfig keys = {".attestd/keys/attestor.json", ".attestd/keys/DEV-ONLY-passphrase.txt", "",
                    ".attestd/keys/log-ed25519.key"};
  TlsConfig tls;
  AuthConfig auth;
  Limits limits;
  AnchoringConfig anchoring;

  // One line per setting, secrets shown only as "(set)"/"(unset)".
  std::string Describe() const;
};

// Overlays the YAML file at `path` on `base`. NotFound if unreadable,
// InvalidArgument for bad YAML, an unknown key, a wrong type or a value out
// of range. On error `base` is not modified (the result is a new value).
[[nodiscard]] absl::StatusOr<ServerConfig> LoadConfigFile(const std::string& path, const ServerConfig& base);

// Same, from YAML text (for tests and reloads).
[[nodiscard]] absl::StatusOr<ServerConfig> ParseConfigYaml(const std::string& yaml_text, const ServerConfig& base);

// The backend serving the model named `model_name`: its model_backends
// entry, else `backend`. The values are checked when the server loads the
// models (model::ParseBackend), since this module knows no engine.
std::string BackendOf(const ServerConfig& config, const std::string& model_name);

// Checks cross-field rules (key file needs a cert file, limits positive...).
[[nodiscard]] absl::Status ValidateConfig(const ServerConfig& config);

// Settings that differ between two configs, "name: old -> new" (secrets redacted).
std::vector<std::string> DiffConfig(const ServerConfig& before, const ServerConfig& after);

// A setting attestd also takes on its command line (attestd_main.cc). The
// same table as the YAML keys and Describe() defines them, so a flag takes
// exactly the values its key takes.
struct ConfigFlag {
  std::string_view key;       // "limits.max_batch"
  std::string_view flag;      // "--max-batch"
  std::string_view help;
  bool repeatable = false;    // a list: every use adds one value
  std::string_view value_name = "TEXT";  // what --help shows for the value
};

// The settings that have a flag, in Describe() order.
const std::vector<ConfigFlag>& ConfigFlags();

// Sets `key` from its flag's values (the last one wins; a repeatable flag's
// values form the list) through the YAML parser of that key.
// InvalidArgument "config KEY: ..." as for the file.
[[nodiscard]] absl::Status ApplyConfigFlag(std::string_view key, const std::vector<std::string>& values,
                                           ServerConfig& config);

}  // namespace attestd::service
