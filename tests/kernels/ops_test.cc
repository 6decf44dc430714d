// Element-wise and small ops against straightforward double references, and
// the conversions against their definitions.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/attention.h"
#include "kernels/bf16.h"
#include "kernels/rmsnorm.h"
#include "kernels/rope.h"
#include "kernels/silu.h"
#include "kernels/softmax.h"

namespace attestd::kernels {
namespace {

TEST(ConvertTest, F16ToF32IsExactForAll65536Values) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const uint32_t e = (h >> 10) & 0x1f, m = h & 0x3ff;
    const double sign = (h & 0x8000) ? -1.0 : 1.0;
    float got = F16ToF32(static_cast<uint16_t>(h));
    if (e == 31) {
      if (m == 0) {
        EXPECT_TRUE(std::isinf(got) && std::signbit(got) == (sign < 0)) << h;
      } else {
        EXPECT_TRUE(std::isnan(got)) << h;
      }
      continue;
    }
    double want = e == 0 ? sign * std::ldexp(static_cast<double>(m), -24)
                         : sign * std::ldexp(1.0 + static_cast<double>(m) / 1024.0, static_cast<int>(e) - 15);
    ASSERT_EQ(static_cast<double>(got), want) << "h=" << h;
    if (want == 0) {
      EXPECT_EQ(std::signbit(got), sign < 0);
    }
  }
}

TEST(ConvertTest, Bf16RoundTripKeepsExactValues) {
  for (uint32_t h = 0; h < 65536; ++h) {
    float f = Bf16ToF32(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    EXPECT_EQ(F32ToBf16(f), h);
  }
  EXPECT_EQ(F32ToBf16(1.00390625f), 0x3f80);  // tie to even
  EXPECT_EQ(F32ToBf16(1.01171875f), 0x3f82);
}

TEST(RmsNormTest, CloseToDoubleReference) {
  std::mt19937 rng(1);
  std::normal_distribution<float> dist(0, 2);
  const int64_t n = 96;
  std::vector<float> x(n), w(n), y(n);
  for (auto& v : x) v = dist(rng);
  for (auto& v : w) v = 1.0f + 0.1f * dist(rng);
  RmsNorm(KernelContext{}, x.data(), 1, n, w.data(), 1e-6f, y.data());
  double ss = 0;
  for (float v : x) ss += static_cast<double>(v) * v;
  double inv = 1.0 / std::sqrt(ss / n + 1e-6);
  for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(y[i], x[i] * inv * w[i], 1e-5 * std::fabs(x[i] * inv * w[i]) + 1e-6);
}

TEST(SoftmaxTest, SumsToOneWithoutOverflow) {
  std::vector<float> x = {1000.0f, 999.0f, -1000.0f, 1000.0f};
  SoftmaxInPlace(x.data(), 4);
  double sum = 0;
  for (float v : x) sum += v;
  EXPECT_NEAR(sum, 1.0, 1e-6);
  EXPECT_EQ(x[0], x[3]);
  EXPECT_EQ(x[2], 0.0f);
  EXPECT_NEAR(x[1] / x[0], std::exp(-1.0), 1e-6);
}

TEST(SiluTest, FollowsDefinitionAndStaysFiniteAtExtremes) {
  for (float g : {-100.0f, -5.0f, -0.5f, 0.0f, 0.5f, 3.0f, 100.0f}) {
    EXPECT_NEAR(Silu(g), g / (1.0 + std::exp(-static_cast<double>(g))), 1e-6 * std::max(1.0f, std::fabs(g)));
  }
  EXPECT_FALSE(std::isnan(Silu(-1000.0f)));
  EXPECT_EQ(Silu(-1000.0f), 0.0f);
}

// SiluMul and the softmax must give the scalar bits whatever the thread
// split and whichever ExpF (scalar or AVX-512) they take.
TEST(SiluTest, SiluMulAndSoftmaxIgnoreThreadsAndVectorExp) {
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> dist(-30.0f, 30.0f);
  const int64_t n = 10007;
  std::vector<float> gate(n), up(n);
  for (auto& v : gate) v = dist(rng);
  for (auto& v : up) v = dist(rng);
  gate[0] = -1000.0f;
  gate[1] = 1000.0f;
  gate[2] = -0.0f;
  std::vector<float> want(n);
  for (int64_t i = 0; i < n; ++i) want[i] = Silu(gate[i]) * up[i];
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    for (bool vec : {false, true}) {
      KernelContext ctx{&pool, vec && CpuHasAvx2()};
      std::vector<float> got(n);
      SiluMul(ctx, gate.data(), up.data(), n, got.data());
      EXPECT_EQ(0, std::memcmp(got.data(), want.data(), want.size() * 4)) << threads << " threads, vec " << vec;
    }
  }
  for (int64_t len : {int64_t{1}, int64_t{5}, int64_t{8}, int64_t{300}}) {
    std::vector<float> scalar(gate.begin(), gate.begin() + len), vector = scalar;
    SoftmaxInPlace(scalar.data(), len, false);
    SoftmaxInPlace(vector.data(), len, CpuHasAvx2());
    EXPECT_EQ(0, std::memcmp(scalar.data(), vector.data(), static_cast<size_t>(len) * 4)) << "softmax of " << len;
  }
}

