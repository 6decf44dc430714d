// Every CUDA kernel (kernels/*.cu), through the Device interface, against
// its CPU twin: memcmp-equal on random inputs with ragged shapes (not
// multiples of 32 or of the 16-byte vector), values near overflow,
// subnormals, -0 and infinities. NaN is compared by class only: its payload
// is outside the promise (SPEC, Determinism).
//
// Each test runs on the SIMT emulator (every CI run) and on the GPU
// (cuda/...; skipped, saying so, where there is none: scripts/gpu-check.sh
// runs them on one).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/argmax.h"
#include "kernels/attention.h"
#include "kernels/bf16.h"
#include "kernels/device.h"
#include "kernels/embedding.h"
#include "kernels/lane_major.h"
#include "kernels/matmul.h"
#include "kernels/rmsnorm.h"
#include "kernels/rope.h"
#include "kernels/silu.h"
#include "kernels/softmax.h"

namespace attestd::kernels {
namespace {

// Equal bits, or NaN on both sides.
::testing::AssertionResult SameFloats(const std::vector<float>& got, const std::vector<float>& want) {
  if (got.size() != want.size()) {
    return ::testing::AssertionFailure() << "size " << got.size() << ", want " << want.size();
  }
  for (size_t i = 0; i < got.size(); ++i) {
    const bool both_nan = std::isnan(got[i]) && std::isnan(want[i]);
    if (!both_nan && std::memcmp(&got[i], &want[i], 4) != 0) {
      return ::testing::AssertionFailure() << "element " << i << ": got " << got[i] << " (bits 0x" << std::hex
                                           << std::bit_cast<uint32_t>(got[i]) << "), want " << want[i]
                                           << " (bits 0x" << std::bit_cast<uint32_t>(want[i]) << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

// Random f32 values, a fraction of them special: the extremes of the format.
class Values {
 public:
  explicit Values(uint64_t seed) : rng_(seed) {}

  float Next(double special_share) {
    if (std::uniform_real_distribution<double>(0, 1)(rng_) < special_share) {
      static constexpr float kSpecial[] = {0.0f,
                                           -0.0f,
                                           std::numeric_limits<float>::infinity(),
                                           -std::numeric_limits<float>::infinity(),
                                           std::numeric_limits<float>::denorm_min(),
                                           -3.0e-39f,  // subnormal
                                           1.0e-38f,
                                           3.0e38f,  // products and sums near overflow
                                           -3.3e38f,
                                           1.0e19f,
                                           -2.0e19f};
      return kSpecial[std::uniform_int_distribution<size_t>(0, std::size(kSpecial) - 1)(rng_)];
    }
    return std::normal_distribution<float>(0.0f, 1.5f)(rng_);
  }
  std::vector<float> Vector(size_t n, double special_share) {
    std::vector<float> v(n);
    for (auto& x : v) x = Next(special_share);
    return v;
  }

 private:
  std::mt19937_64 rng_;
};

class GpuKernelsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "cuda") {
      auto d = cuda::OpenDevice();
      if (!d.ok()) {
        GTEST_SKIP() << "needs an NVIDIA GPU (" << d.status().message()
                     << "); would check this kernel on the GPU against its CPU twin";
      }
      device_ = std::move(*d);
      return;
    }
    auto d = simt::OpenDevice();
    ASSERT_TRUE(d.ok()) << d.status();
    device_ = std::move(*d);
  }

  template <typename T>
  DeviceBuffer Put(const std::vector<T>& host) {
    auto b = device_->Allocate(host.size() * sizeof(T));
    EXPECT_TRUE(b.ok()) << b.status();
    EXPECT_TRUE(device_->Upload(b->data(), host.data(), host.size() * sizeof(T)).ok());
    return std::move(*b);
  }
  DeviceBuffer Make(size_t bytes) {
    auto b = device_->Allocate(bytes);
    EXPECT_TRUE(b.ok()) << b.status();
    return std::move(*b);
  }
  template <typename T>
  std::vector<T> Get(const DeviceBuffer& b, size_t n) {
    std::vector<T> host(n);
    EXPECT_TRUE(device_->Download(host.data(), b.data(), n * sizeof(T)).ok());
    return host;
  }
  // Uploads w lane-major.
  DeviceMatrix PutMatrix(const WeightView& w, DeviceBuffer& storage) {
    const int64_t stride = LaneMajorStride(w.type, w.cols);
    const size_t elem = w.type == WeightType::kBf16 ? 2 : 4;
    std::vector<unsigned char> host(static_cast<size_t>(w.rows * stride) * elem);
    ToLaneMajor(w, host.data());
    storage = Put(host);
    return DeviceMatrix{w.type, storage.data(), w.rows, w.cols, stride};
  }

  std::unique_ptr<Device> device_;
};

TEST(LaneMajorTest, EveryLaneReadsItsOwnTermsInOrderAndPaddingIsZero) {
  for (WeightType type : {WeightType::kBf16, WeightType::kF32}) {
    for (int64_t cols : {1, 31, 33, 128, 255, 256, 300}) {
      std::vector<float> f(static_cast<size_t>(2 * cols));
      std::vector<uint16_t> h(f.size());
      for (size_t i = 0; i < f.size(); ++i) {
        f[i] = static_cast<float>(i + 1);
        h[i] = F32ToBf16(f[i]);
      }
      const WeightView w{type, type == WeightType::kBf16 ? static_cast<const void*>(h.data()) : f.data(), 2, cols};
      const int64_t stride = LaneMajorStride(type, cols), v = LaneMajorVector(type);
      ASSERT_EQ(stride % LaneMajorChunk(type), 0);
      std::vector<float> out_f(static_cast<size_t>(2 * stride));
      std::vector<uint16_t> out_h(out_f.size());
      ToLaneMajor(w, type == WeightType::kBf16 ? static_cast<void*>(out_h.data()) : out_f.data());
      for (int64_t r = 0; r < 2; ++r) {
        for (int64_t k = 0; k < stride; ++k) {
          const float got = type == WeightType::kBf16 ? Bf16ToF32(out_h[static_cast<size_t>(r * stride + k)])
                                                      : out_f[static_cast<size_t>(r * stride + k)];
          const int64_t c = k / (32 * v), lane = (k % (32 * v)) / v, j = k % v;
          const int64_t col = c * 32 * v + lane + 32 * j;
          const float value = static_cast<float>(r * cols + col + 1);
          const float want = col >= cols                   ? 0.0f
                             : type == WeightType::kBf16 ? Bf16ToF32(F32ToBf16(value))
                                                         : value;
          ASSERT_EQ(got, want) << "cols " << cols << " row " << r << " slot " << k;
          if (col < cols) {
            ASSERT_EQ(LaneMajorIndex(type, col), k);
          }
        }
      }
    }
  }
}

TEST_P(GpuKernelsTest, MatmulEqualsCpuTwin) {
  Values values(11);
  int cases = 0;
  for (WeightType type : {WeightType::kBf16, WeightType::kF32}) {
    for (int64_t cols : {1, 7, 33, 100, 257, 300}) {
      for (int64_t tokens : {1, 2, 3, 5, 8, 9, 17, 35}) {
        const int64_t rows = 1 + (cols + tokens) % 19;
        std::vector<float> x = values.Vector(static_cast<size_t>(tokens * cols), 0.02);
        std::vector<float> wf = values.Vector(static_cast<size_t>(rows * cols), 0.02);
        std::vector<uint16_t> wh(wf.size());
        for (size_t i = 0; i < wf.size(); ++i) wh[i] = F32ToBf16(wf[i]);
        const WeightView w{type, type == WeightType::kBf16 ? static_cast<const void*>(wh.data()) : wf.data(), rows,
                           cols};
        std::vector<float> bias = values.Vector(static_cast<size_t>(rows), 0.0);
        std::vector<float> residual = values.Vector(static_cast<size_t>(tokens * rows), 0.01);
        // CPU: the scalar reference path, then the bias, then the residual add.
        const bool with_bias = (cases % 2) == 0, with_residual = (cases % 3) == 0;
        std::vector<float> want(static_cast<size_t>(tokens * rows));
        KernelContext scalar;
        scalar.vectorised = false;
        Matmul(scalar, x.data(), tokens, w, with_bias ? bias.data() : nullptr, want.data());
        if (with_residual) {
          for (size_t i = 0; i < want.size(); ++i) want[i] = residual[i] + want[i];
        }
        DeviceBuffer storage;
        const DeviceMatrix dm = PutMatrix(w, storage);
        DeviceBuffer dx = Put(x), db = Put(bias), dy = Put(residual);
        ASSERT_TRUE(device_
                        ->Matmul(dx.as<const float>(), tokens, dm, with_bias ? db.as<const float>() : nullptr,
                                 with_residual ? dy.as<const float>() : nullptr, dy.as<float>())
                        .ok());
        ASSERT_TRUE(SameFloats(Get<float>(dy, want.size()), want))
            << (type == WeightType::kBf16 ? "bf16" : "f32") << " cols " << cols << " tokens " << tokens << " rows "
            << rows;
        ++cases;
      }
    }
  }
}

TEST_P(GpuKernelsTest, RmsNormEqualsCpuTwin) {
  Values values(12);
  for (int64_t n : {1, 16, 31, 64, 100, 1000}) {
    // Enough rows that a change in the order of the sum of squares shows in
    // some output (one ulp of the sum often leaves 1 / sqrt unchanged).
    const int64_t rows = 300;
    std::vector<float> x = values.Vector(static_cast<size_t>(rows * n), n == 100 ? 0.05 : 0.0);
    std::vector<float> w = values.Vector(static_cast<size_t>(n), 0.0);
    const float eps = 1e-6f;
    std::vector<float> want(x.size());
    KernelContext scalar;
    scalar.vectorised = false;
    RmsNorm(scalar, x.data(), rows, n, w.data(), eps, want.data());
    DeviceBuffer dx = Put(x), dw = Put(w), dy = Make(x.size() * 4);
    ASSERT_TRUE(device_->RmsNorm(dx.as<const float>(), nullptr, rows, n, dw.as<const float>(), eps, dy.as<float>()).ok());
    ASSERT_TRUE(SameFloats(Get<float>(dy, x.size()), want)) << "n " << n;
    // Picking rows: y[r] = RmsNorm(x[from[r]]).
    const std::vector<int32_t> from = {4, 0, 4};
    DeviceBuffer dfrom = Put(from), dpicked = Make(from.size() * static_cast<size_t>(n) * 4);
    ASSERT_TRUE(device_
                    ->RmsNorm(dx.as<const float>(), dfrom.as<const int32_t>(), 3, n, dw.as<const float>(), eps,
                              dpicked.as<float>())
                    .ok());
    std::vector<float> want_picked;
    for (int32_t r : from) want_picked.insert(want_picked.end(), want.begin() + r * n, want.begin() + (r + 1) * n);
    ASSERT_TRUE(SameFloats(Get<float>(dpicked, want_picked.size()), want_picked)) << "n " << n;
  }
}

TEST_P(GpuKernelsTest, RopeAndCacheAppendEqualCpuTwin) {
  Values values(13);
  for (int64_t head_dim : {16, 64, 128}) {
    const int64_t heads = 4, kv_heads = 2, tokens = 3, capacity = 9, layers = 2, layer = 1;
    const int64_t half = head_dim / 2, q_dim = heads * head_dim, kv_dim = kv_heads * head_dim;
    RopeScaling scaling;
    scaling.kind = RopeScaling::Kind::kLlama3;
    scaling.factor = 32;
    const std::vector<float> inv_freq = RopeInvFreq(head_dim, 500000.0, scaling);
    const std::vector<int32_t> positions = {0, 7, 123456};
    std::vector<float> qkv = values.Vector(static_cast<size_t>(tokens * (q_dim + 2 * kv_dim)), 0.02);
    // CPU: tables, rotation, and the cache layout [layer][position][kv_dim].
    std::vector<float> want_cos(static_cast<size_t>(tokens * half)), want_sin(want_cos.size());
    std::vector<float> want_q(static_cast<size_t>(tokens * q_dim));
    std::vector<float> want_k(static_cast<size_t>(tokens * kv_dim)), want_v(want_k.size());
    for (int64_t t = 0; t < tokens; ++t) {
      RopeCosSin(inv_freq, positions[static_cast<size_t>(t)], &want_cos[t * half], &want_sin[t * half]);
      const float* row = &qkv[static_cast<size_t>(t * (q_dim + 2 * kv_dim))];
      std::memcpy(&want_q[t * q_dim], row, static_cast<size_t>(q_dim) * 4);
      std::memcpy(&want_k[t * kv_dim], row + q_dim, static_cast<size_t>(kv_dim) * 4);
      std::memcpy(&want_v[t * kv_dim], row + q_dim + kv_dim, static_cast<size_t>(kv_dim) * 4);
      RopeApply(&want_q[t * q_dim], heads, head_dim, &want_cos[t * half], &want_sin[t * half]);
      RopeApply(&want_k[t * kv_dim], kv_heads, head_dim, &want_cos[t * half], &want_sin[t * half]);
    }
    // Each token in its own sequence (cache), at its position modulo capacity.
    std::vector<DeviceBuffer> kc, vc;
    std::vector<TokenSlot> slots;
    for (int64_t t = 0; t < tokens; ++t) {
      kc.push_back(Make(static_cast<size_t>(layers * capacity * kv_dim) * 4));
      vc.push_back(Make(static_cast<size_t>(layers * capacity * kv_dim) * 4));
      slots.push_back({kc.back().as<float>(), vc.back().as<float>(), capacity * kv_dim,
                       positions[static_cast<size_t>(t)], 0});
    }
    DeviceBuffer dslots = Put(slots), dinv = Put(inv_freq), dqkv = Put(qkv);
    DeviceBuffer dcos = Make(want_cos.size() * 4), dsin = Make(want_cos.size() * 4), dq = Make(want_q.size() * 4);
    ASSERT_TRUE(device_
                    ->RopeTable(dinv.as<const float>(), dslots.as<const TokenSlot>(), tokens, half, dcos.as<float>(),
                                dsin.as<float>())
                    .ok());
    ASSERT_TRUE(SameFloats(Get<float>(dcos, want_cos.size()), want_cos)) << "head_dim " << head_dim;
    ASSERT_TRUE(SameFloats(Get<float>(dsin, want_sin.size()), want_sin)) << "head_dim " << head_dim;
    // The cache append writes at `position`: keep positions inside the
    // capacity for that part of the check.
    for (auto& s : slots) s.position = s.position % static_cast<int32_t>(capacity);
    dslots = Put(slots);
    ASSERT_TRUE(device_
                    ->RopeAppend(dqkv.as<const float>(), dq.as<float>(), dcos.as<const float>(),
                                 dsin.as<const float>(), dslots.as<const TokenSlot>(), layer, tokens, heads, kv_heads,
                                 head_dim)
                    .ok());
    ASSERT_TRUE(SameFloats(Get<float>(dq, want_q.size()), want_q)) << "head_dim " << head_dim;
    for (int64_t t = 0; t < tokens; ++t) {
      const size_t at = static_cast<size_t>(layer * capacity * kv_dim + slots[static_cast<size_t>(t)].position * kv_dim);
      std::vector<float> k = Get<float>(kc[static_cast<size_t>(t)], static_cast<size_t>(layers * capacity * kv_dim));
      std::vector<float> v = Get<float>(vc[static_cast<size_t>(t)], k.size());
      ASSERT_TRUE(SameFloats(std::vector<float>(k.begin() + static_cast<std::ptrdiff_t>(at),
                                                k.begin() + static_cast<std::ptrdiff_t>(at + kv_dim)),
                             std::vector<float>(want_k.begin() + t * kv_dim, want_k.begin() + (t + 1) * kv_dim)));
      ASSERT_TRUE(SameFloats(std::vector<float>(v.begin() + static_cast<std::ptrdiff_t>(at),
                                                v.begin() + static_cast<std::ptrdiff_t>(at + kv_dim)),
                             std::vector<float>(want_v.begin() + t * kv_dim, want_v.begin() + (t + 1) * kv_dim)));
    }
  }
}

TEST_P(GpuKernelsTest, AttentionEqualsCpuTwin) {
  Values values(14);
  for (int64_t head_dim : {16, 40, 128}) {
    const int64_t heads = 6, kv_heads = 2, capacity = 70, layers = 2, layer = 1;
    const int64_t q_dim = heads * head_dim, kv_dim = kv_heads * head_dim;
    // Three sequences; their tokens see 1, 33 and 70 positions.
    const std::vector<int32_t> positions = {0, 32, 69};
    const auto tokens = static_cast<int64_t>(positions.size());
    std::vector<float> q = values.Vector(static_cast<size_t>(tokens * q_dim), 0.0);
    std::vector<std::vector<float>> kh, vh;
    std::vector<DeviceBuffer> kc, vc;
    std::vector<TokenSlot> slots;
    std::vector<AttentionItem> items;
    std::vector<float> want(static_cast<size_t>(tokens * q_dim));
    for (int64_t t = 0; t < tokens; ++t) {
      kh.push_back(values.Vector(static_cast<size_t>(layers * capacity * kv_dim), 0.0));
      vh.push_back(values.Vector(kh.back().size(), t == 2 ? 0.01 : 0.0));
      kc.push_back(Put(kh.back()));
      vc.push_back(Put(vh.back()));
      slots.push_back({kc.back().as<float>(), vc.back().as<float>(), capacity * kv_dim,
                       positions[static_cast<size_t>(t)], 0});
      items.push_back({&q[t * q_dim], kh.back().data() + layer * capacity * kv_dim,
                       vh.back().data() + layer * capacity * kv_dim, positions[static_cast<size_t>(t)] + 1,
                       &want[t * q_dim]});
    }
    KernelContext scalar;
    scalar.vectorised = false;
    Attend(scalar, items, heads, kv_heads, head_dim);
    const int64_t stride = capacity;
    DeviceBuffer dq = Put(q), dslots = Put(slots), dout = Make(want.size() * 4);
    DeviceBuffer scratch = Make(static_cast<size_t>(tokens * heads * stride) * 4);
    ASSERT_TRUE(device_
                    ->Attention(dq.as<const float>(), dslots.as<const TokenSlot>(), layer, tokens, heads, kv_heads,
                                head_dim, scratch.as<float>(), stride, dout.as<float>())
                    .ok());
    ASSERT_TRUE(SameFloats(Get<float>(dout, want.size()), want)) << "head_dim " << head_dim;
  }
}

TEST_P(GpuKernelsTest, SiluMulEqualsCpuTwin) {
  Values values(15);
  const int64_t tokens = 3, inter = 333;
  std::vector<float> gate_up = values.Vector(static_cast<size_t>(tokens * 2 * inter), 0.05);
  gate_up[5] = 88.0f;  // ExpF(-g) near its underflow, and its overflow below
  gate_up[6] = -89.0f;
  std::vector<float> want(static_cast<size_t>(tokens * inter));
  for (int64_t t = 0; t < tokens; ++t) {
    KernelContext scalar;
    scalar.vectorised = false;
    SiluMul(scalar, &gate_up[t * 2 * inter], &gate_up[t * 2 * inter + inter], inter, &want[t * inter]);
  }
  DeviceBuffer dgu = Put(gate_up), dout = Make(want.size() * 4);
  ASSERT_TRUE(device_->SiluMul(dgu.as<const float>(), tokens, inter, dout.as<float>()).ok());
  ASSERT_TRUE(SameFloats(Get<float>(dout, want.size()), want));
}

TEST_P(GpuKernelsTest, SoftmaxEqualsCpuTwin) {
  Values values(16);
  for (int64_t n : {1, 2, 31, 32, 33, 1000}) {
    const int64_t rows = 4;
    std::vector<float> x = values.Vector(static_cast<size_t>(rows * n), 0.0);
    for (auto& v : x) v = v * 30.0f;  // a wide range: many exponentials underflow to 0
    if (n > 2) {
      x[1] = -std::numeric_limits<float>::infinity();
      x[static_cast<size_t>(n + 1)] = std::numeric_limits<float>::quiet_NaN();  // row 1 all NaN
      x[static_cast<size_t>(2 * n + 1)] = std::numeric_limits<float>::infinity();
    }
    std::vector<float> want = x;
    for (int64_t r = 0; r < rows; ++r) SoftmaxInPlace(&want[r * n], n, false);
    DeviceBuffer dx = Put(x);
    ASSERT_TRUE(device_->Softmax(dx.as<float>(), rows, n).ok());
    ASSERT_TRUE(SameFloats(Get<float>(dx, x.size()), want)) << "n " << n;
  }
}

TEST_P(GpuKernelsTest, ArgmaxEqualsCpuTwin) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<std::vector<float>> rows = {
      {1.0f},
      {nan},
      {-inf, -inf, nan},
      {0.0f, -0.0f, 0.0f},
      {-0.0f, 0.0f},
      {nan, 2.0f, 5.0f, 5.0f, inf, nan, inf},
  };
  Values values(17);
  for (const auto& row : rows) {
    std::vector<int32_t> got(1);
    DeviceBuffer dx = Put(row), dout = Make(4);
    ASSERT_TRUE(device_->Argmax(dx.as<const float>(), 1, static_cast<int64_t>(row.size()), dout.as<int32_t>()).ok());
    EXPECT_EQ(Get<int32_t>(dout, 1)[0], Argmax(row.data(), static_cast<int64_t>(row.size())));
  }
  // Several rows at once, long enough for every thread, with ties far apart.
  const int64_t n = 5000, count = 3;
  std::vector<float> x = values.Vector(static_cast<size_t>(n * count), 0.0);
  x[4321] = 50.0f;
  x[17] = 50.0f;
  x[n + 4999] = 60.0f;
  DeviceBuffer dx = Put(x), dout = Make(count * 4);
  ASSERT_TRUE(device_->Argmax(dx.as<const float>(), count, n, dout.as<int32_t>()).ok());
  const std::vector<int32_t> got = Get<int32_t>(dout, count);
  for (int64_t r = 0; r < count; ++r) EXPECT_EQ(got[static_cast<size_t>(r)], Argmax(&x[r * n], n)) << "row " << r;
  EXPECT_EQ(got[0], 17);
}

TEST_P(GpuKernelsTest, EmbeddingEqualsCpuTwin) {
  Values values(18);
  for (WeightType type : {WeightType::kBf16, WeightType::kF32}) {
    const int64_t vocab = 37, cols = 300;
    std::vector<float> tf = values.Vector(static_cast<size_t>(vocab * cols), 0.05);
    std::vector<uint16_t> th(tf.size());
    for (size_t i = 0; i < tf.size(); ++i) th[i] = F32ToBf16(tf[i]);
    const WeightView table{type, type == WeightType::kBf16 ? static_cast<const void*>(th.data()) : tf.data(), vocab,
                           cols};
    const std::vector<int32_t> ids = {0, 36, 5, 5};
    std::vector<float> want(ids.size() * static_cast<size_t>(cols));
    Embed(table, ids.data(), static_cast<int64_t>(ids.size()), want.data());
    DeviceBuffer storage;
    const DeviceMatrix dm = PutMatrix(table, storage);
    DeviceBuffer dids = Put(ids), dout = Make(want.size() * 4);
    ASSERT_TRUE(device_->Embed(dm, dids.as<const int32_t>(), static_cast<int64_t>(ids.size()), dout.as<float>()).ok());
    ASSERT_TRUE(SameFloats(Get<float>(dout, want.size()), want));
  }
}

TEST_P(GpuKernelsTest, GraphReplayEqualsEagerRun) {
  Values values(19);
  const int64_t rows = 40, cols = 96, tokens = 2;
  std::vector<float> wf = values.Vector(static_cast<size_t>(rows * cols), 0.0);
  const WeightView w{WeightType::kF32, wf.data(), rows, cols};
  DeviceBuffer storage;
  const DeviceMatrix dm = PutMatrix(w, storage);
  DeviceBuffer dx = Make(static_cast<size_t>(tokens * cols) * 4), dy = Make(static_cast<size_t>(tokens * rows) * 4);
  ASSERT_TRUE(device_->BeginCapture().ok());
  ASSERT_TRUE(device_->Matmul(dx.as<const float>(), tokens, dm, nullptr, nullptr, dy.as<float>()).ok());
  auto graph = device_->EndCapture();
  ASSERT_TRUE(graph.ok()) << graph.status();
  // The graph reads whatever the input buffer holds at replay time.
  for (int round = 0; round < 2; ++round) {
    std::vector<float> x = values.Vector(static_cast<size_t>(tokens * cols), 0.0);
    ASSERT_TRUE(device_->Upload(dx.data(), x.data(), x.size() * 4).ok());
    ASSERT_TRUE(device_->Replay(**graph).ok());
    std::vector<float> want(static_cast<size_t>(tokens * rows));
    Matmul(KernelContext{}, x.data(), tokens, w, nullptr, want.data());
    ASSERT_TRUE(SameFloats(Get<float>(dy, want.size()), want)) << "round " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(Devices, GpuKernelsTest, ::testing::Values("simt", "cuda"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace attestd::kernels
