// The one header every kernel source (.cu) and every device layer source
// (.cc that calls the CUDA runtime) includes first. It gives one text two
// builds:
//   - nvcc (__CUDACC__): the real CUDA runtime, <cuda_runtime.h>;
//   - the host C++ compiler with ATTESTD_SIMT=1: the SIMT emulator,
//     kernels/simt/simt.h, which runs the same kernels on the CPU (see the
//     execution model there).
// Host .cc files of the `_cuda` variant (compiled by the host compiler
// against the CUDA headers) also take the first branch: they define
// ATTESTD_CUDA_HOST through the build, see cmake/AttestdGpu.cmake.
//
// Macros, with the same meaning in both builds:
//   ATTESTD_HD                 (kernels/host_device.h) __host__ __device__
//                              under nvcc: helpers (transcendentals, bf16
//                              widening) that both sides compile from one text.
//   ATTESTD_LAUNCH(kernel, grid, block, smem_bytes, stream)(args...)
//                              kernel<<<grid, block, smem_bytes, stream>>>(args...).
//                              `kernel` is one macro argument: for a template
//                              with several arguments, name it through a
//                              function pointer first
//                              (auto* k = &Kernel<float, 4>; ATTESTD_LAUNCH(k, ...)).
//                              Check cudaGetLastError() after it, as after <<<>>>.
//                              Only in .cu files: the host compiler that builds
//                              the `_cuda` variant's .cc files has no <<<>>>.
//   ATTESTD_DYNAMIC_SHARED(type, name)
//                              declares `type* name`, the block's dynamic
//                              shared memory (the launch's smem_bytes, 16-byte
//                              aligned). Kernels using different types do not
//                              clash.
//
// ATTESTD_GPU_NS is not defined here: the build defines it (`cuda` or `simt`)
// and code wraps itself in namespace attestd::kernels::ATTESTD_GPU_NS, so
// both variants of a library can be linked into one binary.
#pragma once

#include "kernels/host_device.h"

#if defined(__CUDACC__) || defined(ATTESTD_CUDA_HOST)

#include <cuda_runtime.h>

#define ATTESTD_LAUNCH(kernel, grid, block, smem_bytes, stream) kernel<<<grid, block, smem_bytes, stream>>>
#define ATTESTD_DYNAMIC_SHARED(type, name)                            \
  extern __shared__ __align__(16) unsigned char attestd_dynamic_smem[]; \
  type* name = reinterpret_cast<type*>(attestd_dynamic_smem)

#elif defined(ATTESTD_SIMT)

#include "kernels/simt/simt.h"

#define ATTESTD_LAUNCH(kernel, grid, block, smem_bytes, stream) \
  ::attestd::simt::MakeLauncher(kernel, #kernel, grid, block, smem_bytes, stream)
#define ATTESTD_DYNAMIC_SHARED(type, name) \
  type* name = static_cast<type*>(::attestd::simt::detail::t_block->dynamic_shared)

#else
#error "kernels/cuda.h needs nvcc, or ATTESTD_SIMT=1 for the SIMT emulator (attestd_gpu_library sets one)"
#endif
