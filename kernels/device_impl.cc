// The Device of kernels/device.h on the CUDA runtime API. This one source is
// compiled twice (cmake/AttestdGpu.cmake): against CUDA for cuda::OpenDevice,
// and against the SIMT emulator, which implements the same runtime calls on
// the CPU, for simt::OpenDevice. Everything here is host code: the kernels
// are in kernels/*.cu behind the launchers of kernels/gpu_launch.h.
#include <cstdio>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "kernels/attention.h"
#include "kernels/cuda.h"
#include "kernels/device.h"
#include "kernels/gpu_launch.h"

namespace attestd::kernels::ATTESTD_GPU_NS {
namespace {

absl::Status CudaError(cudaError_t e, const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", cudaGetErrorName(e), " (", cudaGetErrorString(e), ")"));
}

#define ATTESTD_CUDA_RETURN(call, what)             \
  do {                                              \
    const cudaError_t attestd_cuda_error_ = (call); \
    if (attestd_cuda_error_ != cudaSuccess) {       \
      return CudaError(attestd_cuda_error_, what);  \
    }                                               \
  } while (false)

class Graph final : public DeviceGraph {
 public:
  explicit Graph(cudaGraphExec_t exec) : exec_(exec) {}
  ~Graph() override { cudaGraphExecDestroy(exec_); }
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;
  cudaGraphExec_t exec() const { return exec_; }

 private:
  cudaGraphExec_t exec_;
};

class DeviceImpl final : public Device {
 public:
  static absl::StatusOr<std::unique_ptr<Device>> Open() {
    int count = 0;
    const cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess || count == 0) {
      return absl::UnavailableError(absl::StrCat(
          "no CUDA device: ", e != cudaSuccess ? cudaGetErrorString(e) : "the runtime found no GPU"));
    }
    ATTESTD_CUDA_RETURN(cudaSetDevice(0), "cudaSetDevice(0)");
    cudaDeviceProp prop{};
    ATTESTD_CUDA_RETURN(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
    // The canonical kernels use nothing newer than sm_75 (Turing).
    if (prop.major < 7 || (prop.major == 7 && prop.minor < 5)) {
      return absl::UnavailableError(absl::StrCat("GPU ", prop.name, " is sm_", prop.major, prop.minor,
                                                 "; the CUDA kernels need sm_75 or newer"));
    }
    cudaStream_t stream = nullptr;
    ATTESTD_CUDA_RETURN(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate");
    std::string name = absl::StrFormat("%s (sm_%d%d, %d SMs, %.1f GiB)", prop.name, prop.major, prop.minor,
                                       prop.multiProcessorCount,
                                       static_cast<double>(prop.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0));
    return std::unique_ptr<Device>(new DeviceImpl(stream, std::move(name)));
  }

  ~DeviceImpl() override {
    cudaStreamSynchronize(stream_);
    cudaStreamDestroy(stream_);
  }

  std::string name() const override { return name_; }

  absl::StatusOr<DeviceBuffer> Allocate(size_t bytes) override {
    void* p = nullptr;
    const cudaError_t e = cudaMalloc(&p, bytes == 0 ? 1 : bytes);
    if (e == cudaErrorMemoryAllocation) {
      cudaGetLastError();  // not sticky: clear it so later calls do not see it
      return absl::ResourceExhaustedError(absl::StrCat("device memory: ", bytes, " bytes do not fit on ", name_));
    }
    ATTESTD_CUDA_RETURN(e, absl::StrCat("cudaMalloc(", bytes, ")"));
    return DeviceBuffer(this, p, bytes);
  }

  absl::Status Upload(void* dst, const void* src, size_t bytes) override {
    if (bytes == 0) return absl::OkStatus();
    // From pageable memory the runtime copies `src` into a staging buffer
    // before cudaMemcpyAsync returns, so the caller may reuse it at once.
    ATTESTD_CUDA_RETURN(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream_), "upload");
    return absl::OkStatus();
  }

  absl::Status Download(void* dst, const void* src, size_t bytes) override {
    if (bytes > 0) ATTESTD_CUDA_RETURN(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream_), "download");
    ATTESTD_CUDA_RETURN(cudaStreamSynchronize(stream_), "download");
    return absl::OkStatus();
  }

  absl::Status Synchronize() override {
    ATTESTD_CUDA_RETURN(cudaStreamSynchronize(stream_), "synchronize");
    return absl::OkStatus();
  }

