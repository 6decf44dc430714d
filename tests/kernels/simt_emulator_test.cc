// Behaviour of the SIMT emulator itself (kernels/simt/simt.h) that a GPU
// does not share or that only the emulator can check: the device it
// reports, its memory fill, how it spreads blocks over host threads, how it
// reports kernel bugs, and what the sanitizers see.
//
// Tests that must watch a process fail re-run this binary as a child with
// a gtest filter naming a DISABLED_ helper test and ATTESTD_SIMT_TEST_CHILD
// set, and assert on the child's exit status and output; the helpers do
// nothing (and skip) when run any other way.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "kernels/cuda.h"
#include "kernels/simt/grid_runner.h"
#include "tests/kernels/simt_test_kernels.h"

extern char** environ;

namespace attestd::kernels::ATTESTD_GPU_NS::simt_test {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsanBuild = true;
#else
constexpr bool kAsanBuild = false;
#endif
#if defined(__SANITIZE_THREAD__)
constexpr bool kTsanBuild = true;
#else
constexpr bool kTsanBuild = false;
#endif

constexpr char kChildEnv[] = "ATTESTD_SIMT_TEST_CHILD";

bool IsChild() { return std::getenv(kChildEnv) != nullptr; }

struct ChildResult {
  bool exited = false;
  int exit_code = -1;
  int signal = 0;
  std::string output;  // stdout and stderr
};

// Runs this test binary with only `test` (a full gtest name) selected, the
// child marker set and `env` added; waits and returns how it ended.
ChildResult RunChild(const std::string& test, const std::vector<std::string>& env = {}) {
  ChildResult result;
  const std::string log = ::testing::TempDir() + "simt_child_" + std::to_string(getpid()) + ".log";
  const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  EXPECT_GE(fd, 0) << log;
  if (fd < 0) return result;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fd, STDERR_FILENO);

