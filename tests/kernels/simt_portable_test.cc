// The CUDA behaviour the project's kernels rely on, checked through the
// kernels of simt_test_kernels.cu. Every expectation here holds on a GPU as
// well: this file is built against the SIMT emulator (kernels_simt_test)
// and, where nvcc is found, against the CUDA runtime (kernels_cuda_test,
// which skips without a GPU). Emulator-only behaviour is in
// simt_emulator_test.cc.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/cuda.h"
#include "kernels/dot.h"
#include "tests/kernels/simt_test_kernels.h"

namespace attestd::kernels::ATTESTD_GPU_NS::simt_test {
namespace {

// A device buffer of n elements of T; freed on destruction.
template <typename T>
class DeviceBuffer {
 public:
  explicit DeviceBuffer(size_t n) : n_(n) { EXPECT_EQ(cudaMalloc(&ptr_, n * sizeof(T)), cudaSuccess); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() { EXPECT_EQ(cudaFree(ptr_), cudaSuccess); }

  T* get() const { return ptr_; }
  size_t bytes() const { return n_ * sizeof(T); }
  void Upload(const std::vector<T>& host) {
    ASSERT_EQ(host.size(), n_);
    ASSERT_EQ(cudaMemcpy(ptr_, host.data(), bytes(), cudaMemcpyHostToDevice), cudaSuccess);
  }
  std::vector<T> Download() const {
    std::vector<T> host(n_);
    EXPECT_EQ(cudaMemcpy(host.data(), ptr_, bytes(), cudaMemcpyDeviceToHost), cudaSuccess);
    return host;
  }

 private:
  size_t n_;
  T* ptr_ = nullptr;
};

class GpuTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
      (void)cudaGetLastError();
      GTEST_SKIP() << "no CUDA device";
    }
    ASSERT_EQ(cudaGetLastError(), cudaSuccess);
  }
};

std::vector<float> RandomFloats(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  std::vector<float> v(n);
  for (float& f : v) f = dist(rng);
  return v;
}

// ---------------------------------------------------------------------------
using IndicesTest = GpuTest;

void ExpectIndices(dim3 grid, dim3 block) {
  const size_t threads = size_t{block.x} * block.y * block.z;
  const size_t total = size_t{grid.x} * grid.y * grid.z * threads;
  DeviceBuffer<unsigned> out(12 * total);
  ASSERT_EQ(LaunchWriteIndices(grid, block, out.get(), nullptr), cudaSuccess);
  const std::vector<unsigned> got = out.Download();
  size_t g = 0;
  for (unsigned bz = 0; bz < grid.z; ++bz) {
    for (unsigned by = 0; by < grid.y; ++by) {
      for (unsigned bx = 0; bx < grid.x; ++bx) {
        for (unsigned tz = 0; tz < block.z; ++tz) {
          for (unsigned ty = 0; ty < block.y; ++ty) {
            for (unsigned tx = 0; tx < block.x; ++tx, ++g) {
              const unsigned want[12] = {tx,      ty,      tz,      bx,     by,     bz,
                                         block.x, block.y, block.z, grid.x, grid.y, grid.z};
              for (int k = 0; k < 12; ++k) ASSERT_EQ(got[12 * g + k], want[k]) << "thread " << g << " value " << k;
            }
          }
        }
      }
    }
  }
}

TEST_F(IndicesTest, EveryThreadSeesItsIndicesInOneDimension) { ExpectIndices(dim3(5), dim3(33)); }

TEST_F(IndicesTest, EveryThreadSeesItsIndicesInTwoDimensions) { ExpectIndices(dim3(3, 4), dim3(8, 5)); }

TEST_F(IndicesTest, EveryThreadSeesItsIndicesInThreeDimensions) { ExpectIndices(dim3(3, 2, 2), dim3(4, 3, 2)); }

// ---------------------------------------------------------------------------
using BarrierTest = GpuTest;

