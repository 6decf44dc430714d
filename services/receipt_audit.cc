#include "services/receipt_audit.h"

#include "attest/model_digest.h"
#include "attestd/v1/ledger.grpc.pb.h"
#include "ledger/checkpoint.h"
#include "ledger/proof_verify.h"
#include "model/engine.h"
#include "services/grpc_status.h"
#include "services/server.h"

namespace attestd::service {
namespace {

absl::StatusOr<std::vector<Digest32>> DecodeHashes(const google::protobuf::RepeatedPtrField<std::string>& hex) {
  std::vector<Digest32> out;
  for (int i = 0; i < hex.size(); ++i) {
    ASSIGN_OR_RETURN(Digest32 h, HexDecodeFixed<32>(hex[i], "proof hash " + std::to_string(i)));
    out.push_back(h);
  }
  return out;
}

grpc::ClientContext* WithDeadline(grpc::ClientContext& ctx) {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return &ctx;
}

}  // namespace

absl::StatusOr<LedgerEvidence> FetchLedgerEvidence(const std::shared_ptr<grpc::Channel>& channel,
                                                   const std::string& pinned_verifier_key, Receipt& receipt) {
  if (!receipt.ledger) return absl::InvalidArgumentError("receipt has no ledger position (leaf_index)");
  auto stub = v1::LedgerService::NewStub(channel);
  LedgerEvidence evidence;

  v1::GetCheckpointResponse latest;
  {
    grpc::ClientContext ctx;
    absl::Status fetched = FromGrpcStatus(stub->GetCheckpoint(WithDeadline(ctx), v1::GetCheckpointRequest(), &latest));
    if (absl::IsNotFound(fetched)) {
      // A fresh log: the first checkpoint comes with the server's next timer tick.
      return absl::UnavailableError("leaf " + std::to_string(receipt.ledger->leaf_index) +
                                    " is not yet covered by a checkpoint (the server has issued none yet); retry "
                                    "after the next checkpoint");
    }
    RETURN_IF_ERROR(fetched);
  }
  evidence.latest_size = latest.tree_size();
  evidence.latest_checkpoint = latest.checkpoint();
  evidence.key_from_server = pinned_verifier_key.empty();
  evidence.verifier_key = evidence.key_from_server ? latest.verifier_key() : pinned_verifier_key;
  ASSIGN_OR_RETURN(NoteVerifierKey key, ParseNoteVerifierKey(evidence.verifier_key));
  const std::vector<NoteVerifierKey> known = {key};
  ASSIGN_OR_RETURN(ledger::Checkpoint newest, ledger::OpenCheckpoint(latest.checkpoint(), known));
  if (newest.size != latest.tree_size()) {
    return absl::DataLossError("server checkpoint: note says size " + std::to_string(newest.size) +
                               ", response says " + std::to_string(latest.tree_size()));
  }

  if (receipt.ledger->leaf_index >= newest.size) {
    return absl::UnavailableError("leaf " + std::to_string(receipt.ledger->leaf_index) +
                                  " is not yet covered by a checkpoint (the newest covers " +
                                  std::to_string(newest.size) + " leaves); retry after the next checkpoint");
  }

  // An older checkpoint in the receipt must be a prefix of the newest one.
  if (receipt.ledger->inclusion && receipt.ledger->inclusion->tree_size < newest.size) {
    ASSIGN_OR_RETURN(ledger::Checkpoint old, ledger::OpenCheckpoint(receipt.ledger->inclusion->checkpoint, known));
    v1::GetConsistencyProofRequest req;
    req.set_from_size(old.size);
    req.set_to_size(newest.size);
    v1::GetConsistencyProofResponse proof;
    grpc::ClientContext ctx;
    RETURN_IF_ERROR(FromGrpcStatus(stub->GetConsistencyProof(WithDeadline(ctx), req, &proof)));
    ASSIGN_OR_RETURN(std::vector<Digest32> hashes, DecodeHashes(proof.hashes()));
    RETURN_IF_ERROR(ledger::VerifyConsistency(old.size, newest.size, hashes, old.root, newest.root));
    evidence.consistency = "checkpoint " + std::to_string(old.size) + " -> " + std::to_string(newest.size) +
                           " consistent (RFC 9162, " + std::to_string(hashes.size()) + " hashes)";
  }

  v1::GetInclusionProofRequest req;
  req.set_index(receipt.ledger->leaf_index);
  req.set_tree_size(newest.size);
  v1::GetInclusionProofResponse proof;
  grpc::ClientContext ctx;
  RETURN_IF_ERROR(FromGrpcStatus(stub->GetInclusionProof(WithDeadline(ctx), req, &proof)));
  ASSIGN_OR_RETURN(std::vector<Digest32> hashes, DecodeHashes(proof.hashes()));
  receipt.ledger->inclusion = LedgerInclusion{newest.size, std::move(hashes), latest.checkpoint()};
  return evidence;
}

absl::StatusOr<ReexecutionResult> ReexecuteOutput(const std::string& model_dir, const Receipt& receipt,
                                                  const CommittedRequest& request) {
  if (!receipt.salt) return absl::FailedPreconditionError("re-execution needs the receipt's salt (the client's copy)");
  ReexecutionResult out;
  ModelDigestOptions digest_options;
  digest_options.progress = false;
  ASSIGN_OR_RETURN(ModelManifest manifest, ComputeModelDigest(model_dir, digest_options));
  out.model_digest = manifest.digest;
  ASSIGN_OR_RETURN(out.engine_digest, CanonicalEngineDigest());
  ASSIGN_OR_RETURN(std::unique_ptr<model::Engine> engine, model::Engine::Load(model_dir, model::EngineOptions{}));
  model::GenerationRequest g;
  g.prompt_token_ids.assign(request.prompt_token_ids.begin(), request.prompt_token_ids.end());
  g.max_tokens = static_cast<int64_t>(request.sampling.max_tokens);
  g.temperature = request.sampling.temperature;
  g.top_k = static_cast<int32_t>(request.sampling.top_k);
  g.top_p = request.sampling.top_p;
  g.seed = request.seed;
  g.stop_strings = request.sampling.stop;
  ASSIGN_OR_RETURN(model::GenerationResult result, engine->Generate(g, {}, nullptr));
  out.response.output_token_ids.assign(result.output_token_ids.begin(), result.output_token_ids.end());
  out.response.text = result.text;
  out.response.finish_reason = result.finish_reason;
  out.output_commitment = OutputCommitment(*receipt.salt, out.response);
  const AttestationStatement& s = receipt.statement;
  if (out.model_digest != s.model_digest) {
    out.detail = "model digest of " + model_dir + " is " + HexEncode(out.model_digest) + ", receipt has " +
                 HexEncode(s.model_digest);
  } else if (out.engine_digest != s.engine_digest) {
    out.detail = "local engine digest " + HexEncode(out.engine_digest) + ", receipt has " + HexEncode(s.engine_digest);
  } else if (InputCommitment(*receipt.salt, request) != s.input_commitment) {
    out.detail = "the request file does not match the receipt's inputCommitment";
  } else if (out.output_commitment != s.output_commitment) {
    out.detail = "re-executed outputCommitment " + HexEncode(out.output_commitment) + ", receipt has " +
                 HexEncode(s.output_commitment);
  } else {
    out.matches = true;
    out.detail = "re-executed on the CPU: outputCommitment " + HexEncode(out.output_commitment) + " reproduced";
  }
  return out;
}

}  // namespace attestd::service
