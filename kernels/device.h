// A GPU as the engine sees it: device memory, one in-order stream, captured
// graphs, and the canonical kernels (the CUDA twins of kernels/*.cc, each in
// the .cu file beside its CPU twin; docs/determinism.md, "CUDA mapping").
//
// One source, two devices. kernels/device_impl.cc and every kernels/*.cu are
// compiled twice (cmake/AttestdGpu.cmake):
//   cuda::OpenDevice()  nvcc and the CUDA runtime, on an NVIDIA GPU;
//   simt::OpenDevice()  g++ and the SIMT emulator (kernels/simt/), which runs
//                       the same kernel text on the CPU, so CI proves every
//                       kernel bit for bit against its CPU twin without a GPU.
// Every result is bit-identical to the CPU kernels on the same inputs (NaN
// payloads aside: SPEC, Determinism), on any NVIDIA GPU from sm_75 on.
//
// Conventions: pointers named *_dev (and every float*/int32_t* argument of a
// kernel call) are device memory; shapes are written beside each call as in
// the CPU headers. Calls are stream-ordered and return before the device has
// run them, except Download and Synchronize, which wait. Weight matrices are
// in the lane-major layout of kernels/lane_major.h.
//
// Ownership: a Device owns its stream and context use; the DeviceBuffers and
// DeviceGraphs it hands out borrow it and must be destroyed before it.
// Thread safety: not thread-safe; one thread drives a Device at a time (the
// engine serialises its steps).
// Failure: every call returns a Status that names the operation (a kernel's
// launch error names the kernel). CUDA errors are sticky, so after an
// Internal error the device is not used again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "kernels/device_types.h"

namespace attestd::kernels {

class Device;

// Device memory, owned. Move-only; freed by the destructor (stream-ordered
// after everything already queued).
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(Device* device, void* data, size_t bytes) : device_(device), data_(data), bytes_(bytes) {}
  ~DeviceBuffer() { Reset(); }
  DeviceBuffer(DeviceBuffer&& o) noexcept : device_(o.device_), data_(o.data_), bytes_(o.bytes_) {
    o.device_ = nullptr;
    o.data_ = nullptr;
    o.bytes_ = 0;
  }
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* data() const { return data_; }
  template <typename T>
  T* as() const {
    return static_cast<T*>(data_);
  }
  size_t bytes() const { return bytes_; }

 private:
  void Reset();
  Device* device_ = nullptr;
  void* data_ = nullptr;
  size_t bytes_ = 0;
};

// A captured sequence of device work (a CUDA graph), replayed by
// Device::Replay with the device pointers and launch shapes it was captured
// with; only the contents of device memory may differ between replays.
class DeviceGraph {
 public:
  virtual ~DeviceGraph() = default;
};

class Device {
 public:
  virtual ~Device() = default;
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  // E.g. "NVIDIA H100 80GB HBM3 (sm_90, 132 SMs, 79.1 GiB)".
  virtual std::string name() const = 0;

  // ResourceExhausted when the device has no room.
  [[nodiscard]] virtual absl::StatusOr<DeviceBuffer> Allocate(size_t bytes) = 0;
  // Host to device; `src` may be reused as soon as this returns.
  [[nodiscard]] virtual absl::Status Upload(void* dst_dev, const void* src, size_t bytes) = 0;
  // Device to host; waits for all queued work first.
  [[nodiscard]] virtual absl::Status Download(void* dst, const void* src_dev, size_t bytes) = 0;
  [[nodiscard]] virtual absl::Status Synchronize() = 0;

  // Between BeginCapture and EndCapture the kernel calls below are recorded,
  // not run; Upload and Download may not be called then.
  [[nodiscard]] virtual absl::Status BeginCapture() = 0;
  [[nodiscard]] virtual absl::StatusOr<std::unique_ptr<DeviceGraph>> EndCapture() = 0;
  [[nodiscard]] virtual absl::Status Replay(const DeviceGraph& graph) = 0;

  // ---- The canonical kernels; each names its CPU twin. ----

