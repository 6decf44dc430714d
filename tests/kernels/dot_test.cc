// The lane-order dot product: the scalar and AVX2 paths must agree bit for
// bit, and both must equal the order written in lane_reduce.h.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "kernels/bf16.h"
#include "kernels/context.h"
#include "kernels/dot.h"
#include "kernels/lane_reduce.h"
#include "kernels/matmul.h"

namespace attestd::kernels {
namespace {

uint32_t Bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

std::vector<float> RandomVector(size_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-scale, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

// The spec of lane_reduce.h, spelled out with explicit indices.
float SpecDot(const std::vector<float>& a, const std::vector<float>& b) {
  float lane[32] = {};
  for (size_t i = 0; i < a.size(); ++i) {
    float product = a[i] * b[i];
    lane[i % 32] = lane[i % 32] + product;
  }
  for (int s : {16, 8, 4, 2, 1}) {
    for (int l = 0; l < s; ++l) lane[l] = lane[l] + lane[l + s];
  }
  return lane[0];
}

TEST(DotTest, ScalarFollowsTheWrittenLaneOrder) {
  for (size_t n : {0, 1, 5, 31, 32, 33, 64, 100, 1536}) {
    auto a = RandomVector(n, 1 + static_cast<uint32_t>(n)), b = RandomVector(n, 100 + static_cast<uint32_t>(n));
    EXPECT_EQ(Bits(DotF32Scalar(a.data(), b.data(), static_cast<int64_t>(n))), Bits(SpecDot(a, b))) << "n=" << n;
  }
}

TEST(DotTest, Avx2EqualsScalarF32) {
  if (!CpuHasAvx2()) GTEST_SKIP() << "CPU has no AVX2";
  for (size_t n = 0; n < 300; ++n) {
    auto a = RandomVector(n, 7 + static_cast<uint32_t>(n), 10.0f), b = RandomVector(n, 900 + static_cast<uint32_t>(n));
    EXPECT_EQ(Bits(DotF32Avx2(a.data(), b.data(), static_cast<int64_t>(n))),
              Bits(DotF32Scalar(a.data(), b.data(), static_cast<int64_t>(n))))
        << "n=" << n;
  }
}

TEST(DotTest, Avx2EqualsScalarBf16) {
  if (!CpuHasAvx2()) GTEST_SKIP() << "CPU has no AVX2";
  for (size_t n = 0; n < 300; ++n) {
    auto a = RandomVector(n, 11 + static_cast<uint32_t>(n)), wf = RandomVector(n, 500 + static_cast<uint32_t>(n));
    std::vector<uint16_t> w(n);
    for (size_t i = 0; i < n; ++i) w[i] = F32ToBf16(wf[i]);
    EXPECT_EQ(Bits(DotBf16Avx2(a.data(), w.data(), static_cast<int64_t>(n))),
              Bits(DotBf16Scalar(a.data(), w.data(), static_cast<int64_t>(n))))
        << "n=" << n;
  }
}

TEST(DotTest, Avx512EqualsScalar) {
  if (!CpuHasAvx512()) GTEST_SKIP() << "CPU has no AVX-512";
  for (size_t n = 0; n < 300; ++n) {
    auto a = RandomVector(n, 21 + static_cast<uint32_t>(n), 10.0f), wf = RandomVector(n, 700 + static_cast<uint32_t>(n));
    std::vector<uint16_t> w(n);
    for (size_t i = 0; i < n; ++i) w[i] = F32ToBf16(wf[i]);
    const auto len = static_cast<int64_t>(n);
    EXPECT_EQ(Bits(DotF32Avx512(a.data(), wf.data(), len)), Bits(DotF32Scalar(a.data(), wf.data(), len))) << n;
    EXPECT_EQ(Bits(DotBf16Avx512(a.data(), w.data(), len)), Bits(DotBf16Scalar(a.data(), w.data(), len))) << n;
  }
  std::vector<float> a = {-0.0f, std::numeric_limits<float>::infinity(), -1.0f}, b = {0.0f, 2.0f, 2.0f};
  EXPECT_EQ(Bits(DotF32Avx512(a.data(), b.data(), 3)), Bits(DotF32Scalar(a.data(), b.data(), 3)));
}

// Every output of a register tile (up to 4 weight rows x 3 tokens, each
// pair with its own lanes) equals the single-row, single-token dot: a tile
// whose sums were mixed up between rows or tokens, or whose padded last
// chunk was wrong, would differ here.
TEST(DotTest, Avx512TileEqualsSingleDots) {
  if (!CpuHasAvx512()) GTEST_SKIP() << "CPU has no AVX-512";
  for (size_t n : {1, 17, 31, 32, 33, 64, 200, 1536}) {
    const auto len = static_cast<int64_t>(n);
    auto x = RandomVector(kTileTokens * n, 40 + static_cast<uint32_t>(n), 10.0f);
    auto wf = RandomVector(kTileRows * n, 41 + static_cast<uint32_t>(n));
    std::vector<uint16_t> w(wf.size());
    for (size_t i = 0; i < wf.size(); ++i) w[i] = F32ToBf16(wf[i]);
    w[0] = 0x8000;  // -0
    for (int rows = 1; rows <= kTileRows; ++rows) {
      for (int tokens = 1; tokens <= kTileTokens; ++tokens) {
        const int64_t out_stride = 7;
        std::vector<float> out(static_cast<size_t>(kTileTokens * out_stride), -1.0f);
        DotBf16Avx512Tile(x.data(), len, tokens, w.data(), len, rows, len, out.data(), out_stride);
        for (int k = 0; k < kTileTokens; ++k) {
          for (int r = 0; r < out_stride; ++r) {
            const float got = out[static_cast<size_t>(k * out_stride + r)];
            if (k >= tokens || r >= rows) {
              EXPECT_EQ(got, -1.0f) << "wrote outside the tile: token " << k << " row " << r;
              continue;
            }
            const float want = DotBf16Scalar(x.data() + k * len, w.data() + r * len, len);
            EXPECT_EQ(Bits(got), Bits(want)) << "n=" << n << " tile " << rows << "x" << tokens << " token " << k
                                             << " row " << r;
          }
        }
      }
    }
  }
}

// The f32-weight tile and the AVX2 one-row tiles (bf16 and f32), against
// the scalar dot of each (token, row) pair, as above.
TEST(DotTest, F32AndAvx2TilesEqualSingleDots) {
  if (!CpuHasAvx2()) GTEST_SKIP() << "CPU has no AVX2";
  for (size_t n : {1, 17, 31, 32, 33, 64, 200, 1536}) {
    const auto len = static_cast<int64_t>(n);
    auto x = RandomVector(kTileTokens * n, 50 + static_cast<uint32_t>(n), 10.0f);
    auto wf = RandomVector(kTileRows * n, 51 + static_cast<uint32_t>(n));
    wf[0] = -0.0f;
    std::vector<uint16_t> w(wf.size());
    for (size_t i = 0; i < wf.size(); ++i) w[i] = F32ToBf16(wf[i]);
    const int64_t out_stride = 7;
    for (int rows = 1; rows <= kAvx2TileRows; ++rows) {
      std::vector<float> bf16_out(kTileRows, -1.0f), f32_out = bf16_out;
      DotBf16Avx2Rows(x.data(), w.data(), len, rows, len, bf16_out.data());
      DotF32Avx2Rows(x.data(), wf.data(), len, rows, len, f32_out.data());
      for (int r = 0; r < kTileRows; ++r) {
        const auto at = static_cast<size_t>(r);
        if (r >= rows) {
          EXPECT_EQ(bf16_out[at], -1.0f) << "wrote past the rows";
          EXPECT_EQ(f32_out[at], -1.0f) << "wrote past the rows";
          continue;
        }
        EXPECT_EQ(Bits(bf16_out[at]), Bits(DotBf16Scalar(x.data(), w.data() + r * len, len)))
            << "AVX2 bf16, n=" << n << " " << rows << " rows, row " << r;
        EXPECT_EQ(Bits(f32_out[at]), Bits(DotF32Scalar(x.data(), wf.data() + r * len, len)))
            << "AVX2 f32, n=" << n << " " << rows << " rows, row " << r;
      }
    }
    for (int tokens = 1; tokens <= kTileTokens; ++tokens) {
      if (!CpuHasAvx512()) continue;
      for (int rows = 1; rows <= kTileRows; ++rows) {
        std::vector<float> out(static_cast<size_t>(kTileTokens * out_stride), -1.0f);
        DotF32Avx512Tile(x.data(), len, tokens, wf.data(), len, rows, len, out.data(), out_stride);
        for (int k = 0; k < tokens; ++k) {
          for (int r = 0; r < out_stride; ++r) {
            const float got = out[static_cast<size_t>(k * out_stride + r)];
            if (r >= rows) {
              EXPECT_EQ(got, -1.0f) << "wrote outside the tile: token " << k << " row " << r;
              continue;
            }
            EXPECT_EQ(Bits(got), Bits(DotF32Scalar(x.data() + k * len, wf.data() + r * len, len)))
                << "AVX-512 f32, n=" << n << " tile " << rows << "x" << tokens << " token " << k << " row " << r;
          }
        }
      }
    }
  }
}

TEST(DotTest, NegativeZeroAndSpecialValuesAgreeAcrossPaths) {
  if (!CpuHasAvx2()) GTEST_SKIP() << "CPU has no AVX2";
  std::vector<float> a = {-0.0f, 1.0f, -1.0f, 3.0f, -3.0f}, b = {0.0f, 2.0f, 2.0f, 0.0f, -0.0f};
  EXPECT_EQ(Bits(DotF32Avx2(a.data(), b.data(), 5)), Bits(DotF32Scalar(a.data(), b.data(), 5)));
  a[1] = std::numeric_limits<float>::infinity();
  EXPECT_EQ(Bits(DotF32Avx2(a.data(), b.data(), 5)), Bits(DotF32Scalar(a.data(), b.data(), 5)));
}

// y[t] must not depend on the thread count, the instruction path, or the
// other tokens sharing the call.
TEST(MatmulTest, OutputIsIndependentOfThreadsPathAndBatch) {
  const int64_t in = 200, out = 77, tokens = 5;
  auto x = RandomVector(static_cast<size_t>(tokens * in), 3);
  auto wf = RandomVector(static_cast<size_t>(out * in), 4);
  std::vector<uint16_t> w(wf.size());
  for (size_t i = 0; i < wf.size(); ++i) w[i] = F32ToBf16(wf[i]);
  auto bias = RandomVector(static_cast<size_t>(out), 5);
  WeightView view{WeightType::kBf16, w.data(), out, in};

  std::vector<float> reference(static_cast<size_t>(tokens * out));
  KernelContext plain{nullptr, false};
  Matmul(plain, x.data(), tokens, view, bias.data(), reference.data());
  for (int threads : {1, 2, 3, 4}) {
    ThreadPool pool(threads);
    for (bool vec : {false, true}) {
      KernelContext ctx{&pool, vec};
      std::vector<float> y(reference.size());
      Matmul(ctx, x.data(), tokens, view, bias.data(), y.data());
      EXPECT_EQ(0, std::memcmp(y.data(), reference.data(), y.size() * 4)) << threads << " threads, vec " << vec;
      // Token 3 alone.
      std::vector<float> one(static_cast<size_t>(out));
      Matmul(ctx, x.data() + 3 * in, 1, view, bias.data(), one.data());
      EXPECT_EQ(0, std::memcmp(one.data(), reference.data() + 3 * out, one.size() * 4));
    }
  }
}

// Enough tokens for 4-row tiles (from 3 tokens for rows short enough for
// the next-group prefetch, from 6 otherwise), token counts that are not a
// multiple of the tile height, an output count that is not a multiple of
// the tile width, a partial last chunk, and (in = 8965) more tokens than one
// L2 token block holds: every output must still equal the scalar path and
// the same token computed alone.
// Both weight types, on the AVX-512 path and (forced) the AVX2 one.
TEST(MatmulTest, RowTilesAndTokenBlocksKeepOutputsBitForBit) {
  const int64_t out = 13, tokens = 50;
  for (int64_t in : {int64_t{200}, int64_t{8965}})
  for (WeightType type : {WeightType::kBf16, WeightType::kF32})
  for (bool avx512 : {true, false}) {
    SCOPED_TRACE(std::string(type == WeightType::kBf16 ? "bf16" : "f32") + (avx512 ? ", AVX-512" : ", AVX2"));
    auto x = RandomVector(static_cast<size_t>(tokens * in), 30);
    auto wf = RandomVector(static_cast<size_t>(out * in), 31);
    std::vector<uint16_t> w(wf.size());
    for (size_t i = 0; i < wf.size(); ++i) w[i] = F32ToBf16(wf[i]);
    auto bias = RandomVector(static_cast<size_t>(out), 32);
    WeightView view{type, type == WeightType::kBf16 ? static_cast<const void*>(w.data()) : wf.data(), out, in};

    std::vector<float> reference(static_cast<size_t>(tokens * out));
    KernelContext plain{nullptr, false};
    Matmul(plain, x.data(), tokens, view, bias.data(), reference.data());
    for (int threads : {1, 2, 3}) {
      ThreadPool pool(threads);
      KernelContext ctx{&pool, true, avx512};
      for (int64_t n : {int64_t{2}, int64_t{3}, int64_t{4}, int64_t{5}, int64_t{6}, int64_t{7}, int64_t{8}, tokens}) {
        std::vector<float> y(static_cast<size_t>(n * out));
        Matmul(ctx, x.data(), n, view, bias.data(), y.data());
        EXPECT_EQ(0, std::memcmp(y.data(), reference.data(), y.size() * 4))
            << "in " << in << ", " << threads << " threads, " << n << " tokens";
      }
      for (int64_t t : {int64_t{0}, int64_t{44}, tokens - 1}) {
        std::vector<float> one(static_cast<size_t>(out));
        Matmul(ctx, x.data() + t * in, 1, view, bias.data(), one.data());
        EXPECT_EQ(0, std::memcmp(one.data(), reference.data() + t * out, one.size() * 4))
            << "in " << in << ", token " << t << " alone";
      }
    }
  }
}

}  // namespace
}  // namespace attestd::kernels