  std::vector<std::string> args = {"/proc/self/exe", "--gtest_filter=" + test, "--gtest_also_run_disabled_tests"};
  std::vector<std::string> envs;
  for (char** e = environ; *e != nullptr; ++e) envs.emplace_back(*e);
  envs.push_back(std::string(kChildEnv) + "=1");
  envs.insert(envs.end(), env.begin(), env.end());
  std::vector<char*> argv, envp;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (std::string& e : envs) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  const int rc = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(fd);
  EXPECT_EQ(rc, 0) << std::strerror(rc);
  if (rc == 0) {
    int status = 0;
    EXPECT_EQ(waitpid(pid, &status, 0), pid);
    result.exited = WIFEXITED(status);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  result.output = text.str();
  unlink(log.c_str());
  return result;
}

// ---------------------------------------------------------------------------
TEST(SimtDeviceTest, ReportsOneEmulatedDevice) {
  int count = 0;
  ASSERT_EQ(cudaGetDeviceCount(&count), cudaSuccess);
  EXPECT_EQ(count, 1);
  cudaDeviceProp prop{};
  ASSERT_EQ(cudaGetDeviceProperties(&prop, 0), cudaSuccess);
  EXPECT_STREQ(prop.name, "attestd SIMT emulator");
  EXPECT_EQ(prop.warpSize, 32);
  EXPECT_EQ(prop.maxThreadsPerBlock, 1024);
  EXPECT_EQ(prop.sharedMemPerBlock, 48u * 1024);
  EXPECT_EQ(prop.sharedMemPerBlockOptin, 227u * 1024);
  EXPECT_EQ(prop.multiProcessorCount, attestd::simt::WorkerThreads());
  EXPECT_GT(prop.totalGlobalMem, 0u);
  EXPECT_GT(prop.l2CacheSize, 0);
  EXPECT_EQ(cudaGetDeviceProperties(&prop, 1), cudaErrorInvalidDevice);
  EXPECT_EQ(cudaSetDevice(1), cudaErrorInvalidDevice);
  EXPECT_EQ(cudaSetDevice(0), cudaSuccess);
  EXPECT_STREQ(cudaGetErrorName(cudaErrorInvalidDevice), "cudaErrorInvalidDevice");
  EXPECT_STREQ(cudaGetErrorString(cudaErrorInvalidDevice), "invalid device ordinal");
  (void)cudaGetLastError();
}

// ---------------------------------------------------------------------------
TEST(SimtTypesTest, VectorTypesHaveCudasSizesAndAlignments) {
  static_assert(sizeof(float2) == 8 && alignof(float2) == 8);
  static_assert(sizeof(float3) == 12 && alignof(float3) == 4);
  static_assert(sizeof(float4) == 16 && alignof(float4) == 16);
  static_assert(sizeof(int2) == 8 && alignof(int2) == 8);
  static_assert(sizeof(int4) == 16 && alignof(int4) == 16);
  static_assert(sizeof(uint2) == 8 && alignof(uint2) == 8);
  static_assert(sizeof(uint4) == 16 && alignof(uint4) == 16);
  static_assert(sizeof(ushort2) == 4 && alignof(ushort2) == 4);
  static_assert(sizeof(ushort4) == 8 && alignof(ushort4) == 8);
  static_assert(sizeof(double2) == 16 && alignof(double2) == 16);
  static_assert(sizeof(longlong2) == 16 && alignof(longlong2) == 16);
  static_assert(sizeof(uint3) == 12 && sizeof(dim3) == 12);
  const float4 f = make_float4(1, 2, 3, 4);
  EXPECT_EQ(f.w, 4.0f);
  const dim3 d(7);
  EXPECT_EQ(d.x, 7u);
  EXPECT_EQ(d.y, 1u);
  EXPECT_EQ(d.z, 1u);
  const uint3 u = dim3(2, 3);
  EXPECT_EQ(u.y, 3u);
  EXPECT_EQ(u.z, 1u);
  EXPECT_EQ(warpSize, 32);
}

TEST(SimtIntrinsicsTest, RoundToNearestIntrinsicsAreSingleIeeeOperations) {
  const float a = 1.0f, b = std::ldexp(1.0f, -24);  // a + b is a tie: rounds to even
  EXPECT_EQ(__fadd_rn(a, b), 1.0f);
  EXPECT_EQ(__fadd_rn(a, std::nextafter(b, 1.0f)), std::nextafter(1.0f, 2.0f));
  EXPECT_EQ(__fmul_rn(3.0f, 1.0f / 3.0f), 3.0f * (1.0f / 3.0f));
  EXPECT_EQ(__fdiv_rn(1.0f, 3.0f), 1.0f / 3.0f);
  EXPECT_EQ(__frcp_rn(3.0f), 1.0f / 3.0f);
  EXPECT_EQ(__fsqrt_rn(2.0f), std::sqrt(2.0f));
  EXPECT_EQ(__dsqrt_rn(2.0), std::sqrt(2.0));
  EXPECT_EQ(__ddiv_rn(1.0, 3.0), 1.0 / 3.0);
  EXPECT_EQ(__float_as_uint(-0.0f), 0x80000000u);
  EXPECT_EQ(__uint_as_float(0x3f800000u), 1.0f);
  EXPECT_EQ(__float_as_int(1.0f), 0x3f800000);
  EXPECT_EQ(__int_as_float(0x40000000), 2.0f);
  EXPECT_EQ(__double_as_longlong(1.0), 0x3ff0000000000000LL);
  EXPECT_EQ(__longlong_as_double(0x4000000000000000LL), 2.0);
  const float v = 5.0f;
  EXPECT_EQ(__ldg(&v), 5.0f);
  EXPECT_EQ(min(-3, 2), -3);
  EXPECT_EQ(max(3u, 7u), 7u);
  EXPECT_EQ(min(-5LL, 4LL), -5LL);
  EXPECT_EQ(max(1ULL << 40, 3ULL), 1ULL << 40);
}

// ---------------------------------------------------------------------------
TEST(SimtMemoryTest, FreshDeviceMemoryIsFilledWithOneBits) {
  float* p = nullptr;
  ASSERT_EQ(cudaMalloc(&p, 37 * sizeof(float)), cudaSuccess);
  std::vector<float> host(37, 0.0f);
  ASSERT_EQ(cudaMemcpy(host.data(), p, 37 * sizeof(float), cudaMemcpyDeviceToHost), cudaSuccess);
  for (float v : host) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    EXPECT_EQ(bits, 0xffffffffu);
    EXPECT_TRUE(std::isnan(v));
  }
  EXPECT_EQ(cudaFree(p), cudaSuccess);
}

