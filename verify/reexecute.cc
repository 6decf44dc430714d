#include "verify/reexecute.h"

#include <memory>

#include "model/engine.h"
#include "verify/identity.h"

namespace attestd {

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

}  // namespace attestd