TEST_F(BarrierTest, BlockSumInStaticSharedMemoryMatchesItsOrderBitForBit) {
  constexpr int kRows = 7, kN = 1000, kThreads = 256;
  const std::vector<float> x = RandomFloats(size_t{kRows} * kN, 1);
  std::vector<float> want(kRows);
  for (int r = 0; r < kRows; ++r) {
    float partial[kThreads];
    for (int t = 0; t < kThreads; ++t) {
      float acc = 0.0f;
      for (int i = t; i < kN; i += kThreads) acc = acc + x[static_cast<size_t>(r) * kN + i];
      partial[t] = acc;
    }
    for (int s = kThreads / 2; s > 0; s /= 2) {
      for (int t = 0; t < s; ++t) partial[t] = partial[t] + partial[t + s];
    }
    want[r] = partial[0];
  }
  DeviceBuffer<float> dx(x.size()), dout(kRows);
  dx.Upload(x);
  ASSERT_EQ(LaunchBlockSum(dx.get(), kRows, kN, dout.get(), nullptr), cudaSuccess);
  const std::vector<float> got = dout.Download();
  EXPECT_EQ(std::memcmp(got.data(), want.data(), want.size() * sizeof(float)), 0);
}

TEST_F(BarrierTest, TwoBarriersPerRoundOrderEveryReadAfterTheWrites) {
  for (int n : {32, 256, 1000}) {
    std::vector<int> in(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) in[static_cast<size_t>(i)] = 1000 + i;
    DeviceBuffer<int> din(in.size()), dout(in.size());
    din.Upload(in);
    ASSERT_EQ(LaunchRotateTwice(din.get(), n, dout.get(), nullptr), cudaSuccess);
    const std::vector<int> got = dout.Download();
    for (int t = 0; t < n; ++t) ASSERT_EQ(got[static_cast<size_t>(t)], 1000 + (t + 2) % n) << "n=" << n << " t=" << t;
  }
}

TEST_F(BarrierTest, SyncwarpOrdersAWarpsExchangeThroughSharedMemory) {
  std::vector<int> in(32);
  for (int l = 0; l < 32; ++l) in[static_cast<size_t>(l)] = 7 * l + 1;
  DeviceBuffer<int> din(32), dout(32);
  din.Upload(in);
  ASSERT_EQ(LaunchWarpExchange(true, din.get(), dout.get(), nullptr), cudaSuccess);
  const std::vector<int> got = dout.Download();
  for (int l = 0; l < 32; ++l) EXPECT_EQ(got[static_cast<size_t>(l)], 7 * ((l + 1) % 32) + 1) << l;
}

// ---------------------------------------------------------------------------
using SharedMemoryTest = GpuTest;

TEST_F(SharedMemoryTest, DynamicSharedMemoryHoldsTheLaunchBytesForEachType) {
  constexpr int kInts = 100, kDoubles = 384;
  std::vector<int> ints(kInts);
  for (int i = 0; i < kInts; ++i) ints[static_cast<size_t>(i)] = i * 3 - 7;
  std::vector<double> doubles(kDoubles);
  for (int i = 0; i < kDoubles; ++i) doubles[static_cast<size_t>(i)] = 0.5 * i + 1e-300;
  DeviceBuffer<int> di(kInts), dio(kInts);
  DeviceBuffer<double> dd(kDoubles), ddo(kDoubles);
  di.Upload(ints);
  dd.Upload(doubles);
  ASSERT_EQ(LaunchReverseInts(di.get(), kInts, dio.get(), nullptr), cudaSuccess);
  ASSERT_EQ(LaunchReverseDoubles(dd.get(), kDoubles, ddo.get(), nullptr), cudaSuccess);
  const std::vector<int> gi = dio.Download();
  const std::vector<double> gd = ddo.Download();
  for (int t = 0; t < kInts; ++t) ASSERT_EQ(gi[static_cast<size_t>(t)], ints[static_cast<size_t>(kInts - 1 - t)]);
  for (int t = 0; t < kDoubles; ++t) {
    ASSERT_EQ(gd[static_cast<size_t>(t)], doubles[static_cast<size_t>(kDoubles - 1 - t)]);
  }
}

