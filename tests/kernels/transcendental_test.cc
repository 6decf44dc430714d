// The own exp/log/sin/cos must be accurate (they replace libm) and are
// checked against libm here, in the test only.
#include "kernels/transcendental.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "kernels/dot.h"

namespace attestd::kernels {
namespace {

double RelErr(double got, double want) { return want == 0 ? std::fabs(got) : std::fabs((got - want) / want); }

TEST(TranscendentalTest, ExpDAgreesWithLibm) {
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

TEST(TranscendentalTest, ExpFIsCorrectlyRoundedOnSoftmaxRange) {
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

// The AVX-512 ExpF must return ExpF's bits for every kind of input: a
// spread of all 2^32 bit patterns (normal, subnormal, +-0, +-inf, NaNs),
// the edges of its branches (the -745.2 / 709.7 cut-offs and |k| = 1000,
// where the scaling takes two steps), and lengths that leave a partial
// vector.
TEST(TranscendentalTest, ExpFAvx512EqualsScalar) {
  if (!CpuHasAvx512()) GTEST_SKIP() << "CPU has no AVX-512";
  std::vector<float> x;
  for (uint64_t b = 0; b < (uint64_t{1} << 32); b += 4099) {
    const auto bits = static_cast<uint32_t>(b);
    float f;
    std::memcpy(&f, &bits, 4);
    x.push_back(f);
  }
  for (float edge : {-745.2f, -745.1f, -745.3f, -693.147f, -693.2f, -693.1f, 693.147f, 693.2f, 709.7f, 709.8f, 88.7f,
                     -103.9f, 0.0f, -0.0f, 1e-45f, -1e-45f, std::numeric_limits<float>::infinity(),
                     -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()}) {
    x.push_back(edge);
    x.push_back(std::nextafter(edge, -std::numeric_limits<float>::infinity()));
    x.push_back(std::nextafter(edge, std::numeric_limits<float>::infinity()));
    if (std::isfinite(edge)) {
      for (int step = -3; step <= 3; ++step) x.push_back(edge + static_cast<float>(step) * 1e-3f);
    }
  }
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> dist(-120.0f, 30.0f);
  for (int i = 0; i < 100000; ++i) x.push_back(dist(rng));
  for (size_t n : {x.size(), size_t{1}, size_t{7}, size_t{9}, size_t{17}}) {
    std::vector<float> got(n);
    ExpFAvx512(x.data(), got.data(), static_cast<int64_t>(n));
    size_t mismatches = 0;
    for (size_t i = 0; i < n; ++i) {
      const float want = ExpF(x[i]);
      if (std::memcmp(&got[i], &want, 4) != 0 && ++mismatches <= 5) {
        ADD_FAILURE() << "ExpF(" << x[i] << "): vector " << got[i] << ", scalar " << want;
      }
    }
    EXPECT_EQ(mismatches, 0u) << "n=" << n;
  }
}

TEST(TranscendentalTest, LogDAgreesWithLibm) {
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

TEST(TranscendentalTest, SinCosDAccurateForRopeAngles) {
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