// Llama 3.2's rope_scaling (factor 32, low 1, high 4, original 8192) on its
// head_dim 64 and theta 500000: high frequencies kept bit for bit, low ones
// divided by the factor, the band between blended as Hugging Face does.
TEST(RopeTest, Llama3ScalingFollowsHuggingFaceFormula) {
  const int64_t d = 64;
  const double theta = 500000.0;
  RopeScaling llama3;
  llama3.kind = RopeScaling::Kind::kLlama3;
  llama3.factor = 32.0;
  llama3.low_freq_factor = 1.0;
  llama3.high_freq_factor = 4.0;
  llama3.original_max_position_embeddings = 8192.0;
  const std::vector<float> plain = RopeInvFreq(d, theta);
  const std::vector<float> scaled = RopeInvFreq(d, theta, llama3);
  ASSERT_EQ(scaled.size(), 32u);
  int kept = 0, divided = 0, blended = 0;
  for (size_t i = 0; i < scaled.size(); ++i) {
    const double inv = 1.0 / std::pow(theta, 2.0 * static_cast<double>(i) / d);
    const double wavelen = 2.0 * M_PI / inv;
    if (wavelen < 8192.0 / 4.0) {
      ++kept;
      EXPECT_EQ(scaled[i], plain[i]) << i;
    } else if (wavelen > 8192.0 / 1.0) {
      ++divided;
      EXPECT_FLOAT_EQ(scaled[i], static_cast<float>(inv / 32.0)) << i;
    } else {
      ++blended;
      const double smooth = (8192.0 / wavelen - 1.0) / (4.0 - 1.0);
      EXPECT_FLOAT_EQ(scaled[i], static_cast<float>((1.0 - smooth) * inv / 32.0 + smooth * inv)) << i;
      EXPECT_LT(scaled[i], plain[i]) << i;
      EXPECT_GT(scaled[i], plain[i] / 32.0f) << i;
    }
  }
  // Llama 3.2-1B's 32 frequencies split 15 kept, 3 blended, 14 divided.
  EXPECT_EQ(kept, 15);
  EXPECT_EQ(blended, 3);
  EXPECT_EQ(divided, 14);

  RopeScaling linear;
  linear.kind = RopeScaling::Kind::kLinear;
  linear.factor = 4.0;
  const std::vector<float> stretched = RopeInvFreq(d, theta, linear);
  for (size_t i = 0; i < stretched.size(); ++i) EXPECT_FLOAT_EQ(stretched[i], plain[i] / 4.0f) << i;
}

TEST(RopeTest, FollowsHuggingFaceFormula) {
  const int64_t d = 16;
  auto inv = RopeInvFreq(d, 10000.0);
  ASSERT_EQ(inv.size(), 8u);
  for (int64_t i = 0; i < 8; ++i) {
    EXPECT_FLOAT_EQ(inv[i], static_cast<float>(1.0 / std::pow(10000.0, 2.0 * i / d)));
  }
  std::vector<float> c(8), s(8);
  RopeCosSin(inv, 37, c.data(), s.data());
  std::vector<float> x(d), y(d);
  for (int64_t i = 0; i < d; ++i) x[i] = static_cast<float>(i + 1);
  y = x;
  RopeApply(y.data(), 1, d, c.data(), s.data());
  for (int64_t i = 0; i < 8; ++i) {
    double a = 37.0f * inv[i];
    EXPECT_NEAR(y[i], x[i] * std::cos(a) - x[i + 8] * std::sin(a), 1e-4);
    EXPECT_NEAR(y[i + 8], x[i + 8] * std::cos(a) + x[i] * std::sin(a), 1e-4);
  }
  // Position 0 is the identity.
  RopeCosSin(inv, 0, c.data(), s.data());
  y = x;
  RopeApply(y.data(), 1, d, c.data(), s.data());
  EXPECT_EQ(0, std::memcmp(x.data(), y.data(), d * 4));
}

TEST(AttentionTest, CloseToDoubleReferenceWithGqa) {
  const int64_t heads = 4, kv_heads = 2, d = 8, n_ctx = 5;
  std::mt19937 rng(9);
  std::normal_distribution<float> dist(0, 1);
  std::vector<float> q(heads * d), k(n_ctx * kv_heads * d), v(n_ctx * kv_heads * d), out(heads * d);
  for (auto* vec : {&q, &k, &v}) {
    for (auto& x : *vec) x = dist(rng);
  }
  Attend(KernelContext{}, {{q.data(), k.data(), v.data(), n_ctx, out.data()}}, heads, kv_heads, d);
  for (int64_t h = 0; h < heads; ++h) {
    int64_t kvh = h / 2;
    std::vector<double> s(n_ctx);
    double m = -1e300, sum = 0;
    for (int64_t t = 0; t < n_ctx; ++t) {
      double dot = 0;
      for (int64_t j = 0; j < d; ++j) dot += static_cast<double>(q[h * d + j]) * k[(t * kv_heads + kvh) * d + j];
      s[t] = dot / std::sqrt(static_cast<double>(d));
      m = std::max(m, s[t]);
    }
    for (auto& x : s) sum += (x = std::exp(x - m));
    for (int64_t j = 0; j < d; ++j) {
      double o = 0;
      for (int64_t t = 0; t < n_ctx; ++t) o += s[t] / sum * v[(t * kv_heads + kvh) * d + j];
      EXPECT_NEAR(out[h * d + j], o, 1e-5);
    }
  }
}

}  // namespace
}  // namespace attestd::kernels