TEST(SimtMemoryTest, CopiesAndSetsPastAnAllocationAreRefused) {
  std::vector<char> host(64);
  char* d = nullptr;
  ASSERT_EQ(cudaMalloc(&d, 32), cudaSuccess);
  EXPECT_EQ(cudaMemcpy(d, host.data(), 33, cudaMemcpyHostToDevice), cudaErrorInvalidValue);
  EXPECT_EQ(cudaMemcpy(host.data(), d + 1, 32, cudaMemcpyDeviceToHost), cudaErrorInvalidValue);
  EXPECT_EQ(cudaMemcpy(d, host.data(), 8, cudaMemcpyDeviceToDevice), cudaErrorInvalidValue);
  EXPECT_EQ(cudaMemset(d + 30, 0, 3), cudaErrorInvalidValue);
  EXPECT_EQ(cudaMemset(host.data(), 0, 3), cudaErrorInvalidValue);
  EXPECT_EQ(cudaMemcpy(d + 16, host.data(), 16, cudaMemcpyHostToDevice), cudaSuccess);
  EXPECT_EQ(cudaFree(d), cudaSuccess);
  (void)cudaGetLastError();
}

TEST(SimtMemoryTest, FreeingAPointerTwiceOrNotFromCudaMallocIsRefused) {
  int local = 0;
  void* d = nullptr;
  ASSERT_EQ(cudaMalloc(&d, 8), cudaSuccess);
  EXPECT_EQ(cudaFree(d), cudaSuccess);
  EXPECT_EQ(cudaFree(d), cudaErrorInvalidValue);
  EXPECT_EQ(cudaFree(&local), cudaErrorInvalidValue);
  EXPECT_EQ(cudaFree(nullptr), cudaSuccess);
  (void)cudaGetLastError();
}

TEST(SimtGraphTest, AnEventRecordedInACaptureCannotBeWaitedForUntilItEnds) {
  cudaStream_t s = nullptr, other = nullptr;
  cudaEvent_t e = nullptr;
  ASSERT_EQ(cudaStreamCreate(&s), cudaSuccess);
  ASSERT_EQ(cudaStreamCreate(&other), cudaSuccess);
  ASSERT_EQ(cudaEventCreate(&e), cudaSuccess);
  ASSERT_EQ(cudaStreamBeginCapture(s, cudaStreamCaptureModeRelaxed), cudaSuccess);
  ASSERT_EQ(cudaEventRecord(e, s), cudaSuccess);
  EXPECT_EQ(cudaStreamWaitEvent(s, e, 0), cudaSuccess);  // same capture: already ordered
  EXPECT_EQ(cudaEventSynchronize(e), cudaErrorCapturedEvent);
  EXPECT_EQ(cudaEventQuery(e), cudaErrorCapturedEvent);
  EXPECT_EQ(cudaStreamWaitEvent(other, e, 0), cudaErrorNotSupported);  // would join the capture
  cudaGraph_t graph = nullptr;
  ASSERT_EQ(cudaStreamEndCapture(s, &graph), cudaSuccess);
  EXPECT_EQ(cudaEventSynchronize(e), cudaSuccess);
  EXPECT_EQ(cudaStreamWaitEvent(other, e, 0), cudaSuccess);
  EXPECT_EQ(cudaGraphDestroy(graph), cudaSuccess);
  EXPECT_EQ(cudaEventDestroy(e), cudaSuccess);
  EXPECT_EQ(cudaStreamDestroy(s), cudaSuccess);
  EXPECT_EQ(cudaStreamDestroy(other), cudaSuccess);
  (void)cudaGetLastError();
}

