// ATTESTD_HD marks a function that the CPU kernels and the CUDA kernels
// share as one source (transcendentals, bf16 widening): nvcc compiles it for
// both host and device, every other compiler sees a plain inline function.
// Sharing the source, rather than writing a device twin, is what makes the
// two sides agree bit for bit on these functions by construction.
#pragma once

#if defined(__CUDACC__)
#define ATTESTD_HD __host__ __device__
#else
#define ATTESTD_HD
#endif
