// simt_emulator: how fast the SIMT emulator (kernels/simt/simt.h) runs
// kernels on the CPU, measured in one run:
//   - raw fiber switches per second (two fibers switching back and forth);
//   - __syncthreads arrivals per second (one block of 1024 threads) and
//     __syncwarp arrivals per second (one warp), each a fiber switch plus
//     the scheduler's bookkeeping;
//   - a warp-per-row matvec (rows x cols f32, __shfl_down_sync tree), as a
//     ratio against the same lane dots computed by the CPU kernel
//     (DotF32Scalar) on one thread.
//
//   build-*/bench/simt_emulator [--rows 4096] [--cols 1024] [--iterations 5]
//
// Validates before timing: the matvec must equal the CPU lane dot bit for
// bit, or the program exits 1. Run it in the ASan and TSan build trees to
// see what the sanitizers cost (configure them with -DATTESTD_BUILD_BENCH=ON).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "bench/simt_emulator_kernels.h"
#include "kernels/cuda.h"
#include "kernels/dot.h"
#include "kernels/simt/fiber.h"
#include "kernels/simt/grid_runner.h"

namespace attestd::kernels::simt::simt_bench {
namespace {

using Clock = std::chrono::steady_clock;
namespace emu = ::attestd::simt;

double Seconds(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

const char* Build() {
#if defined(__SANITIZE_ADDRESS__)
  return "AddressSanitizer";
#elif defined(__SANITIZE_THREAD__)
  return "ThreadSanitizer";
#else
  return "plain";
#endif
}

const char* SwitchKind() {
#if defined(ATTESTD_SIMT_USE_UCONTEXT)
  return "ucontext";
#else
  return "x86-64 hand-written";
#endif
}

// Two contexts switching back and forth: the cost of the bare switch,
// sanitizer announcements included.
struct PingPong {
  emu::FiberContext main;
  emu::FiberContext fiber;
};

void PingPongBody(void* arg) {
  emu::OnFiberStart();
  auto* p = static_cast<PingPong*>(arg);
  for (;;) emu::SwitchContext(&p->fiber, &p->main);
}

double RawSwitchesPerSecond(long round_trips) {
  PingPong p;
  emu::FiberStack stack(64 * 1024);
  emu::InitThreadContext(&p.main);
  emu::InitFiberContext(&p.fiber, stack, 0, &PingPongBody, &p);
  emu::SwitchContext(&p.main, &p.fiber);  // start it
  const auto start = Clock::now();
  for (long i = 0; i < round_trips; ++i) emu::SwitchContext(&p.main, &p.fiber);
  const double s = Seconds(start);
  emu::DestroyFiberContext(&p.fiber);
  return 2.0 * static_cast<double>(round_trips) / s;
}

template <typename Launch>
double ArrivalsPerSecond(double arrivals, Launch launch) {
  if (launch() != cudaSuccess) return 0;  // warm: fibers created
  const auto start = Clock::now();
  if (launch() != cudaSuccess) return 0;
  return arrivals / Seconds(start);
}

int Run(int rows, int cols, int iterations, int rounds) {
  std::printf("simt_emulator: %s build, %s fiber switch, %d host threads run blocks\n", Build(), SwitchKind(),
              emu::WorkerThreads());

  // Matvec: validate, then time.
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> w(static_cast<size_t>(rows) * static_cast<size_t>(cols)), x(static_cast<size_t>(cols));
  for (float& v : w) v = dist(rng);
  for (float& v : x) v = dist(rng);
  float *dw = nullptr, *dx = nullptr, *dy = nullptr;
  if (cudaMalloc(&dw, w.size() * sizeof(float)) != cudaSuccess || cudaMalloc(&dx, x.size() * sizeof(float)) != cudaSuccess ||
      cudaMalloc(&dy, static_cast<size_t>(rows) * sizeof(float)) != cudaSuccess) {
    std::fprintf(stderr, "simt_emulator: cudaMalloc failed\n");
    return 1;
  }
  cudaMemcpy(dw, w.data(), w.size() * sizeof(float), cudaMemcpyHostToDevice);
  cudaMemcpy(dx, x.data(), x.size() * sizeof(float), cudaMemcpyHostToDevice);

  std::vector<float> want(static_cast<size_t>(rows)), got(static_cast<size_t>(rows));
  std::vector<double> cpu_times;
  for (int it = 0; it < iterations; ++it) {
    const auto start = Clock::now();
    for (int r = 0; r < rows; ++r) {
      want[static_cast<size_t>(r)] = DotF32Scalar(x.data(), w.data() + static_cast<size_t>(r) * cols, cols);
    }
    cpu_times.push_back(Seconds(start));
  }
  if (LaunchWarpRowDot(dw, dx, rows, cols, dy, nullptr) != cudaSuccess) {
    std::fprintf(stderr, "simt_emulator: launch failed\n");
    return 1;
  }
  cudaMemcpy(got.data(), dy, got.size() * sizeof(float), cudaMemcpyDeviceToHost);
  if (std::memcmp(got.data(), want.data(), want.size() * sizeof(float)) != 0) {
    std::fprintf(stderr, "simt_emulator: the emulated matvec differs from the CPU lane dot\n");
    return 1;
  }
  std::vector<double> emu_times;
  for (int it = 0; it < iterations; ++it) {
    const auto start = Clock::now();
    LaunchWarpRowDot(dw, dx, rows, cols, dy, nullptr);
    emu_times.push_back(Seconds(start));
  }
  std::sort(cpu_times.begin(), cpu_times.end());
  std::sort(emu_times.begin(), emu_times.end());
  const double cpu = cpu_times[cpu_times.size() / 2], emu_s = emu_times[emu_times.size() / 2];
  // Per row: 32 lanes x 5 shuffles, each lane switching out once per shuffle.
  const double switches = static_cast<double>(rows) * 32 * 5;
  std::printf("matvec %d x %d, one warp per row (bit-identical to the CPU lane dot):\n", rows, cols);
  std::printf("  emulator %.2f ms (median of %d; %.1f M shuffle arrivals/s)\n", emu_s * 1e3, iterations,
              switches / emu_s / 1e6);
  std::printf("  CPU DotF32Scalar, one thread: %.2f ms; emulator / CPU = %.1fx\n", cpu * 1e3, emu_s / cpu);
  cudaFree(dw);
  cudaFree(dx);
  cudaFree(dy);

  // After the matvec: under ThreadSanitizer every synchronisation costs in
  // proportion to the fibers the process has created, and this creates 1024.
  std::printf("raw fiber switch:        %.1f M switches/s\n", RawSwitchesPerSecond(2000000) / 1e6);
  const double barrier = ArrivalsPerSecond(1024.0 * rounds, [&] { return LaunchBarrierRounds(1024, rounds, nullptr); });
  std::printf("__syncthreads (1024 th): %.1f M arrivals/s (%.0f ns each)\n", barrier / 1e6, 1e9 / barrier);
  const double warp = ArrivalsPerSecond(32.0 * rounds * 8, [&] { return LaunchSyncwarpRounds(rounds * 8, nullptr); });
  std::printf("__syncwarp (1 warp):     %.1f M arrivals/s (%.0f ns each)\n", warp / 1e6, 1e9 / warp);

  return 0;
}

}  // namespace
}  // namespace attestd::kernels::simt::simt_bench

int main(int argc, char** argv) {
  CLI::App app{"SIMT emulator: fiber switch rate and a warp-per-row matvec"};
  int rows = 4096, cols = 1024, iterations = 5, rounds = 200;
  app.add_option("--rows", rows, "matvec rows")->check(CLI::Range(1, 1 << 20));
  app.add_option("--cols", cols, "matvec columns")->check(CLI::Range(1, 1 << 20));
  app.add_option("--iterations", iterations, "timed repetitions (median)")->check(CLI::Range(1, 1000));
  app.add_option("--rounds", rounds, "barrier rounds per switch measurement")->check(CLI::Range(1, 100000));
  CLI11_PARSE(app, argc, argv);
  return attestd::kernels::simt::simt_bench::Run(rows, cols, iterations, rounds);
}
