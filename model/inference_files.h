// Which files of a Hugging Face model folder inference reads: config.json
// (model/config.h), generation_config.json when present (its eos ids),
// tokenizer.json (model/tokenizer.h) and every *.safetensors (model/weights.h),
// all at the top level of the folder. Nothing else is opened:
// tokenizer_config.json and model.safetensors.index.json are not read.
//
// The modelDigest (SPEC "Model and engine identity") commits to exactly this
// list; attest/model_digest.h hashes whatever list it is given and
// verify/identity.h joins the two.
//
// Thread safety: a pure function of the folder's contents; safe to call
// concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace attestd::model {

// True for a name the list below may hold: config.json,
// generation_config.json, tokenizer.json or NAME.safetensors.
[[nodiscard]] bool IsInferenceFileName(std::string_view name);

// The relative paths of the files inference reads, sorted in byte order.
// A symlink is followed only if its target stays inside the folder.
// NotFound when the folder, config.json, tokenizer.json or every
// *.safetensors is missing (or a symlink does not resolve); InvalidArgument
// for a symlink leaving the folder, an entry that is not a regular file, or a
// path that is not a directory; Internal when the folder cannot be listed.
[[nodiscard]] absl::StatusOr<std::vector<std::string>> ListInferenceFiles(const std::string& model_dir);

}  // namespace attestd::model
