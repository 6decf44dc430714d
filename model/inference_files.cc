#include "model/inference_files.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace attestd::model {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kWeightsSuffix = ".safetensors";

bool IsWeightsFileName(std::string_view name) {
  return name.size() > kWeightsSuffix.size() && name.substr(name.size() - kWeightsSuffix.size()) == kWeightsSuffix;
}

}  // namespace

bool IsInferenceFileName(std::string_view name) {
  if (name == "config.json" || name == "generation_config.json" || name == "tokenizer.json") return true;
  return IsWeightsFileName(name);
}

absl::StatusOr<std::vector<std::string>> ListInferenceFiles(const std::string& model_dir) {
  // The error_code overloads: the folder may change under us, and no
  // filesystem_error may escape this module.
  std::error_code ec;
  fs::path root = fs::canonical(model_dir, ec);
  if (ec) return absl::NotFoundError("model folder " + model_dir + ": " + ec.message());
  if (!fs::is_directory(root, ec)) return absl::InvalidArgumentError("model folder " + model_dir + ": not a directory");
  std::vector<std::string> names;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!IsInferenceFileName(name)) continue;
    fs::file_status link_status = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_symlink(link_status)) {
      fs::path target = fs::canonical(it->path(), ec);
      if (ec) return absl::NotFoundError(name + ": symlink does not resolve: " + ec.message());
      auto rel = target.lexically_relative(root);
      if (rel.empty() || *rel.begin() == "..") {
        return absl::InvalidArgumentError(name + ": symlink points outside the model folder (to " +
                                          target.string() + ")");
      }
    }
    if (!fs::is_regular_file(it->status(ec))) {
      return absl::InvalidArgumentError(name + ": not a regular file");
    }
    names.push_back(name);
  }
  if (ec) return absl::InternalError("listing " + model_dir + ": " + ec.message());
  std::sort(names.begin(), names.end());  // std::string compares bytes as unsigned char
  auto has = [&](std::string_view n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  for (std::string_view required : {"config.json", "tokenizer.json"}) {
    if (!has(required)) return absl::NotFoundError(std::string(required) + ": missing from " + model_dir);
  }
  if (std::none_of(names.begin(), names.end(), [](const std::string& n) { return IsWeightsFileName(n); })) {
    return absl::NotFoundError("no *.safetensors file in " + model_dir);
  }
  return names;
}

}  // namespace attestd::model
