// The own exp/log/sin/cos must be accurate (they replace libm) and are
// checked against libm here, in the test only.
#include "kernels/transcendental.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

namespace attestd::kernels {
namespace {

double RelErr(double got, double want) { return want == 0 ? std::fabs(got) : std::fabs((got - want) / want); }

TEST(TranscendentalTest, ExpDInaccurateAgainstLibm) {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> dist(-700, 700);
  double worst = 0;
  for (int i = 0; i < 200000; ++i) {
    double x = dist(rng);
    worst = std::max(worst, RelErr(ExpD(x), std::exp(x)));
  }
  EXPECT_LT(worst, 4e-16);
  EXPECT_EQ(ExpD(0.0), 1.0);
  EXPECT_EQ(ExpD(-800.0), 0.0);
  EXPECT_TRUE(std::isinf(ExpD(710.0)));
  EXPECT_TRUE(std::isnan(ExpD(std::nan(""))));
  EXPECT_EQ(ExpD(-std::numeric_limits<double>::infinity()), 0.0);
}

TEST(TranscendentalTest, ExpFNotCorrectlyRoundedOnSoftmaxRange) {
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> dist(-100.0f, 20.0f);
  int mismatches = 0;
  for (int i = 0; i < 200000; ++i) {
    float x = dist(rng);
    float want = static_cast<float>(std::exp(static_cast<double>(x)));
    if (ExpF(x) != want) ++mismatches;
  }
  // Double evaluation then one rounding: a mismatch needs a double error
  // straddling an f32 rounding boundary, which is vanishingly rare.
  EXPECT_LE(mismatches, 2);
}

TEST(TranscendentalTest, LogDInaccurateAgainstLibm) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> dist(-30, 30);
  double worst = 0;
  for (int i = 0; i < 100000; ++i) {
    double x = std::exp(dist(rng));
    worst = std::max(worst, std::fabs(LogD(x) - std::log(x)) / std::max(1.0, std::fabs(std::log(x))));
  }
  EXPECT_LT(worst, 4e-16);
  EXPECT_EQ(LogD(1.0), 0.0);
  EXPECT_TRUE(std::isnan(LogD(-1.0)));
  EXPECT_TRUE(std::isnan(LogD(0.0)));
  EXPECT_NEAR(LogD(5e-324), std::log(5e-324), 1e-12);
}

TEST(TranscendentalTest, SinCosDInaccurateForRopeAngles) {
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> dist(-200000, 200000);
  double worst = 0;
  for (int i = 0; i < 200000; ++i) {
    double x = static_cast<double>(static_cast<float>(dist(rng)));
    double s, c;
    SinCosD(x, &s, &c);
    worst = std::max(worst, std::fabs(s - std::sin(x)));
    worst = std::max(worst, std::fabs(c - std::cos(x)));
  }
  EXPECT_LT(worst, 1e-14);
  double s, c;
  SinCosD(0.0, &s, &c);
  EXPECT_EQ(s, 0.0);
  EXPECT_EQ(c, 1.0);
}

}  // namespace
}  // namespace attestd::kernels