  absl::Status BeginCapture() override {
    ATTESTD_CUDA_RETURN(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal), "begin graph capture");
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<DeviceGraph>> EndCapture() override {
    cudaGraph_t graph = nullptr;
    ATTESTD_CUDA_RETURN(cudaStreamEndCapture(stream_, &graph), "end graph capture");
    cudaGraphExec_t exec = nullptr;
    const cudaError_t e = cudaGraphInstantiate(&exec, graph, 0);
    cudaGraphDestroy(graph);
    ATTESTD_CUDA_RETURN(e, "instantiate graph");
    return std::unique_ptr<DeviceGraph>(new Graph(exec));
  }

  absl::Status Replay(const DeviceGraph& graph) override {
    ATTESTD_CUDA_RETURN(cudaGraphLaunch(static_cast<const Graph&>(graph).exec(), stream_), "replay graph");
    return absl::OkStatus();
  }

  absl::Status Embed(const DeviceMatrix& table, const int32_t* ids, int64_t tokens, float* out) override {
    ATTESTD_CUDA_RETURN(LaunchEmbed(stream_, table, ids, tokens, out), "kernel EmbedKernel");
    return absl::OkStatus();
  }

  absl::Status RmsNorm(const float* x, const int32_t* rows_from, int64_t rows, int64_t n, const float* weight,
                       float eps, float* y) override {
    ATTESTD_CUDA_RETURN(LaunchRmsNorm(stream_, x, rows_from, rows, n, weight, eps, y), "kernel RmsNormKernel");
    return absl::OkStatus();
  }

  absl::Status Matmul(const float* x, int64_t tokens, const DeviceMatrix& w, const float* bias,
                      const float* residual, float* y) override {
    ATTESTD_CUDA_RETURN(LaunchMatmul(stream_, x, tokens, w, bias, residual, y), "kernel Matmul");
    return absl::OkStatus();
  }

  absl::Status RopeTable(const float* inv_freq, const TokenSlot* slots, int64_t tokens, int64_t half, float* cos,
                         float* sin) override {
    ATTESTD_CUDA_RETURN(LaunchRopeTable(stream_, inv_freq, slots, tokens, half, cos, sin), "kernel RopeTableKernel");
    return absl::OkStatus();
  }

  absl::Status RopeAppend(const float* qkv, float* q_out, const float* cos, const float* sin, const TokenSlot* slots,
                          int64_t layer, int64_t tokens, int64_t heads, int64_t kv_heads,
                          int64_t head_dim) override {
    ATTESTD_CUDA_RETURN(
        LaunchRopeAppend(stream_, qkv, q_out, cos, sin, slots, layer, tokens, heads, kv_heads, head_dim),
        "kernel RopeAppendKernel");
    return absl::OkStatus();
  }

  absl::Status Attention(const float* q, const TokenSlot* slots, int64_t layer, int64_t tokens, int64_t heads,
                         int64_t kv_heads, int64_t head_dim, float* scratch, int64_t scratch_stride,
                         float* out) override {
    ATTESTD_CUDA_RETURN(LaunchAttention(stream_, q, slots, layer, tokens, heads, kv_heads, head_dim,
                                        AttentionScale(head_dim), scratch, scratch_stride, out),
                        "kernel AttentionKernel");
    return absl::OkStatus();
  }

  absl::Status SiluMul(const float* gate_up, int64_t tokens, int64_t inter, float* out) override {
    ATTESTD_CUDA_RETURN(LaunchSiluMul(stream_, gate_up, tokens, inter, out), "kernel SiluMulKernel");
    return absl::OkStatus();
  }

  absl::Status Softmax(float* x, int64_t rows, int64_t n) override {
    ATTESTD_CUDA_RETURN(LaunchSoftmax(stream_, x, rows, n), "kernel SoftmaxKernel");
    return absl::OkStatus();
  }

  absl::Status Argmax(const float* x, int64_t rows, int64_t n, int32_t* out) override {
    ATTESTD_CUDA_RETURN(LaunchArgmax(stream_, x, rows, n, out), "kernel ArgmaxKernel");
    return absl::OkStatus();
  }

 private:
  DeviceImpl(cudaStream_t stream, std::string name) : stream_(stream), name_(std::move(name)) {}

  void Free(void* data) override { cudaFree(data); }

  cudaStream_t stream_;
  std::string name_;
};

#undef ATTESTD_CUDA_RETURN

}  // namespace

absl::StatusOr<std::unique_ptr<Device>> OpenDevice() { return DeviceImpl::Open(); }

}  // namespace attestd::kernels::ATTESTD_GPU_NS
