// Timing of the peers of bench/gpu_peers.h with CUDA events.
#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/gpu_peers.h"
#include "bench/gpu_peers_launch.h"
#include "kernels/cuda.h"

namespace attestd::bench::ATTESTD_GPU_NS {
namespace {

absl::Status Check(cudaError_t e, const char* what) {
  if (e == cudaSuccess) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(what, ": ", cudaGetErrorString(e)));
}

// Milliseconds of `run`, the median of `repeats` after one warm-up.
template <typename Fn>
absl::StatusOr<float> MedianMs(int repeats, const Fn& run) {
  cudaEvent_t start, stop;
  if (cudaEventCreate(&start) != cudaSuccess || cudaEventCreate(&stop) != cudaSuccess) {
    return absl::InternalError("cudaEventCreate failed");
  }
  std::vector<float> ms;
  absl::Status status = Check(run(), "warm-up");
  for (int r = 0; status.ok() && r < repeats; ++r) {
    cudaEventRecord(start);
    status = Check(run(), "timed run");
    cudaEventRecord(stop);
    if (status.ok()) status = Check(cudaEventSynchronize(stop), "cudaEventSynchronize");
    float t = 0.0f;
    if (status.ok()) status = Check(cudaEventElapsedTime(&t, start, stop), "cudaEventElapsedTime");
    ms.push_back(t);
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  RETURN_IF_ERROR(status);
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

absl::StatusOr<double> CopyBandwidth(size_t bytes, int repeats) {
  void* a = nullptr;
  void* b = nullptr;
  RETURN_IF_ERROR(Check(cudaMalloc(&a, bytes), "cudaMalloc"));
  absl::Status status = Check(cudaMalloc(&b, bytes), "cudaMalloc");
  if (status.ok()) status = Check(cudaMemset(a, 1, bytes), "cudaMemset");
  absl::StatusOr<float> ms = absl::InternalError("not run");
  if (status.ok()) ms = MedianMs(repeats, [&] { return cudaMemcpy(b, a, bytes, cudaMemcpyDeviceToDevice); });
  cudaFree(a);
  if (b != nullptr) cudaFree(b);
  RETURN_IF_ERROR(status);
  RETURN_IF_ERROR(ms.status());
  return 2.0 * static_cast<double>(bytes) / (static_cast<double>(*ms) * 1e-3) / 1e9;
}

absl::StatusOr<double> F32MulAddRate(int iterations, int repeats) {
  int device = 0;
  cudaDeviceProp prop{};
  RETURN_IF_ERROR(Check(cudaGetDevice(&device), "cudaGetDevice"));
  RETURN_IF_ERROR(Check(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties"));
  const int blocks = std::max(1, prop.multiProcessorCount) * 8;
  float* out = nullptr;
  RETURN_IF_ERROR(Check(cudaMalloc(&out, static_cast<size_t>(blocks) * kMulAddThreads * sizeof(float)), "cudaMalloc"));
  absl::StatusOr<float> ms = MedianMs(repeats, [&] { return LaunchMulAdd(blocks, out, iterations); });
  cudaFree(out);
  RETURN_IF_ERROR(ms.status());
  const double flops = 2.0 * kMulAddChains * static_cast<double>(iterations) * blocks * kMulAddThreads;
  return flops / (static_cast<double>(*ms) * 1e-3) / 1e9;
}

}  // namespace attestd::bench::ATTESTD_GPU_NS
