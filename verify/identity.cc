#include "verify/identity.h"

#include "attest/engine_digest.h"
#include "model/engine.h"
#include "model/inference_files.h"

namespace attestd {

absl::StatusOr<ModelManifest> ComputeModelDigest(const std::string& model_dir, const ModelDigestOptions& options) {
  ASSIGN_OR_RETURN(std::vector<std::string> files, model::ListInferenceFiles(model_dir));
  return DigestModelFiles(model_dir, files, options);
}

absl::StatusOr<Digest32> CanonicalEngineDigest() {
  EngineDescription d;
  d.engine_version = std::string(model::kEngineVersion);
  d.numeric_mode = EngineNumericMode::kCanonical;
  d.reduce_spec_version = std::string(model::kReduceSpecVersion);
  return EngineDigest(d);
}

}  // namespace attestd