// ---------------------------------------------------------------------------
// Shuffles, against CUDA's documented semantics (CUDA C++ Programming
// Guide, "Warp Shuffle Functions"), written independently of the emulator's
// PTX-style formula. Returns the lane whose value `lane` receives.
int ShuffleSource(ShuffleKind kind, int lane, int param, int width) {
  const int segment = lane / width * width;
  switch (kind) {
    case ShuffleKind::kIdx: return segment + ((param % width) + width) % width;
    case ShuffleKind::kUp: return lane % width >= param ? lane - param : lane;
    case ShuffleKind::kDown: return lane % width + param < width ? lane + param : lane;
    case ShuffleKind::kXor: {
      const int src = lane ^ param;
      // Earlier segments may be read; a later one returns the own value.
      return src / width > lane / width ? lane : src;
    }
  }
  return lane;
}

struct ShuffleCase {
  ShuffleKind kind;
  unsigned mask;
  int width;
  int threads;
  std::vector<int> params;  // per lane
};

std::vector<int> Uniform(int p) { return std::vector<int>(32, p); }

std::vector<ShuffleCase> ShuffleCases() {
  std::vector<ShuffleCase> cases;
  std::vector<int> scattered(32);
  for (int l = 0; l < 32; ++l) scattered[static_cast<size_t>(l)] = (l * 7 + 3) % 41;  // some >= width
  for (int width : {32, 16, 8, 4, 2, 1}) {
    cases.push_back({ShuffleKind::kIdx, 0xffffffffu, width, 32, scattered});
    cases.push_back({ShuffleKind::kIdx, 0xffffffffu, width, 32, Uniform(0)});
    for (int d : {1, 3, 16}) {
      cases.push_back({ShuffleKind::kUp, 0xffffffffu, width, 32, Uniform(d)});
      cases.push_back({ShuffleKind::kDown, 0xffffffffu, width, 32, Uniform(d)});
    }
    for (int m : {1, 5, 16, 31}) cases.push_back({ShuffleKind::kXor, 0xffffffffu, width, 32, Uniform(m)});
  }
  // Partial masks whose lanes read only lanes of the mask.
  cases.push_back({ShuffleKind::kDown, 0x0000ffffu, 16, 32, Uniform(1)});
  cases.push_back({ShuffleKind::kUp, 0xffff0000u, 16, 32, Uniform(2)});
  cases.push_back({ShuffleKind::kXor, 0x55555555u, 32, 32, Uniform(2)});
  cases.push_back({ShuffleKind::kIdx, 0x000000f0u, 4, 32, Uniform(1)});
  cases.push_back({ShuffleKind::kXor, 0xff00ff00u, 8, 32, Uniform(3)});
  // A partial warp (20 threads) with segments inside it.
  cases.push_back({ShuffleKind::kDown, 0x000fffffu, 4, 20, Uniform(1)});
  cases.push_back({ShuffleKind::kXor, 0x000fffffu, 4, 20, Uniform(2)});
  return cases;
}