TEST(SimtGraphTest, UnsafeCallsDuringAGlobalCaptureFailAndInvalidateIt) {
  cudaStream_t s = nullptr;
  ASSERT_EQ(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), cudaSuccess);
  ASSERT_EQ(cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal), cudaSuccess);
  void* p = nullptr;
  EXPECT_EQ(cudaMalloc(&p, 64), cudaErrorStreamCaptureUnsupported);
  cudaGraph_t graph = nullptr;
  EXPECT_EQ(cudaStreamEndCapture(s, &graph), cudaErrorStreamCaptureInvalidated);
  EXPECT_EQ(graph, nullptr);
  // Relaxed mode allows it.
  ASSERT_EQ(cudaStreamBeginCapture(s, cudaStreamCaptureModeRelaxed), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&p, 64), cudaSuccess);
  ASSERT_EQ(cudaStreamEndCapture(s, &graph), cudaSuccess);
  EXPECT_EQ(cudaFree(p), cudaSuccess);
  EXPECT_EQ(cudaGraphDestroy(graph), cudaSuccess);
  EXPECT_EQ(cudaStreamDestroy(s), cudaSuccess);
  (void)cudaGetLastError();
}

TEST(SimtGraphTest, LegacyStreamWorkDuringACaptureOfABlockingStreamFails) {
  cudaStream_t s = nullptr;
  ASSERT_EQ(cudaStreamCreate(&s), cudaSuccess);  // blocking: syncs with the legacy stream
  float* d = nullptr;
  ASSERT_EQ(cudaMalloc(&d, 256), cudaSuccess);
  ASSERT_EQ(cudaStreamBeginCapture(s, cudaStreamCaptureModeRelaxed), cudaSuccess);
  EXPECT_EQ(cudaMemsetAsync(d, 0, 256, nullptr), cudaErrorStreamCaptureImplicit);
  cudaGraph_t graph = nullptr;
  EXPECT_EQ(cudaStreamEndCapture(s, &graph), cudaErrorStreamCaptureInvalidated);
  EXPECT_EQ(cudaStreamBeginCapture(nullptr, cudaStreamCaptureModeGlobal), cudaErrorStreamCaptureUnsupported);
  EXPECT_EQ(cudaFree(d), cudaSuccess);
  EXPECT_EQ(cudaStreamDestroy(s), cudaSuccess);
  (void)cudaGetLastError();
}

// ---------------------------------------------------------------------------
TEST(SimtShuffleTest, ReadingALaneOutsideTheMaskGivesOneBits) {
  // Lanes 0..15 shuffle down by 1 with mask 0x0000ffff: lane 15 reads lane
  // 16, which is not in the mask (undefined on a GPU).
  std::vector<int> in(32), params(32, 1);
  for (int l = 0; l < 32; ++l) in[static_cast<size_t>(l)] = l + 100;
  int *din = nullptr, *dout = nullptr, *dparam = nullptr;
  ASSERT_EQ(cudaMalloc(&din, 128), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&dout, 128), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&dparam, 128), cudaSuccess);
  ASSERT_EQ(cudaMemcpy(din, in.data(), 128, cudaMemcpyHostToDevice), cudaSuccess);
  ASSERT_EQ(cudaMemcpy(dparam, params.data(), 128, cudaMemcpyHostToDevice), cudaSuccess);
  ASSERT_EQ(LaunchShuffleInt(ShuffleKind::kDown, 0x0000ffffu, 32, 32, dparam, din, dout, nullptr), cudaSuccess);
  std::vector<int> out(32);
  ASSERT_EQ(cudaMemcpy(out.data(), dout, 128, cudaMemcpyDeviceToHost), cudaSuccess);
  for (int l = 0; l < 15; ++l) EXPECT_EQ(out[static_cast<size_t>(l)], l + 101);
  EXPECT_EQ(out[15], -1);
  for (int l = 16; l < 32; ++l) EXPECT_EQ(out[static_cast<size_t>(l)], l + 100);
  cudaFree(din);
  cudaFree(dout);
  cudaFree(dparam);
}

