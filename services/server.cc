#include "services/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <filesystem>

#include "attest/key_source.h"
#include "attest/signed_note.h"
#include "base/file.h"
#include "ledger/checkpoint_signing.h"
#include "services/anchoring.h"
#include "services/log.h"
#include "verify/identity.h"

namespace attestd::service {
namespace {

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeCredentials(const TlsConfig& tls) {
  if (tls.cert_file.empty()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options(tls.client_ca_file.empty()
                                                ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                                : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ASSIGN_OR_RETURN(pair.private_key, ReadWholeFile(tls.key_file, "tls.key_file"));
  ASSIGN_OR_RETURN(pair.cert_chain, ReadWholeFile(tls.cert_file, "tls.cert_file"));
  options.pem_key_cert_pairs.push_back(std::move(pair));
  if (!tls.client_ca_file.empty()) {
    ASSIGN_OR_RETURN(options.pem_root_certs, ReadWholeFile(tls.client_ca_file, "tls.client_ca_file"));
  }
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<ServedModel> LoadModel(const std::string& dir, const ServerConfig& config, const Digest32& engine_digest) {
  const std::string name = model::ModelFolderName(dir);
  LogInfo("computing model digest", {{"model", name}, {"dir", dir}});
  ModelDigestOptions digest_options;
  digest_options.cache_dir = config.digest_cache_dir;
  if (!digest_options.cache_dir.empty()) std::filesystem::create_directories(digest_options.cache_dir);
  ASSIGN_OR_RETURN(ModelManifest manifest, ComputeModelDigest(dir, digest_options));
  if (!manifest.cache_warning.empty()) LogWarn("model digest cache", {{"warning", manifest.cache_warning}});
  LogInfo("model digest", {{"model", name},
                           {"model_digest", HexEncode(manifest.digest)},
                           {"files", std::to_string(manifest.files.size())},
                           {"hashed", std::to_string(manifest.files_hashed)},
                           {"from_cache", std::to_string(manifest.files_from_cache)}});
  model::EngineOptions engine_options;
  engine_options.threads = config.engine_threads;
  ASSIGN_OR_RETURN(engine_options.backend, model::ParseBackend(BackendOf(config, name)));
  LogInfo("loading model", {{"model", name}, {"backend", std::string(model::BackendName(engine_options.backend))}});
  absl::StatusOr<std::unique_ptr<model::Engine>> loaded = model::Engine::Load(dir, engine_options);
  if (!loaded.ok()) {
    return absl::Status(loaded.status().code(), "model " + name + " (backend " +
                                                    std::string(model::BackendName(engine_options.backend)) +
                                                    "): " + std::string(loaded.status().message()));
  }
  std::unique_ptr<model::Engine> engine = std::move(*loaded);
  // Warm-up: one short greedy generation touches every weight once.
  ASSIGN_OR_RETURN(std::vector<int32_t> warm_prompt, engine->Encode("warm up"));
  if (!warm_prompt.empty()) {
    model::GenerationRequest warm;
    warm.prompt_token_ids = warm_prompt;
    warm.max_tokens = 1;
    auto warmed = engine->Generate(warm, {}, nullptr);
    if (!warmed.ok()) return absl::InternalError("warm-up of " + name + " failed: " + std::string(warmed.status().message()));
  }
  LogInfo("model ready", {{"model", name},
                          {"family", std::string(model::ModelFamilyName(engine->info().family))},
                          {"context_length", std::to_string(engine->info().context_length)},
                          {"backend", std::string(model::BackendName(engine->info().backend))},
                          {"runs_on", engine->info().runs_on}});
  ServedModel served;
  served.name = name;
  served.dir = dir;
  served.engine = std::move(engine);
  served.model_digest = manifest.digest;
  served.engine_digest = engine_digest;
  served.queue = std::make_unique<FairQueue>(config.limits.max_queue, config.limits.max_streams_per_client,
                                             config.limits.max_batch);
  return served;
}

// `backend` and every `model_backends` entry name a backend, and every entry
// a served model.
absl::Status CheckBackends(const ServerConfig& config) {
  if (absl::Status s = model::ParseBackend(config.backend).status(); !s.ok()) {
    return absl::InvalidArgumentError("config " + std::string(s.message()));
  }
  for (const auto& [name, backend] : config.model_backends) {
    if (absl::Status s = model::ParseBackend(backend).status(); !s.ok()) {
      return absl::InvalidArgumentError("config model_backends." + name + ": " + std::string(s.message()));
    }
    bool served = false;
    for (const auto& dir : config.model_dirs) served = served || model::ModelFolderName(dir) == name;
    if (!served) return absl::InvalidArgumentError("config model_backends: \"" + name + "\" names no model in models");
  }
  return absl::OkStatus();
}

// The exporter on the server's own open store: one process holds the
// database's lock, so it cannot run as a separate `attest export` beside it.
absl::StatusOr<std::unique_ptr<chain::ExporterThread>> StartExporter(const AnchoringConfig& a, ledger::LogStore* store) {
  auto key = LoadAttestorKey(KeystoreSource(a.keystore, a.passphrase_file, a.passphrase_env));
  if (!key.ok()) {
    return absl::Status(key.status().code(), "anchoring.keystore: " + std::string(key.status().message()));
  }
  ASSIGN_OR_RETURN(chain::ExporterConfig config, ToExporterConfig(a));
  const std::string account = ToChecksumAddress(AddressOf(*key));
  auto logger = [](const std::string& line) { LogInfo("anchoring", {{"event", line}}); };
  ASSIGN_OR_RETURN(auto thread, chain::ExporterThread::Start(config, store, std::move(*key), logger));
  LogInfo("anchoring started", {{"account", account},
                                {"registry", a.registry},
                                {"chain_id", std::to_string(a.chain_id)},
                                {"every_leaves", std::to_string(a.every_leaves)},
                                {"every_seconds", std::to_string(a.every_seconds)}});
  return thread;
}

}  // namespace

absl::StatusOr<std::unique_ptr<AttestdServer>> AttestdServer::Start(const ServerConfig& config, StartOptions options) {
  RETURN_IF_ERROR(ValidateConfig(config));
  std::unique_ptr<AttestdServer> server(new AttestdServer());
  server->config_ = config;
  server->options_ = std::move(options);
  LogInfo("starting attestd", {{"listen", config.listen}, {"ledger_dir", config.ledger_dir}});

  ASSIGN_OR_RETURN(SecretKey32 attestor,
                   LoadAttestorKey(KeystoreSource(config.keys.attestor_keystore, config.keys.attestor_passphrase_file,
                                                  config.keys.attestor_passphrase_env)));
  LogInfo("attestor key loaded", {{"attestor", ToChecksumAddress(AddressOf(attestor))}});
  ASSIGN_OR_RETURN(Ed25519PrivateKey loaded_log_key, Ed25519PrivateKey::LoadFile(config.keys.log_key_file));
  auto log_key = std::make_shared<const Ed25519PrivateKey>(std::move(loaded_log_key));

  ASSIGN_OR_RETURN(Digest32 engine_digest, CanonicalEngineDigest());
  RETURN_IF_ERROR(CheckBackends(config));
  std::vector<ServedModel> models;
  for (const auto& dir : config.model_dirs) {
    ASSIGN_OR_RETURN(ServedModel m, LoadModel(dir, config, engine_digest));
    for (const auto& other : models) {
      if (other.name == m.name) return absl::InvalidArgumentError("models: two folders named \"" + m.name + "\"");
    }
    models.push_back(std::move(m));
  }

  const std::string origin = config.log_origin;
  ledger::CheckpointSigner signer = ledger::MakeCheckpointSigner(origin, log_key);
  ASSIGN_OR_RETURN(server->ledger_, LedgerBackend::Open(config.ledger_dir, origin, std::move(signer)));
  ASSIGN_OR_RETURN(NoteVerifierKey verifier, MakeNoteVerifierKey(origin, log_key->public_key()));
  server->ledger_->set_verifier_key(FormatNoteVerifierKey(verifier));
  LogInfo("ledger open", {{"size", std::to_string(server->ledger_->Size())},
                         {"origin", origin},
                         {"verifier_key", server->ledger_->verifier_key()}});
  if (config.anchoring.enabled) {
    ASSIGN_OR_RETURN(server->exporter_, StartExporter(config.anchoring, server->ledger_->mutable_store()));
  }
  server->metrics_.SetLedgerSizeSource([backend = server->ledger_.get()] { return backend->Size(); });

  AttestationService::Options service_options;
  service_options.limits = config.limits;
  service_options.bench_disable_attestation = server->options_.bench_disable_attestation;
  server->service_ = std::make_unique<AttestationService>(service_options, std::move(models), std::move(attestor),
                                                          server->ledger_.get(), &server->metrics_);
  server->auth_ = std::make_unique<AuthHolder>(
      std::make_shared<const Authenticator>(config.auth.inference_tokens, config.auth.admin_token));
  server->inference_ = std::make_unique<InferenceServiceImpl>(server->service_.get(), server->auth_.get(), &server->metrics_);
  server->inference_grpc_ = std::make_unique<InferenceGrpcService>(server->inference_.get());
  std::vector<LedgerQueries::ModelName> model_names;
  for (const ServedModel& m : server->service_->models()) model_names.push_back({m.model_digest, m.name});
  server->ledger_queries_ = std::make_unique<LedgerQueries>(server->ledger_.get(), std::move(model_names));
  server->ledger_service_ = std::make_unique<LedgerServiceImpl>(server->ledger_queries_.get());
  server->ledger_grpc_ = std::make_unique<LedgerGrpcService>(server->ledger_service_.get());
  AttestdServer* self = server.get();
  server->admin_ = std::make_unique<AdminServiceImpl>(
      server->auth_.get(), [self] { return self->Reload(); }, [self] { return self->IssueCheckpoint(); });

  ASSIGN_OR_RETURN(auto credentials, MakeCredentials(config.tls));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen, credentials, &server->port_);
  builder.SetMaxReceiveMessageSize(static_cast<int>(config.limits.max_message_bytes));
  builder.RegisterService(server->inference_grpc_.get());
  builder.RegisterService(server->ledger_grpc_.get());
  builder.RegisterService(server->admin_.get());
  server->grpc_server_ = builder.BuildAndStart();
  if (!server->grpc_server_ || server->port_ == 0) {
    return absl::UnavailableError("cannot listen on " + config.listen);
  }
  if (!config.metrics_listen.empty()) {
    ASSIGN_OR_RETURN(server->metrics_http_, MetricsHttpServer::Start(config.metrics_listen, &server->metrics_));
  }
  server->checkpoint_thread_ = std::thread([self] { self->CheckpointLoop(); });
  LogInfo("serving", {{"port", std::to_string(server->port_)},
                      {"metrics_port", std::to_string(server->metrics_port())},
                      {"tls", config.tls.cert_file.empty() ? "off" : (config.tls.client_ca_file.empty() ? "on" : "mutual")}});
  return server;
}

AttestdServer::~AttestdServer() { Shutdown(std::chrono::seconds(5)); }

absl::StatusOr<std::vector<std::string>> AttestdServer::Reload() {
  if (options_.config_path.empty() && !options_.apply_flags) return std::vector<std::string>{};
  ServerConfig fresh;
  if (!options_.config_path.empty()) {
    ASSIGN_OR_RETURN(fresh, LoadConfigFile(options_.config_path, ServerConfig{}));
  }
  if (options_.apply_flags) RETURN_IF_ERROR(options_.apply_flags(fresh));
  RETURN_IF_ERROR(ValidateConfig(fresh));
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> changes = DiffConfig(config_, fresh);
  // Only tokens and limits change live; the rest needs a restart.
  config_.auth = fresh.auth;
  config_.limits = fresh.limits;
  auth_->Set(std::make_shared<const Authenticator>(fresh.auth.inference_tokens, fresh.auth.admin_token));
  service_->SetLimits(fresh.limits);
  LogInfo("config reloaded", {{"changes", std::to_string(changes.size())}});
  for (const auto& c : changes) LogInfo("config change", {{"change", c}});
  return changes;
}

absl::StatusOr<ledger::IssuedCheckpoint> AttestdServer::IssueCheckpoint() {
  if (ledger_->Size() == 0) return absl::FailedPreconditionError("the ledger is empty; nothing to checkpoint");
  ASSIGN_OR_RETURN(ledger::IssuedCheckpoint cp, ledger_->IssueCheckpoint());
  metrics_.RecordCheckpoint(std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
  LogInfo("checkpoint", {{"size", std::to_string(cp.size)}, {"root", HexEncode(cp.root)}});
  return cp;
}

void AttestdServer::CheckpointLoop() {
  uint64_t last_size = 0;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, std::chrono::milliseconds(config_.checkpoint_interval_ms));
    if (stopping_) break;
    if (ledger_->Size() == last_size) continue;
    lock.unlock();
    auto cp = IssueCheckpoint();
    if (cp.ok()) {
      last_size = cp->size;
    } else {
      LogError("checkpoint failed", {{"error", std::string(cp.status().message())}});
    }
    lock.lock();
  }
}

void AttestdServer::Shutdown(std::chrono::milliseconds drain) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  LogInfo("shutting down: draining in-flight calls", {{"drain_ms", std::to_string(drain.count())}});
  if (grpc_server_) {
    // Load balancers and probes see NOT_SERVING while in-flight calls drain.
    if (auto* health = grpc_server_->GetHealthCheckService()) health->Shutdown();
    grpc_server_->Shutdown(std::chrono::system_clock::now() + drain);
  }
  if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
  if (ledger_ && ledger_->Size() > 0) {
    auto cp = IssueCheckpoint();
    if (!cp.ok()) LogError("final checkpoint failed", {{"error", std::string(cp.status().message())}});
  }
  metrics_http_.reset();
  if (grpc_server_) grpc_server_->Wait();
  grpc_server_.reset();
  if (exporter_) {
    exporter_.reset();  // joins its thread (at most one poll or RPC timeout); it borrows the store
    LogInfo("anchoring stopped");
  }
  service_.reset();
  ledger_.reset();  // closes the database cleanly
  LogInfo("stopped");
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
}

void AttestdServer::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return stopped_; });
}

}  // namespace attestd::service
