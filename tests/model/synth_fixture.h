// Test helper: a synthetic model folder in a fresh temporary directory,
// removed when the fixture object dies.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "model/engine.h"
#include "model/synth_model.h"
#include "tests/testing/temp_dir.h"

namespace attestd::model {

class TempSynthModel {
 public:
  TempSynthModel(ModelFamily family, uint64_t seed, int64_t layers = 0) {
    SynthOptions o;
    o.family = family;
    o.seed = seed;
    o.layers = layers;
    status_ = WriteSynthModel(dir(), o);
  }

  const std::string& dir() const { return tmp_.path(); }
  const absl::Status& status() const { return status_; }

 private:
  ::attestd::testing::TempDir tmp_{"synth"};
  absl::Status status_;
};

// A test suite sharing one engine, loaded once per suite: the synthetic qwen2
// model of seed 3, two threads, canonical mode. Suites that derive from it
// run one after another, each with a fresh load.
class SynthEngineSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    model_ = std::make_unique<TempSynthModel>(ModelFamily::kQwen2, 3);
    ASSERT_TRUE(model_->status().ok()) << model_->status();
    auto e = Engine::Load(model_->dir(), {2, NumericMode::kCanonical, KernelPath::kAuto});
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
  }
  static void TearDownTestSuite() {
    engine_.reset();
    model_.reset();
  }

  static inline std::unique_ptr<TempSynthModel> model_;
  static inline std::unique_ptr<Engine> engine_;
};

}  // namespace attestd::model