template <typename T, typename Launch>
void ExpectShuffles(Launch launch, T (*value)(int lane)) {
  for (const ShuffleCase& c : ShuffleCases()) {
    const auto threads = static_cast<size_t>(c.threads);
    std::vector<T> in(threads);
    for (int l = 0; l < c.threads; ++l) in[static_cast<size_t>(l)] = value(l);
    std::vector<int> params(c.params.begin(), c.params.begin() + c.threads);
    DeviceBuffer<T> din(threads), dout(threads);
    DeviceBuffer<int> dparam(threads);
    din.Upload(in);
    dparam.Upload(params);
    ASSERT_EQ(launch(c.kind, c.mask, c.width, c.threads, dparam.get(), din.get(), dout.get(), nullptr), cudaSuccess);
    const std::vector<T> got = dout.Download();
    for (int l = 0; l < c.threads; ++l) {
      int src = l;
      if ((c.mask >> l) & 1u) {
        src = ShuffleSource(c.kind, l, params[static_cast<size_t>(l)], c.width);
        ASSERT_TRUE((c.mask >> src) & 1u) << "test case reads outside its mask";
      }
      ASSERT_EQ(std::memcmp(&got[static_cast<size_t>(l)], &in[static_cast<size_t>(src)], sizeof(T)), 0)
          << "kind " << static_cast<int>(c.kind) << " mask " << std::hex << c.mask << std::dec << " width " << c.width
          << " lane " << l << " param " << params[static_cast<size_t>(l)] << " want lane " << src;
    }
  }
}

using ShuffleTest = GpuTest;

TEST_F(ShuffleTest, IntShufflesReadTheDocumentedLanes) {
  ExpectShuffles<int>(LaunchShuffleInt, [](int l) { return -1000 - 7 * l; });
}

TEST_F(ShuffleTest, FloatShufflesReadTheDocumentedLanes) {
  ExpectShuffles<float>(LaunchShuffleFloat, [](int l) { return 0.25f * static_cast<float>(l) - 3.0f; });
}

TEST_F(ShuffleTest, DoubleShufflesMoveAllSixtyFourBits) {
  ExpectShuffles<double>(LaunchShuffleDouble, [](int l) { return 1.0 + std::ldexp(1.0, -40) * (l + 1); });
}

TEST_F(ShuffleTest, LongLongShufflesMoveAllSixtyFourBits) {
  ExpectShuffles<long long>(LaunchShuffleLongLong,
                            [](int l) { return static_cast<long long>(0x0123456700000000LL * (l + 1) + l); });
}

// ---------------------------------------------------------------------------
using VoteTest = GpuTest;

TEST_F(VoteTest, BallotAllAnyOverFullAndPartialMasks) {
  std::vector<int> pred(32);
  for (int l = 0; l < 32; ++l) pred[static_cast<size_t>(l)] = (l % 3 == 0) ? 5 : 0;
  for (unsigned mask : {0xffffffffu, 0x0000ff00u, 0x00000009u, 0x80000001u}) {
    DeviceBuffer<int> dpred(32), dall(32), dany(32);
    DeviceBuffer<unsigned> dballot(32);
    dpred.Upload(pred);
    ASSERT_EQ(LaunchVotes(mask, dpred.get(), dballot.get(), dall.get(), dany.get(), nullptr), cudaSuccess);
    const std::vector<unsigned> ballot = dballot.Download();
    const std::vector<int> all = dall.Download(), any = dany.Download();
    unsigned want = 0;
    for (int l = 0; l < 32; ++l) {
      if (((mask >> l) & 1u) && pred[static_cast<size_t>(l)] != 0) want |= 1u << l;
    }
    for (int l = 0; l < 32; ++l) {
      if (((mask >> l) & 1u) == 0) continue;
      EXPECT_EQ(ballot[static_cast<size_t>(l)], want) << std::hex << mask;
      EXPECT_EQ(all[static_cast<size_t>(l)] != 0, want == mask) << std::hex << mask;
      EXPECT_EQ(any[static_cast<size_t>(l)] != 0, want != 0) << std::hex << mask;
    }
  }
}

// ---------------------------------------------------------------------------
using WarpRowDotTest = GpuTest;

