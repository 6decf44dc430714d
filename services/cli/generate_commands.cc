// `attest generate`: a client of attestd's InferenceService.
//
//   attest generate --server ADDR --prompt TEXT [--model NAME] [--max-tokens N]
//                   [--temperature T --top-k K --top-p P --seed S] [--stop S]...
//                   [--message ROLE:CONTENT]... [--request-id ID]
//                   [--token-env VAR] [--tls-ca FILE] [--out DIR]
//
// Streams the text to stdout as it is generated, then writes DIR/receipt.json
// (the receipt with its salt), DIR/request.json and DIR/response.json (the
// plaintexts, docs/receipt-format.md) for `attest receipt verify`.
// The bearer token is read from the environment variable named by
// --token-env (default ATTEST_TOKEN), never from the command line.
#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "attest/commitment.h"
#include "attest/receipt.h"
#include "attestd/v1/inference.grpc.pb.h"
#include "services/cli/cli_helpers.h"
#include "services/cli/commands.h"
#include "services/grpc_status.h"

namespace attestd::cli {
namespace {

struct GenerateFlags {
  std::string server = "127.0.0.1:50051";
  std::string model;
  std::string prompt;
  std::vector<std::string> messages;
  int64_t max_tokens = 64;
  float temperature = 0.0f;
  int32_t top_k = 0;
  float top_p = 0.0f;
  uint64_t seed = 0;
  std::vector<std::string> stop;
  std::string request_id;
  std::string token_env = "ATTEST_TOKEN";
  std::string tls_ca;
  std::string out = ".";
  bool quiet = false;
};

absl::Status WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text << "\n";
  if (!out) return absl::InternalError("cannot write " + path.string());
  return absl::OkStatus();
}

absl::Status RunGenerate(const GenerateFlags& f) {
  v1::GenerateRequest request;
  request.set_prompt(f.prompt);
  for (const auto& m : f.messages) {
    size_t colon = m.find(':');
    if (colon == std::string::npos) return absl::InvalidArgumentError("--message: got \"" + m + "\", want ROLE:CONTENT");
    auto* turn = request.add_messages();
    turn->set_role(m.substr(0, colon));
    turn->set_content(m.substr(colon + 1));
  }
  request.set_max_tokens(f.max_tokens);
  request.mutable_sampling()->set_temperature(f.temperature);
  request.mutable_sampling()->set_top_k(f.top_k);
  request.mutable_sampling()->set_top_p(f.top_p);
  request.set_seed(f.seed);
  for (const auto& s : f.stop) request.add_stop(s);
  request.set_request_id(f.request_id);

  ASSIGN_OR_RETURN(auto channel, Connect(f.server, f.tls_ca));
  auto stub = v1::InferenceService::NewStub(channel);
  const char* token = std::getenv(f.token_env.c_str());
  auto authorize = [&](grpc::ClientContext& ctx) {
    if (token != nullptr && *token != '\0') ctx.AddMetadata("authorization", std::string("Bearer ") + token);
  };
  std::string model = f.model;
  if (model.empty()) {
    grpc::ClientContext ctx;
    authorize(ctx);
    v1::ListModelsResponse models;
    RETURN_IF_ERROR(service::FromGrpcStatus(stub->ListModels(&ctx, {}, &models)));
    if (models.models_size() == 0) return absl::NotFoundError("the server lists no models");
    model = models.models(0).name();
  }
  request.set_model(model);

  grpc::ClientContext ctx;
  authorize(ctx);
  auto reader = stub->GenerateStream(&ctx, request);
  v1::GenerateStreamResponse msg;
  v1::GenerateResponse final_response;
  bool have_final = false;
  while (reader->Read(&msg)) {
    if (msg.has_chunk()) {
      if (!f.quiet) std::cout << msg.chunk().text() << std::flush;
    } else if (msg.has_final()) {
      final_response = msg.final();
      have_final = true;
    }
  }
  RETURN_IF_ERROR(service::FromGrpcStatus(reader->Finish()));
  if (!f.quiet) std::cout << "\n";
  if (!have_final) return absl::DataLossError("the stream ended without the final message");

  CommittedRequest committed;
  committed.model_name = final_response.model();
  committed.prompt_text = final_response.prompt_text();
  committed.prompt_token_ids.assign(final_response.prompt_token_ids().begin(), final_response.prompt_token_ids().end());
  committed.sampling.temperature = f.temperature;
  committed.sampling.top_k = static_cast<uint32_t>(f.top_k);
  committed.sampling.top_p = f.top_p == 0.0f ? 1.0f : f.top_p;
  committed.sampling.max_tokens = static_cast<uint64_t>(f.max_tokens);
  committed.sampling.stop = f.stop;
  committed.seed = f.seed;
  CommittedResponse response;
  response.output_token_ids.assign(final_response.token_ids().begin(), final_response.token_ids().end());
  response.text = final_response.text();
  response.finish_reason = final_response.finish_reason();

  std::filesystem::create_directories(f.out);
  const std::filesystem::path dir(f.out);
  RETURN_IF_ERROR(WriteText(dir / "receipt.json", final_response.receipt().receipt_json()));
  RETURN_IF_ERROR(WriteText(dir / "request.json", RequestToJson(committed).dump()));
  RETURN_IF_ERROR(WriteText(dir / "response.json", ResponseToJson(response).dump()));
  std::cerr << "attest: request " << final_response.request_id() << ", leaf " << final_response.receipt().leaf_index()
            << ", finish " << final_response.finish_reason() << "; wrote " << (dir / "receipt.json").string() << ", "
            << (dir / "request.json").string() << ", " << (dir / "response.json").string() << "\n";
  return absl::OkStatus();
}

}  // namespace

void AddGenerateCommands(CLI::App& app) {
  auto f = std::make_shared<GenerateFlags>();
  CLI::App* cmd = app.add_subcommand("generate", "Run attested inference on an attestd server; save the receipt");
  cmd->add_option("--server", f->server, "host:port of attestd")->capture_default_str();
  cmd->add_option("--model", f->model, "model name (default: the server's first)");
  auto* prompt = cmd->add_option("--prompt", f->prompt, "prompt text");
  auto* message = cmd->add_option("--message", f->messages, "chat turn ROLE:CONTENT (repeatable)");
  prompt->excludes(message);
  cmd->add_option("--max-tokens", f->max_tokens, "most tokens to generate")->capture_default_str();
  cmd->add_option("--temperature", f->temperature, "0 = greedy")->capture_default_str();
  cmd->add_option("--top-k", f->top_k, "0 = off")->capture_default_str();
  cmd->add_option("--top-p", f->top_p, "0 = unset (1.0)")->capture_default_str();
  cmd->add_option("--seed", f->seed, "sampling seed")->capture_default_str();
  cmd->add_option("--stop", f->stop, "stop string (repeatable)");
  cmd->add_option("--request-id", f->request_id, "request id (default: the server makes one)");
  cmd->add_option("--token-env", f->token_env, "environment variable holding the bearer token")->capture_default_str();
  cmd->add_option("--tls-ca", f->tls_ca, "PEM roots to trust for a TLS server");
  cmd->add_option("--out", f->out, "folder for receipt.json, request.json, response.json")->capture_default_str();
  cmd->add_flag("--quiet", f->quiet, "do not print the text");
  cmd->callback([f] {
    absl::Status s = RunGenerate(*f);
    if (!s.ok()) ReportError(s);
  });
}

}  // namespace attestd::cli
