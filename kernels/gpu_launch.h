// The launchers of the CUDA kernels, one group per kernels/*.cu file. Only
// kernels/device_impl.cc calls them; everything else goes through the
// Device interface (kernels/device.h), whose comments give each operation's
// shapes and its CPU twin.
//
// Each launcher queues its kernel(s) on `stream` and returns the launch's
// cudaError_t (cudaGetLastError), so a bad configuration is reported at the
// call. Compiled once per device (ATTESTD_GPU_NS is cuda or simt).
#pragma once

#include <cstdint>

#include "kernels/cuda.h"
#include "kernels/device_types.h"

namespace attestd::kernels::ATTESTD_GPU_NS {

// embedding.cu
cudaError_t LaunchEmbed(cudaStream_t stream, const DeviceMatrix& table, const int32_t* ids, int64_t tokens,
                        float* out);
// rmsnorm.cu
cudaError_t LaunchRmsNorm(cudaStream_t stream, const float* x, const int32_t* rows_from, int64_t rows, int64_t n,
                          const float* weight, float eps, float* y);
// matmul.cu
cudaError_t LaunchMatmul(cudaStream_t stream, const float* x, int64_t tokens, const DeviceMatrix& w,
                         const float* bias, const float* residual, float* y);
// rope.cu
cudaError_t LaunchRopeTable(cudaStream_t stream, const float* inv_freq, const TokenSlot* slots, int64_t tokens,
                            int64_t half, float* cos, float* sin);
cudaError_t LaunchRopeAppend(cudaStream_t stream, const float* qkv, float* q_out, const float* cos, const float* sin,
                             const TokenSlot* slots, int64_t layer, int64_t tokens, int64_t heads, int64_t kv_heads,
                             int64_t head_dim);
// attention.cu
cudaError_t LaunchAttention(cudaStream_t stream, const float* q, const TokenSlot* slots, int64_t layer,
                            int64_t tokens, int64_t heads, int64_t kv_heads, int64_t head_dim, float scale,
                            float* scratch, int64_t scratch_stride, float* out);
// silu.cu
cudaError_t LaunchSiluMul(cudaStream_t stream, const float* gate_up, int64_t tokens, int64_t inter, float* out);
// softmax.cu
cudaError_t LaunchSoftmax(cudaStream_t stream, float* x, int64_t rows, int64_t n);
// argmax.cu
cudaError_t LaunchArgmax(cudaStream_t stream, const float* x, int64_t rows, int64_t n, int32_t* out);

}  // namespace attestd::kernels::ATTESTD_GPU_NS