TEST_F(WarpRowDotTest, MatchesTheCpuLaneDotBitForBit) {
  // 37 rows: the last block has warps without a row, which leave at once.
  constexpr int kRows = 37, kN = 1000;
  const std::vector<float> w = RandomFloats(size_t{kRows} * kN, 2), x = RandomFloats(kN, 3);
  std::vector<float> want(kRows);
  for (int r = 0; r < kRows; ++r) want[static_cast<size_t>(r)] = DotF32Scalar(x.data(), w.data() + static_cast<size_t>(r) * kN, kN);
  DeviceBuffer<float> dw(w.size()), dx(x.size()), dy(kRows);
  dw.Upload(w);
  dx.Upload(x);
  ASSERT_EQ(LaunchWarpRowDot(dw.get(), dx.get(), kRows, kN, dy.get(), nullptr), cudaSuccess);
  const std::vector<float> got = dy.Download();
  EXPECT_EQ(std::memcmp(got.data(), want.data(), want.size() * sizeof(float)), 0);
}

// ---------------------------------------------------------------------------
using GridTest = GpuTest;

TEST_F(GridTest, ManyBlocksEachRunOnce) {
  constexpr int kN = 100000;  // 1563 blocks of 64
  std::vector<float> x(kN);
  for (int i = 0; i < kN; ++i) x[static_cast<size_t>(i)] = static_cast<float>(i);
  DeviceBuffer<float> dx(kN);
  dx.Upload(x);
  ASSERT_EQ(LaunchAddOne(dx.get(), kN, nullptr), cudaSuccess);
  const std::vector<float> got = dx.Download();
  for (int i = 0; i < kN; ++i) ASSERT_EQ(got[static_cast<size_t>(i)], static_cast<float>(i) + 1.0f) << i;
}

// ---------------------------------------------------------------------------
class GraphTest : public GpuTest {
 protected:
  void SetUp() override {
    GpuTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_EQ(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), cudaSuccess);
  }
  void TearDown() override {
    if (stream_ != nullptr) {
      EXPECT_EQ(cudaStreamDestroy(stream_), cudaSuccess);
    }
  }
  cudaStream_t stream_ = nullptr;
};

TEST_F(GraphTest, ReplayRunsTheCapturedWorkInOrderAndTwiceGivesEqualResults) {
  constexpr int kN = 300;
  std::vector<float> in(kN);
  for (int i = 0; i < kN; ++i) in[static_cast<size_t>(i)] = static_cast<float>(i) * 0.5f;
  std::vector<float> out(kN, -7.0f);
  DeviceBuffer<float> dx(kN), dy(kN);
  ASSERT_EQ(cudaMemset(dx.get(), 0, dx.bytes()), cudaSuccess);
  ASSERT_EQ(cudaMemset(dy.get(), 0, dy.bytes()), cudaSuccess);

  // upload, x += 1, y = 2x + 1, download
  ASSERT_EQ(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeGlobal), cudaSuccess);
  ASSERT_EQ(cudaMemcpyAsync(dx.get(), in.data(), dx.bytes(), cudaMemcpyHostToDevice, stream_), cudaSuccess);
  ASSERT_EQ(LaunchAddOne(dx.get(), kN, stream_), cudaSuccess);
  ASSERT_EQ(LaunchTwicePlusOne(dx.get(), kN, dy.get(), stream_), cudaSuccess);
  ASSERT_EQ(cudaMemcpyAsync(out.data(), dy.get(), dy.bytes(), cudaMemcpyDeviceToHost, stream_), cudaSuccess);
  cudaGraph_t graph = nullptr;
  ASSERT_EQ(cudaStreamEndCapture(stream_, &graph), cudaSuccess);
  ASSERT_NE(graph, nullptr);

  // Capturing recorded the work without running it.
  for (float v : out) ASSERT_EQ(v, -7.0f);
  for (float v : dx.Download()) ASSERT_EQ(v, 0.0f);
  for (float v : dy.Download()) ASSERT_EQ(v, 0.0f);

  cudaGraphExec_t exec = nullptr;
  ASSERT_EQ(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
  ASSERT_EQ(cudaGraphLaunch(exec, stream_), cudaSuccess);
  ASSERT_EQ(cudaStreamSynchronize(stream_), cudaSuccess);
  const std::vector<float> first = out;
  for (int i = 0; i < kN; ++i) {
    ASSERT_EQ(first[static_cast<size_t>(i)], 2.0f * (in[static_cast<size_t>(i)] + 1.0f) + 1.0f) << i;
  }
  std::fill(out.begin(), out.end(), -7.0f);
  ASSERT_EQ(cudaGraphLaunch(exec, stream_), cudaSuccess);
  ASSERT_EQ(cudaStreamSynchronize(stream_), cudaSuccess);
  EXPECT_EQ(std::memcmp(out.data(), first.data(), first.size() * sizeof(float)), 0);

  EXPECT_EQ(cudaGraphExecDestroy(exec), cudaSuccess);
  EXPECT_EQ(cudaGraphDestroy(graph), cudaSuccess);
}