  // kernels/embedding.h. out[t] = table[ids[t]] widened.  ids [tokens], out [tokens, table.cols]
  [[nodiscard]] virtual absl::Status Embed(const DeviceMatrix& table, const int32_t* ids, int64_t tokens,
                                           float* out) = 0;

  // kernels/rmsnorm.h, per row r: y[r] = RmsNorm(x[src]), src = rows_from ? rows_from[r] : r.
  // x [*, n], weight [n], y [rows, n]; y must not alias x.
  [[nodiscard]] virtual absl::Status RmsNorm(const float* x, const int32_t* rows_from, int64_t rows, int64_t n,
                                             const float* weight, float eps, float* y) = 0;

  // kernels/matmul.h: y[t][o] = dot(x[t], W[o]), then + bias[o] when bias is
  // set, then residual[t][o] + that when residual is set (the transformer's
  // residual addition, one f32 add). x [tokens, w.cols], bias [w.rows],
  // residual and y [tokens, w.rows]; y may be residual, must not alias x.
  [[nodiscard]] virtual absl::Status Matmul(const float* x, int64_t tokens, const DeviceMatrix& w,
                                            const float* bias, const float* residual, float* y) = 0;

  // kernels/rope.h RopeCosSin for each token's position:
  // cos, sin [tokens, half] from inv_freq [half] and slots [tokens].
  [[nodiscard]] virtual absl::Status RopeTable(const float* inv_freq, const TokenSlot* slots, int64_t tokens,
                                               int64_t half, float* cos, float* sin) = 0;

  // kernels/rope.h RopeApply, then the transformer's cache append, for each
  // token t of qkv [tokens, (heads + 2 * kv_heads) * head_dim] (its q, k and
  // v side by side): the rotated q goes to q_out [tokens, heads * head_dim],
  // the rotated k and the v to its slot's cache at layer `layer`, its
  // position. cos, sin [tokens, head_dim / 2] from RopeTable.
  [[nodiscard]] virtual absl::Status RopeAppend(const float* qkv, float* q_out, const float* cos, const float* sin,
                                                const TokenSlot* slots, int64_t layer, int64_t tokens,
                                                int64_t heads, int64_t kv_heads, int64_t head_dim) = 0;

  // kernels/attention.h for every (token, head): causal GQA over the token's
  // cache, positions [0, position]. q, out [tokens, heads * head_dim];
  // scratch [tokens * heads, scratch_stride] with scratch_stride > every
  // position in slots.
  [[nodiscard]] virtual absl::Status Attention(const float* q, const TokenSlot* slots, int64_t layer,
                                               int64_t tokens, int64_t heads, int64_t kv_heads, int64_t head_dim,
                                               float* scratch, int64_t scratch_stride, float* out) = 0;

  // kernels/silu.h: out[t][i] = Silu(gate_up[t][i]) * gate_up[t][inter + i]
  // (gate and up projections side by side). gate_up [tokens, 2 * inter], out [tokens, inter].
  [[nodiscard]] virtual absl::Status SiluMul(const float* gate_up, int64_t tokens, int64_t inter, float* out) = 0;

  // kernels/softmax.h on each row, in place. x [rows, n], n >= 1.
  [[nodiscard]] virtual absl::Status Softmax(float* x, int64_t rows, int64_t n) = 0;

  // kernels/argmax.h on each row. x [rows, n], out [rows].
  [[nodiscard]] virtual absl::Status Argmax(const float* x, int64_t rows, int64_t n, int32_t* out) = 0;

 protected:
  Device() = default;

 private:
  friend class DeviceBuffer;
  // Frees memory from Allocate; never fails visibly (CUDA reports a sticky
  // error on the next call instead).
  virtual void Free(void* data_dev) = 0;
};

namespace cuda {
// The first NVIDIA GPU through the CUDA runtime. Unavailable, with the
// reason, when this build has no CUDA kernels or the machine no usable GPU.
[[nodiscard]] absl::StatusOr<std::unique_ptr<Device>> OpenDevice();
}  // namespace cuda

namespace simt {
// The SIMT emulator: the same kernels on the CPU (tests, CI).
[[nodiscard]] absl::StatusOr<std::unique_ptr<Device>> OpenDevice();
}  // namespace simt

}  // namespace attestd::kernels