// ---------------------------------------------------------------------------
std::set<unsigned long long> SharedIdentities(int blocks) {
  unsigned long long* d = nullptr;
  EXPECT_EQ(cudaMalloc(&d, sizeof(unsigned long long) * static_cast<size_t>(blocks)), cudaSuccess);
  EXPECT_EQ(LaunchSharedIdentity(blocks, d, nullptr), cudaSuccess);
  std::vector<unsigned long long> where(static_cast<size_t>(blocks));
  EXPECT_EQ(cudaMemcpy(where.data(), d, sizeof(unsigned long long) * where.size(), cudaMemcpyDeviceToHost),
            cudaSuccess);
  EXPECT_EQ(cudaFree(d), cudaSuccess);
  return std::set<unsigned long long>(where.begin(), where.end());
}

TEST(SimtGridTest, BlocksRunOnSeveralHostThreadsEachWithItsOwnSharedMemory) {
  if (attestd::simt::WorkerThreads() < 2) GTEST_SKIP() << "one host thread runs blocks here";
  // __shared__ is per host thread, so its address tells which thread ran a
  // block. 128 blocks with barriers are enough work for a helper to join.
  EXPECT_GE(SharedIdentities(128).size(), 2u);
}

TEST(SimtGridTest, DISABLED_OneHostThreadChild) {
  if (!IsChild()) GTEST_SKIP() << "helper of OneHostThreadRunsEveryBlock";
  ASSERT_EQ(attestd::simt::WorkerThreads(), 1);
  EXPECT_EQ(SharedIdentities(64).size(), 1u);
  std::vector<float> x(5000, 1.0f);
  float* d = nullptr;
  ASSERT_EQ(cudaMalloc(&d, x.size() * sizeof(float)), cudaSuccess);
  ASSERT_EQ(cudaMemcpy(d, x.data(), x.size() * sizeof(float), cudaMemcpyHostToDevice), cudaSuccess);
  ASSERT_EQ(LaunchAddOne(d, 5000, nullptr), cudaSuccess);
  ASSERT_EQ(cudaMemcpy(x.data(), d, x.size() * sizeof(float), cudaMemcpyDeviceToHost), cudaSuccess);
  for (float v : x) ASSERT_EQ(v, 2.0f);
  cudaFree(d);
}

TEST(SimtGridTest, OneHostThreadRunsEveryBlock) {
  const ChildResult r = RunChild("SimtGridTest.DISABLED_OneHostThreadChild", {"ATTESTD_SIMT_THREADS=1"});
  EXPECT_TRUE(r.exited && r.exit_code == 0) << r.output;
  EXPECT_NE(r.output.find("[  PASSED  ] 1 test"), std::string::npos) << r.output;
}

TEST(SimtGridTest, HostThreadsMayLaunchAtTheSameTime) {
  constexpr int kThreads = 4, kLaunches = 10, kN = 1000;
  std::vector<std::vector<float>> results(kThreads);
  std::vector<std::thread> threads;
  for (int h = 0; h < kThreads; ++h) {
    threads.emplace_back([h, &results] {
      std::vector<float> x(kN, static_cast<float>(h));
      float* d = nullptr;
      if (cudaMalloc(&d, kN * sizeof(float)) != cudaSuccess) return;
      cudaMemcpy(d, x.data(), kN * sizeof(float), cudaMemcpyHostToDevice);
      for (int i = 0; i < kLaunches; ++i) (void)LaunchAddOne(d, kN, nullptr);
      cudaMemcpy(x.data(), d, kN * sizeof(float), cudaMemcpyDeviceToHost);
      cudaFree(d);
      results[static_cast<size_t>(h)] = x;
    });
  }
  for (std::thread& t : threads) t.join();
  for (int h = 0; h < kThreads; ++h) {
    ASSERT_EQ(results[static_cast<size_t>(h)].size(), static_cast<size_t>(kN)) << h;
    for (float v : results[static_cast<size_t>(h)]) ASSERT_EQ(v, static_cast<float>(h + kLaunches)) << h;
  }
}