TEST_F(GraphTest, EveryReplayRunsTheKernelsAgain) {
  DeviceBuffer<float> dx(10);
  ASSERT_EQ(cudaMemset(dx.get(), 0, dx.bytes()), cudaSuccess);
  ASSERT_EQ(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal), cudaSuccess);
  ASSERT_EQ(LaunchAddOne(dx.get(), 10, stream_), cudaSuccess);
  cudaGraph_t graph = nullptr;
  ASSERT_EQ(cudaStreamEndCapture(stream_, &graph), cudaSuccess);
  cudaGraphExec_t exec = nullptr;
  ASSERT_EQ(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(cudaGraphLaunch(exec, stream_), cudaSuccess);
  ASSERT_EQ(cudaStreamSynchronize(stream_), cudaSuccess);
  for (float v : dx.Download()) EXPECT_EQ(v, 3.0f);
  EXPECT_EQ(cudaGraphExecDestroy(exec), cudaSuccess);
  EXPECT_EQ(cudaGraphDestroy(graph), cudaSuccess);
}

TEST_F(GraphTest, SynchronizingACapturingStreamFailsAndInvalidatesTheCapture) {
  DeviceBuffer<float> dx(10);
  ASSERT_EQ(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeGlobal), cudaSuccess);
  ASSERT_EQ(LaunchAddOne(dx.get(), 10, stream_), cudaSuccess);
  EXPECT_EQ(cudaStreamSynchronize(stream_), cudaErrorStreamCaptureUnsupported);
  cudaGraph_t graph = nullptr;
  EXPECT_EQ(cudaStreamEndCapture(stream_, &graph), cudaErrorStreamCaptureInvalidated);
  EXPECT_EQ(graph, nullptr);
  (void)cudaGetLastError();
}

TEST_F(GraphTest, EndingACaptureThatWasNeverBegunIsRefused) {
  cudaGraph_t graph = nullptr;
  EXPECT_EQ(cudaStreamEndCapture(stream_, &graph), cudaErrorIllegalState);
  EXPECT_EQ(cudaGetLastError(), cudaErrorIllegalState);
}

