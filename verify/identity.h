// The identity a receipt commits to (SPEC "Model and engine identity"),
// computed the same way by the server that signs and the auditor who checks:
//
//   modelDigest   attest/model_digest.h over the files inference reads
//                 (model/inference_files.h)
//   engineDigest  attest/engine_digest.h over the canonical CPU engine's
//                 version and reduction-order spec (model/engine.h)
//
// attest/ knows how to hash and model/ knows what it reads; neither includes
// the other, so the join lives here.
//
// Thread safety: as the functions joined (attest/model_digest.h for a shared
// cache folder); otherwise safe to call concurrently.
#pragma once

#include <string>

#include "attest/bytes.h"
#include "attest/model_digest.h"
#include "base/status.h"

namespace attestd {

// Lists the files inference reads in `model_dir` and digests them. Errors:
// those of model::ListInferenceFiles, then those of DigestModelFiles.
[[nodiscard]] absl::StatusOr<ModelManifest> ComputeModelDigest(const std::string& model_dir,
                                                               const ModelDigestOptions& options);

// engineDigest of the canonical CPU engine (docs/receipt-format.md).
[[nodiscard]] absl::StatusOr<Digest32> CanonicalEngineDigest();

}  // namespace attestd
