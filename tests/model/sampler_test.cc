#include "model/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <vector>

namespace attestd::model {
namespace {

// Known answers from the Random123 distribution (kat_vectors, philox4x32 10).
TEST(PhiloxTest, MatchesKnownAnswers) {
  EXPECT_EQ(Philox4x32_10({0, 0, 0, 0}, {0, 0}),
            (std::array<uint32_t, 4>{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
  EXPECT_EQ(Philox4x32_10({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu}),
            (std::array<uint32_t, 4>{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}));
  EXPECT_EQ(Philox4x32_10({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, {0xa4093822u, 0x299f31d0u}),
            (std::array<uint32_t, 4>{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}));
}

TEST(SamplerTest, UniformIsInTheUnitIntervalAndStateless) {
  for (uint64_t step = 0; step < 1000; ++step) {
    float u = SampleUniform(42, step);
    EXPECT_GE(u, 0.0f);
    EXPECT_LT(u, 1.0f);
    EXPECT_EQ(u, SampleUniform(42, step));
  }
  EXPECT_NE(SampleUniform(1, 0), SampleUniform(2, 0));
}

TEST(SamplerTest, GreedyTieTakesTheLowestId) {
  std::vector<float> logits = {0.5f, 2.0f, -1.0f, 2.0f};
  EXPECT_EQ(SampleToken(logits, {}, 0), 1);
  logits[0] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(SampleToken(logits, {}, 0), 1);
}

TEST(SamplerTest, TopKOneIsGreedy) {
  std::vector<float> logits = {0.1f, 0.3f, 0.2f, 0.3f};
  SamplingParams p{1.0f, 1, 1.0f, 7};
  for (uint64_t step = 0; step < 50; ++step) EXPECT_EQ(SampleToken(logits, p, step), 1);
}

TEST(SamplerTest, TopPKeepsOnlyTheNucleus) {
  // Probabilities ~ {0.64, 0.24, 0.09, 0.03}: top_p 0.8 keeps the first two.
  std::vector<float> logits = {3.0f, 2.0f, 1.0f, -0.1f};
  SamplingParams p{1.0f, 0, 0.8f, 3};
  for (uint64_t step = 0; step < 500; ++step) {
    int32_t t = SampleToken(logits, p, step);
    EXPECT_TRUE(t == 0 || t == 1) << t;
  }
}

TEST(SamplerTest, TemperatureSamplingFollowsSoftmax) {
  std::vector<float> logits = {0.0f, 1.0f, 2.0f};
  SamplingParams p{1.0f, 0, 1.0f, 99};
  std::map<int32_t, int> counts;
  const int n = 20000;
  for (uint64_t step = 0; step < n; ++step) counts[SampleToken(logits, p, step)]++;
  const double z = 1 + std::exp(1.0) + std::exp(2.0);
  EXPECT_NEAR(counts[0] / double(n), 1 / z, 0.015);
  EXPECT_NEAR(counts[1] / double(n), std::exp(1.0) / z, 0.015);
  EXPECT_NEAR(counts[2] / double(n), std::exp(2.0) / z, 0.015);
}

}  // namespace
}  // namespace attestd::model