TEST_F(GraphTest, EventsTimeTheWorkBetweenThemAndReplayRecordsThemAgain) {
  cudaEvent_t start = nullptr, stop = nullptr;
  ASSERT_EQ(cudaEventCreate(&start), cudaSuccess);
  ASSERT_EQ(cudaEventCreate(&stop), cudaSuccess);
  float ms = -1.0f;
  EXPECT_EQ(cudaEventElapsedTime(&ms, start, stop), cudaErrorInvalidResourceHandle);  // never recorded
  (void)cudaGetLastError();

  DeviceBuffer<float> dx(4096);
  ASSERT_EQ(cudaMemset(dx.get(), 0, dx.bytes()), cudaSuccess);
  ASSERT_EQ(cudaEventRecord(start, stream_), cudaSuccess);
  ASSERT_EQ(LaunchAddOne(dx.get(), 4096, stream_), cudaSuccess);
  ASSERT_EQ(cudaEventRecord(stop, stream_), cudaSuccess);
  ASSERT_EQ(cudaEventSynchronize(stop), cudaSuccess);
  ASSERT_EQ(cudaEventElapsedTime(&ms, start, stop), cudaSuccess);
  EXPECT_GE(ms, 0.0f);

  // Recorded inside a capture, the events are stamped by every replay.
  ASSERT_EQ(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeGlobal), cudaSuccess);
  ASSERT_EQ(cudaEventRecord(start, stream_), cudaSuccess);
  ASSERT_EQ(LaunchAddOne(dx.get(), 4096, stream_), cudaSuccess);
  ASSERT_EQ(cudaEventRecord(stop, stream_), cudaSuccess);
  cudaGraph_t graph = nullptr;
  ASSERT_EQ(cudaStreamEndCapture(stream_, &graph), cudaSuccess);
  cudaGraphExec_t exec = nullptr;
  ASSERT_EQ(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
  ASSERT_EQ(cudaGraphLaunch(exec, stream_), cudaSuccess);
  ASSERT_EQ(cudaStreamSynchronize(stream_), cudaSuccess);
  ASSERT_EQ(cudaEventElapsedTime(&ms, start, stop), cudaSuccess);
  EXPECT_GE(ms, 0.0f);
  for (float v : dx.Download()) ASSERT_EQ(v, 2.0f);
  EXPECT_EQ(cudaGraphExecDestroy(exec), cudaSuccess);
  EXPECT_EQ(cudaGraphDestroy(graph), cudaSuccess);
  EXPECT_EQ(cudaEventDestroy(start), cudaSuccess);
  EXPECT_EQ(cudaEventDestroy(stop), cudaSuccess);
}

// ---------------------------------------------------------------------------
using MemoryTest = GpuTest;

TEST_F(MemoryTest, MemsetWritesTheLowByteOfValueToEveryByte) {
  DeviceBuffer<uint8_t> d(1000);
  ASSERT_EQ(cudaMemset(d.get(), 0x1A5, d.bytes()), cudaSuccess);
  ASSERT_EQ(cudaMemset(d.get() + 10, 0, 5), cudaSuccess);
  const std::vector<uint8_t> got = d.Download();
  for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], (i >= 10 && i < 15) ? 0 : 0xA5) << i;
}

TEST_F(MemoryTest, MemcpyCopiesHostToDeviceWithinDeviceAndBack) {
  std::vector<int> host(64);
  for (int i = 0; i < 64; ++i) host[static_cast<size_t>(i)] = i * i;
  DeviceBuffer<int> a(64), b(64);
  a.Upload(host);
  ASSERT_EQ(cudaMemset(b.get(), 0, b.bytes()), cudaSuccess);
  ASSERT_EQ(cudaMemcpy(b.get() + 8, a.get() + 16, 10 * sizeof(int), cudaMemcpyDeviceToDevice), cudaSuccess);
  ASSERT_EQ(cudaMemcpyAsync(b.get() + 40, a.get(), 4 * sizeof(int), cudaMemcpyDefault, nullptr), cudaSuccess);
  ASSERT_EQ(cudaStreamSynchronize(nullptr), cudaSuccess);
  const std::vector<int> got = b.Download();
  for (int i = 0; i < 64; ++i) {
    int want = 0;
    if (i >= 8 && i < 18) want = (i + 8) * (i + 8);
    if (i >= 40 && i < 44) want = (i - 40) * (i - 40);
    ASSERT_EQ(got[static_cast<size_t>(i)], want) << i;
  }
  EXPECT_EQ(cudaMemcpy(b.get(), a.get(), 0, cudaMemcpyDeviceToDevice), cudaSuccess);
}