TEST(SimtGridTest, AChildForkedAfterLaunchesCanLaunch) {
  if (kTsanBuild) GTEST_SKIP() << "ThreadSanitizer does not support threads after a multi-threaded fork";
  // Start the helper threads, which the child does not inherit.
  EXPECT_GE(SharedIdentities(16).size(), 1u);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    float* d = nullptr;
    std::vector<float> x(3000, 5.0f);
    bool ok = cudaMalloc(&d, x.size() * sizeof(float)) == cudaSuccess &&
              cudaMemcpy(d, x.data(), x.size() * sizeof(float), cudaMemcpyHostToDevice) == cudaSuccess &&
              LaunchAddOne(d, 3000, nullptr) == cudaSuccess &&
              cudaMemcpy(x.data(), d, x.size() * sizeof(float), cudaMemcpyDeviceToHost) == cudaSuccess;
    for (float v : x) ok = ok && v == 6.0f;
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

// ---------------------------------------------------------------------------
// Kernel bugs abort with a report naming the kernel, block and threads.
class SimtFailureTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(SimtFailureTest, DeadlockAbortsNamingEveryWaitingThread) {
  EXPECT_DEATH((void)LaunchDeadlock(64, nullptr),
               "kernel Deadlock, block \\(0,0,0\\).*deadlock: no thread can run.*"
               "thread \\(0,0,0\\) waits at __syncthreads at .*simt_test_kernels.cu.*"
               "thread \\(1,0,0\\)..\\(31,0,0\\) \\(31 threads\\) waits at __syncwarp \\(mask 0xffffffff\\).*"
               "thread \\(32,0,0\\)..\\(63,0,0\\) \\(32 threads\\) waits at __syncthreads");
}

TEST_F(SimtFailureTest, ThreadsAtDifferentSyncthreadsAbort) {
  EXPECT_DEATH((void)LaunchDivergentBarrier(64, nullptr),
               "kernel DivergentBarrier.*thread \\(32,0,0\\).*reaches __syncthreads at .*simt_test_kernels.cu:[0-9]+ "
               "while thread \\(0,0,0\\) waits at __syncthreads at .*simt_test_kernels.cu:[0-9]+");
}

TEST_F(SimtFailureTest, ACollectiveWaitingForAnExitedLaneAborts) {
  EXPECT_DEATH((void)LaunchShuffleWithExitedLane(nullptr),
               "kernel ShuffleWithExitedLane.*waits at __shfl_sync \\(mask 0xffffffff\\).*for lane 31, thread "
               "\\(31,0,0\\), which has exited");
}

TEST_F(SimtFailureTest, LanesMeetingAtDifferentCollectivesAbort) {
  EXPECT_DEATH((void)LaunchMismatchedCollectives(nullptr),
               "kernel MismatchedCollectives.*lanes of one mask must meet at the same collective");
}

// ---------------------------------------------------------------------------
// What the sanitizers see. Each runs the faulty kernel in a child, so that
// this suite stays green, and checks the child's report.
TEST(SimtSanitizerTest, DISABLED_MissingSyncthreadsChild) {
  if (!IsChild()) GTEST_SKIP() << "helper of MissingSyncthreadsIsADataRaceUnderThreadSanitizer";
  int* out = nullptr;
  ASSERT_EQ(cudaMalloc(&out, 64 * sizeof(int)), cudaSuccess);
  ASSERT_EQ(LaunchMissingSyncthreads(64, out, nullptr), cudaSuccess);
  cudaFree(out);
}

TEST(SimtSanitizerTest, MissingSyncthreadsIsADataRaceUnderThreadSanitizer) {
  if (!kTsanBuild) GTEST_SKIP() << "needs the ThreadSanitizer build (-DATTESTD_TSAN=ON)";
  const ChildResult r = RunChild("SimtSanitizerTest.DISABLED_MissingSyncthreadsChild");
  EXPECT_FALSE(r.exited && r.exit_code == 0) << r.output;
  EXPECT_NE(r.output.find("WARNING: ThreadSanitizer: data race"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("MissingSyncthreads"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("simt_test_kernels.cu"), std::string::npos) << r.output;
}

TEST(SimtSanitizerTest, DISABLED_WarpExchangeWithoutSyncwarpChild) {
  if (!IsChild()) GTEST_SKIP() << "helper of WarpExchangeWithoutSyncwarpIsADataRaceUnderThreadSanitizer";
  int *in = nullptr, *out = nullptr;
  ASSERT_EQ(cudaMalloc(&in, 32 * sizeof(int)), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&out, 32 * sizeof(int)), cudaSuccess);
  ASSERT_EQ(LaunchWarpExchange(false, in, out, nullptr), cudaSuccess);
  cudaFree(in);
  cudaFree(out);
}

TEST(SimtSanitizerTest, WarpExchangeWithoutSyncwarpIsADataRaceUnderThreadSanitizer) {
  if (!kTsanBuild) GTEST_SKIP() << "needs the ThreadSanitizer build (-DATTESTD_TSAN=ON)";
  const ChildResult r = RunChild("SimtSanitizerTest.DISABLED_WarpExchangeWithoutSyncwarpChild");
  EXPECT_FALSE(r.exited && r.exit_code == 0) << r.output;
  EXPECT_NE(r.output.find("WARNING: ThreadSanitizer: data race"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("WarpExchange"), std::string::npos) << r.output;
}

TEST(SimtSanitizerTest, DISABLED_ReadOnePastChild) {
  if (!IsChild()) GTEST_SKIP() << "helper of ReadingOnePastACudaMallocBufferIsReportedByAddressSanitizer";
  float *in = nullptr, *out = nullptr;
  ASSERT_EQ(cudaMalloc(&in, 40 * sizeof(float)), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&out, 40 * sizeof(float)), cudaSuccess);
  ASSERT_EQ(LaunchReadOnePast(in, 40, out, nullptr), cudaSuccess);
  cudaFree(in);
  cudaFree(out);
}

TEST(SimtSanitizerTest, ReadingOnePastACudaMallocBufferIsReportedByAddressSanitizer) {
  if (!kAsanBuild) GTEST_SKIP() << "needs the AddressSanitizer build (-DATTESTD_SANITIZE=ON)";
  const ChildResult r = RunChild("SimtSanitizerTest.DISABLED_ReadOnePastChild");
  EXPECT_FALSE(r.exited && r.exit_code == 0) << r.output;
  EXPECT_NE(r.output.find("ERROR: AddressSanitizer: heap-buffer-overflow"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("0 bytes to the right of 160-byte region"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ReadOnePast"), std::string::npos) << r.output;
}

TEST(SimtSanitizerTest, DISABLED_ReadOnePastDynamicSharedChild) {
  if (!IsChild()) GTEST_SKIP() << "helper of ReadingOnePastDynamicSharedMemoryIsReportedByAddressSanitizer";
  float* out = nullptr;
  ASSERT_EQ(cudaMalloc(&out, 24 * sizeof(float)), cudaSuccess);
  ASSERT_EQ(LaunchReadOnePastDynamicShared(24, out, nullptr), cudaSuccess);
  cudaFree(out);
}

TEST(SimtSanitizerTest, ReadingOnePastDynamicSharedMemoryIsReportedByAddressSanitizer) {
  if (!kAsanBuild) GTEST_SKIP() << "needs the AddressSanitizer build (-DATTESTD_SANITIZE=ON)";
  const ChildResult r = RunChild("SimtSanitizerTest.DISABLED_ReadOnePastDynamicSharedChild");
  EXPECT_FALSE(r.exited && r.exit_code == 0) << r.output;
  EXPECT_NE(r.output.find("ERROR: AddressSanitizer: heap-buffer-overflow"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("0 bytes to the right of 96-byte region"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ReadOnePastDynamicShared"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace attestd::kernels::ATTESTD_GPU_NS::simt_test
