#include "services/grpc_services.h"

#include <chrono>

#include "ledger/proof_json.h"
#include "model/family.h"
#include "services/grpc_status.h"

namespace attestd::service {
namespace {

std::string Metadata(const grpc::ServerContext* context, const std::string& key) {
  const auto& md = context->client_metadata();
  auto it = md.find(key);
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

CallContext MakeCallContext(grpc::ServerContext* context, const Limits& limits) {
  CallContext call;
  auto now_system = std::chrono::system_clock::now();
  auto now_steady = std::chrono::steady_clock::now();
  auto deadline = context->deadline();
  auto fallback = now_steady + std::chrono::milliseconds(limits.default_deadline_ms);
  if (deadline == std::chrono::system_clock::time_point::max() || deadline - now_system > std::chrono::hours(24 * 365)) {
    call.deadline = fallback;
  } else {
    call.deadline = now_steady + std::chrono::duration_cast<std::chrono::steady_clock::duration>(deadline - now_system);
  }
  call.cancelled = [context] { return context->IsCancelled(); };
  return call;
}

InferenceRequest FromProto(const v1::GenerateRequest& r, std::string client) {
  InferenceRequest out;
  out.model = r.model();
  out.prompt = r.prompt();
  for (const auto& m : r.messages()) out.messages.push_back({m.role(), m.content()});
  out.temperature = r.sampling().temperature();
  out.top_k = r.sampling().top_k();
  out.top_p = r.sampling().top_p();
  out.seed = r.seed();
  out.max_tokens = r.max_tokens();
  out.stop.assign(r.stop().begin(), r.stop().end());
  out.request_id = r.request_id();
  out.client = std::move(client);
  return out;
}

int64_t Ms(int64_t ns) { return ns / 1'000'000; }

void ResultToProto(const InferenceResult& result, v1::GenerateResponse* out) {
  out->set_request_id(result.request_id);
  out->set_model(result.model);
  out->set_text(result.text);
  for (int32_t id : result.token_ids) out->add_token_ids(id);
  for (int32_t id : result.prompt_token_ids) out->add_prompt_token_ids(id);
  out->set_finish_reason(result.finish_reason);
  out->set_prompt_text(result.committed_request.prompt_text);
  out->mutable_usage()->set_prompt_tokens(static_cast<int64_t>(result.prompt_token_ids.size()));
  out->mutable_usage()->set_completion_tokens(static_cast<int64_t>(result.token_ids.size()));
  out->mutable_timings()->set_queue_ms(Ms(result.queue_ns));
  out->mutable_timings()->set_prefill_ms(Ms(result.prefill_ns));
  out->mutable_timings()->set_decode_ms(Ms(result.decode_ns));
  out->mutable_timings()->set_attest_ms(Ms(result.attest_ns));
  if (result.receipt) {
    out->set_salt(HexEncode(result.salt));
    ToProto(MakeReceipt(*result.receipt, result.model, result.salt), result.receipt->log_origin,
            out->mutable_receipt());
  }
}

}  // namespace

void ToProto(const Receipt& receipt, const std::string& log_origin, v1::Receipt* out) {
  const AttestationStatement& s = receipt.statement;
  out->set_receipt_json(ReceiptToJson(receipt));
  if (receipt.ledger) out->set_leaf_index(receipt.ledger->leaf_index);
  out->set_attestor(ToChecksumAddress(receipt.attestor));
  out->set_request_id_hash(HexEncode(s.request_id));
  out->set_log_id(HexEncode(s.log_id));
  out->set_model_digest(HexEncode(s.model_digest));
  out->set_engine_digest(HexEncode(s.engine_digest));
  out->set_input_commitment(HexEncode(s.input_commitment));
  out->set_output_commitment(HexEncode(s.output_commitment));
  out->set_issued_at_ms(s.issued_at_ms);
  out->set_signature(HexEncode(receipt.signature));
  out->set_log_origin(log_origin);
}

absl::Status InferenceServiceImpl::Run(grpc::ServerContext* context, const v1::GenerateRequest& request,
                                       const ChunkCallback& on_chunk, v1::GenerateResponse* response) {
  const std::string authorization = Metadata(context, "authorization");
  RETURN_IF_ERROR(auth_->Get()->CheckInference(authorization));
  CallContext call = MakeCallContext(context, service_->limits());
  ASSIGN_OR_RETURN(InferenceResult result,
                   service_->Generate(FromProto(request, Authenticator::ClientIdentity(authorization, context->peer())),
                                      on_chunk, call));
  ResultToProto(result, response);
  return absl::OkStatus();
}

grpc::Status InferenceServiceImpl::Generate(grpc::ServerContext* context, const v1::GenerateRequest* request,
                                            v1::GenerateResponse* response) {
  absl::Status s = Run(context, *request, {}, response);
  grpc::Status g = ToGrpcStatus(s);
  metrics_->RecordRequest(std::string(absl::StatusCodeToString(s.code())));
  return g;
}

grpc::Status InferenceServiceImpl::GenerateStream(grpc::ServerContext* context, const v1::GenerateRequest* request,
                                                  grpc::ServerWriter<v1::GenerateStreamResponse>* writer) {
  auto on_chunk = [writer](std::string_view text, int32_t token_id) {
    v1::GenerateStreamResponse msg;
    msg.mutable_chunk()->set_text(std::string(text));
    msg.mutable_chunk()->add_token_ids(token_id);
    return writer->Write(msg);
  };
  v1::GenerateStreamResponse final_message;
  absl::Status s = Run(context, *request, on_chunk, final_message.mutable_final());
  if (s.ok() && !writer->Write(final_message)) {
    // The receipt is logged; the client can still fetch it with GetReceipt.
    s = absl::UnavailableError("the client stream closed before the final message; fetch the receipt with GetReceipt");
  }
  metrics_->RecordRequest(std::string(absl::StatusCodeToString(s.code())));
  return ToGrpcStatus(s);
}

grpc::Status InferenceServiceImpl::ListModels(grpc::ServerContext* context, const v1::ListModelsRequest*,
                                              v1::ListModelsResponse* response) {
  absl::Status s = auth_->Get()->CheckInference(Metadata(context, "authorization"));
  if (!s.ok()) return ToGrpcStatus(s);
  for (const auto& m : service_->models()) {
    auto* d = response->add_models();
    d->set_name(m.name);
    d->set_model_digest(HexEncode(m.model_digest));
    d->set_family(std::string(model::ModelFamilyName(m.engine->info().family)));
    d->set_context_length(m.engine->info().context_length);
    d->set_engine_digest(HexEncode(m.engine_digest));
    d->set_backend(std::string(model::BackendName(m.engine->info().backend)));
    d->set_runs_on(m.engine->info().runs_on);
  }
  return grpc::Status::OK;
}

grpc::Status LedgerServiceImpl::GetCheckpoint(grpc::ServerContext*, const v1::GetCheckpointRequest* request,
                                              v1::GetCheckpointResponse* response) {
  auto checkpoint = queries_->GetCheckpoint(request->tree_size());
  if (!checkpoint.ok()) return ToGrpcStatus(checkpoint.status());
  response->set_checkpoint(checkpoint->note);
  response->set_tree_size(checkpoint->tree_size);
  response->set_root_hash(HexEncode(checkpoint->root));
  response->set_verifier_key(checkpoint->verifier_key);
  return grpc::Status::OK;
}

grpc::Status LedgerServiceImpl::GetEntry(grpc::ServerContext*, const v1::GetEntryRequest* request,
                                         v1::GetEntryResponse* response) {
  auto entry = queries_->GetEntry(request->index());
  if (!entry.ok()) return ToGrpcStatus(entry.status());
  response->set_index(entry->index);
  response->set_leaf(std::string(entry->leaf.begin(), entry->leaf.end()));
  response->set_leaf_hash(HexEncode(entry->leaf_hash));
  return grpc::Status::OK;
}

grpc::Status LedgerServiceImpl::GetInclusionProof(grpc::ServerContext*, const v1::GetInclusionProofRequest* request,
                                                  v1::GetInclusionProofResponse* response) {
  auto record = queries_->GetInclusionProof(request->index(), request->tree_size());
  if (!record.ok()) return ToGrpcStatus(record.status());
  response->set_index(record->index);
  response->set_tree_size(record->tree_size);
  for (const Digest32& h : record->proof) response->add_hashes(HexEncode(h));
  response->set_proof_json(ledger::InclusionProofToJson(*record));
  return grpc::Status::OK;
}

grpc::Status LedgerServiceImpl::GetConsistencyProof(grpc::ServerContext*, const v1::GetConsistencyProofRequest* request,
                                                    v1::GetConsistencyProofResponse* response) {
  auto record = queries_->GetConsistencyProof(request->from_size(), request->to_size());
  if (!record.ok()) return ToGrpcStatus(record.status());
  response->set_from_size(record->from);
  response->set_to_size(record->to);
  for (const Digest32& h : record->proof) response->add_hashes(HexEncode(h));
  response->set_proof_json(ledger::ConsistencyProofToJson(*record));
  return grpc::Status::OK;
}

grpc::Status LedgerServiceImpl::GetReceipt(grpc::ServerContext*, const v1::GetReceiptRequest* request,
                                           v1::GetReceiptResponse* response) {
  auto receipt = queries_->GetReceipt(request->request_id());
  if (!receipt.ok()) return ToGrpcStatus(receipt.status());
  ToProto(*receipt, queries_->origin(), response->mutable_receipt());
  return grpc::Status::OK;
}

grpc::Status LedgerServiceImpl::ListAnchors(grpc::ServerContext*, const v1::ListAnchorsRequest*,
                                            v1::ListAnchorsResponse* response) {
  auto records = queries_->ListAnchors();
  if (!records.ok()) return ToGrpcStatus(records.status());
  for (const chain::AnchorRecord& r : *records) {
    v1::Anchor* anchor = response->add_anchors();
    anchor->set_tree_size(r.tree_size);
    anchor->set_root(HexEncode(r.root));
    anchor->set_tx_hash(HexEncode(r.tx_hash));
    anchor->set_block_number(r.block_number);
    if (r.block_number != 0) anchor->set_block_hash(HexEncode(r.block_hash));
    anchor->set_state(std::string(chain::AnchorStateName(r.state)));
  }
  return grpc::Status::OK;
}

absl::Status AdminServiceImpl::CheckAdmin(grpc::ServerContext* context) const {
  return auth_->Get()->CheckAdmin(Metadata(context, "authorization"));
}

grpc::Status AdminServiceImpl::ReloadConfig(grpc::ServerContext* context, const v1::ReloadConfigRequest*,
                                            v1::ReloadConfigResponse* response) {
  absl::Status s = CheckAdmin(context);
  if (!s.ok()) return ToGrpcStatus(s);
  auto changes = reload_();
  if (!changes.ok()) return ToGrpcStatus(changes.status());
  for (const auto& c : *changes) response->add_changes(c);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::IssueCheckpoint(grpc::ServerContext* context, const v1::IssueCheckpointRequest*,
                                               v1::IssueCheckpointResponse* response) {
  absl::Status s = CheckAdmin(context);
  if (!s.ok()) return ToGrpcStatus(s);
  auto cp = checkpoint_();
  if (!cp.ok()) return ToGrpcStatus(cp.status());
  response->set_checkpoint(cp->note);
  response->set_tree_size(cp->size);
  return grpc::Status::OK;
}

}  // namespace attestd::service