TEST_F(MemoryTest, AnUnknownCopyDirectionIsRefused) {
  DeviceBuffer<int> a(4), b(4);
  EXPECT_EQ(cudaMemcpy(b.get(), a.get(), 16, static_cast<cudaMemcpyKind>(7)), cudaErrorInvalidMemcpyDirection);
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidMemcpyDirection);
}

// ---------------------------------------------------------------------------
using LaunchErrorTest = GpuTest;

TEST_F(LaunchErrorTest, MoreThan1024ThreadsIsAnInvalidConfigurationAndDoesNotRun) {
  DeviceBuffer<float> dx(2048);
  ASSERT_EQ(cudaMemset(dx.get(), 0, dx.bytes()), cudaSuccess);
  EXPECT_EQ(LaunchAddOneConfigured(dim3(1), dim3(1025), 0, dx.get(), 2048, nullptr), cudaErrorInvalidConfiguration);
  EXPECT_EQ(LaunchAddOneConfigured(dim3(1), dim3(32, 32, 2), 0, dx.get(), 2048, nullptr),
            cudaErrorInvalidConfiguration);
  for (float v : dx.Download()) ASSERT_EQ(v, 0.0f);
}

TEST_F(LaunchErrorTest, AZeroDimensionIsAnInvalidConfigurationAndDoesNotRun) {
  DeviceBuffer<float> dx(64);
  ASSERT_EQ(cudaMemset(dx.get(), 0, dx.bytes()), cudaSuccess);
  EXPECT_EQ(LaunchAddOneConfigured(dim3(0), dim3(64), 0, dx.get(), 64, nullptr), cudaErrorInvalidConfiguration);
  EXPECT_EQ(LaunchAddOneConfigured(dim3(1), dim3(64, 0), 0, dx.get(), 64, nullptr), cudaErrorInvalidConfiguration);
  for (float v : dx.Download()) ASSERT_EQ(v, 0.0f);
}

TEST_F(LaunchErrorTest, DynamicSharedMemoryAbove48KiBNeedsTheFunctionAttribute) {
  DeviceBuffer<float> dx(64);
  ASSERT_EQ(cudaMemset(dx.get(), 0, dx.bytes()), cudaSuccess);
  EXPECT_NE(LaunchAddOneConfigured(dim3(1), dim3(64), 64 * 1024, dx.get(), 64, nullptr), cudaSuccess);
  for (float v : dx.Download()) ASSERT_EQ(v, 0.0f);

  EXPECT_EQ(SetAddOneMaxDynamicShared(228 * 1024), cudaErrorInvalidValue);
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidValue);
  ASSERT_EQ(SetAddOneMaxDynamicShared(64 * 1024), cudaSuccess);
  EXPECT_EQ(LaunchAddOneConfigured(dim3(1), dim3(64), 64 * 1024, dx.get(), 64, nullptr), cudaSuccess);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  for (float v : dx.Download()) ASSERT_EQ(v, 1.0f);
  ASSERT_EQ(SetAddOneMaxDynamicShared(48 * 1024), cudaSuccess);
}

TEST_F(LaunchErrorTest, GetLastErrorClearsTheErrorAndPeekKeepsIt) {
  DeviceBuffer<int> a(4);
  ASSERT_EQ(cudaGetLastError(), cudaSuccess);
  EXPECT_EQ(cudaMemcpy(a.get(), a.get(), 16, static_cast<cudaMemcpyKind>(9)), cudaErrorInvalidMemcpyDirection);
  EXPECT_EQ(cudaMemset(a.get(), 0, 16), cudaSuccess);  // success leaves the last error alone
  EXPECT_EQ(cudaPeekAtLastError(), cudaErrorInvalidMemcpyDirection);
  EXPECT_EQ(cudaPeekAtLastError(), cudaErrorInvalidMemcpyDirection);
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidMemcpyDirection);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
  EXPECT_EQ(cudaPeekAtLastError(), cudaSuccess);
}

}  // namespace
}  // namespace attestd::kernels::ATTESTD_GPU_NS::simt_test
