// Test helper: a synthetic model folder in a fresh temporary directory,
// removed when the fixture object dies.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "model/synth_model.h"

namespace attestd::model {

class TempSynthModel {
 public:
  TempSynthModel(ModelFamily family, uint64_t seed, int64_t layers = 0) {
    char tmpl[] = "/tmp/attestd-synth-XXXXXX";
    const char* made = ::mkdtemp(tmpl);
    dir_ = made != nullptr ? made : "";
    SynthOptions o;
    o.family = family;
    o.seed = seed;
    o.layers = layers;
    status_ = dir_.empty() ? absl::InternalError("mkdtemp failed") : WriteSynthModel(dir_, o);
  }
  ~TempSynthModel() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  TempSynthModel(const TempSynthModel&) = delete;
  TempSynthModel& operator=(const TempSynthModel&) = delete;

  const std::string& dir() const { return dir_; }
  const absl::Status& status() const { return status_; }

 private:
  std::string dir_;
  absl::Status status_;
};

}  // namespace attestd::model
