// The SIMT emulator: the CUDA surface that kernel sources (.cu) and device
// layer sources (.cc) use, provided for the host C++ compiler, so that the
// same kernel text is compiled by g++ and run on the CPU where no GPU is.
// Include it only through kernels/cuda.h (compile definition ATTESTD_SIMT=1).
//
// Execution model.
//   - A launch runs its grid block by block. Blocks are spread over a few
//     host worker threads (min(4, hardware threads), 2 under
//     ThreadSanitizer; the environment variable ATTESTD_SIMT_THREADS
//     overrides, 1 works). The launching thread is one of them.
//   - Every CUDA thread of a block is a fiber with its own stack; all fibers
//     of a block run on one host thread, cooperatively: a fiber runs until
//     it reaches __syncthreads, a warp collective (__syncwarp, shuffles,
//     votes) or the end of the kernel. Lane l of warp w is the thread whose
//     linear index x + y*blockDim.x + z*blockDim.x*blockDim.y is 32*w + l.
//   - __syncthreads completes when every live thread of the block has
//     reached it, from the same call site; threads that have returned count
//     as arrived, as on the hardware. A warp collective completes when every
//     lane named in its mask has reached a collective of the same kind with
//     the same mask.
//   - Blocks run in no fixed order and concurrently on different host
//     threads. Blocks that one host thread runs one after another are
//     ordered, so ThreadSanitizer sees a race between blocks only when they
//     happened to run on different host threads.
//   - Misuse that is undefined on a GPU is reported on stderr with the
//     kernel, block and thread ids, then the process aborts: a __syncthreads
//     or collective that some thread can never reach (deadlock), threads at
//     different __syncthreads call sites, lanes meeting with different
//     collectives, a mask naming an exited or nonexistent lane or leaving
//     out the caller, a shuffle width that is not a power of two <= 32, a
//     launch from inside a kernel. The kernel is named by the launch's
//     first argument as written (a function pointer shows its variable's
//     name). A stack overflow hits a guard page (SIGSEGV); stacks are 128
//     KiB, 512 KiB under a sanitizer, ATTESTD_SIMT_STACK_KIB overrides.
//   - A shuffle that reads a lane outside the mask returns all one bits
//     (NaN for float, -1 for int), as reads of unwritten device memory do.
//   - `__shared__` is `static thread_local`: one copy per host thread, so
//     the fibers of a block share it and concurrent blocks do not. Its size
//     is not counted against the shared memory limit, and AddressSanitizer
//     does not see overflows of it; dynamic shared memory
//     (ATTESTD_DYNAMIC_SHARED) is a heap block of exactly the launch's size,
//     16-byte aligned and filled with 0xFF, so it does.
//   - Device memory is host memory (malloc of the exact size, filled with
//     0xFF). Host code must not touch it while it is "on the device" any
//     more than on a GPU, but nothing enforces that.
//   - All stream work runs synchronously when it is issued, except on a
//     capturing stream, where launches, memcpys and memsets are recorded and
//     cudaGraphLaunch replays them in order. Multi-stream capture (joining
//     streams through events) is not emulated.
//   - The floating-point environment (rounding mode, MXCSR) is the host
//     thread's and is shared by its fibers; kernels must not change it.
//   - __CUDA_ARCH__ is not defined: code guarded by it takes its host path.
//
// Sanitizers. Under AddressSanitizer every fiber switch is announced
// (__sanitizer_start/finish_switch_fiber). Under ThreadSanitizer every fiber
// is a TSan fiber, switches carry no synchronisation, and happens-before
// between emulated threads comes only from __syncthreads (the whole block)
// and __syncwarp (the lanes of its mask): a missing __syncthreads is
// reported as a data race. Everything a kernel wrote happens before its
// launch call returns; everything the host wrote before a launch happens
// before the kernel.
//
// Errors: runtime API calls return cudaError_t and set the calling host
// thread's last error as CUDA does; none is sticky (where a GPU would fault,
// the emulator aborts). The device is "attestd SIMT emulator", compute
// capability 9.0, with one multiprocessor per host thread that runs blocks.
//
// Thread safety: every runtime API function may be called from any host
// thread; the per-thread last error is kept per host thread as in CUDA.
// Kernels may be launched concurrently from several host threads.
//
// Names: the CUDA types, constants and functions below live in the global
// namespace as in cuda_runtime_api.h, so device layer code compiles against
// either header. The functions are `static inline` forwarders to
// attestd::simt, so a program that also links the real CUDA runtime (the
// `_cuda` variant of a library) gets no duplicate or mixed-up symbols.
#pragma once

#if !defined(ATTESTD_SIMT)
#error "kernels/simt/simt.h is the emulator build of kernels/cuda.h: include kernels/cuda.h with ATTESTD_SIMT=1"
#endif

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
// <memory> comes before the __noinline__ macro below: libstdc++ spells that
// attribute __attribute__((__noinline__)) in its shared_ptr header.
#include <memory>
#include <source_location>
#include <tuple>
#include <type_traits>
#include <utility>

// ---------------------------------------------------------------------------
// Qualifiers. All code is host code here; __shared__ is per host thread (see
// above).
#define __global__
#define __device__
#define __host__
#define __constant__
#define __shared__ static thread_local
#define __forceinline__ __inline__ __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))

// ---------------------------------------------------------------------------
// Vector types, with CUDA's sizes and alignments, and their make_* helpers.
#define ATTESTD_SIMT_VEC1(T, name, align)                                          \
  struct __attribute__((aligned(align))) name {                                    \
    T x;                                                                           \
  };                                                                               \
  inline constexpr name make_##name(T x) { return name{x}; }
#define ATTESTD_SIMT_VEC2(T, name, align)                                          \
  struct __attribute__((aligned(align))) name {                                    \
    T x, y;                                                                        \
  };                                                                               \
  inline constexpr name make_##name(T x, T y) { return name{x, y}; }
#define ATTESTD_SIMT_VEC3(T, name)                                                 \
  struct name {                                                                    \
    T x, y, z;                                                                     \
  };                                                                               \
  inline constexpr name make_##name(T x, T y, T z) { return name{x, y, z}; }
#define ATTESTD_SIMT_VEC4(T, name, align)                                          \
  struct __attribute__((aligned(align))) name {                                    \
    T x, y, z, w;                                                                  \
  };                                                                               \
  inline constexpr name make_##name(T x, T y, T z, T w) { return name{x, y, z, w}; }

ATTESTD_SIMT_VEC1(char, char1, 1)
ATTESTD_SIMT_VEC2(char, char2, 2)
ATTESTD_SIMT_VEC3(char, char3)
ATTESTD_SIMT_VEC4(char, char4, 4)
ATTESTD_SIMT_VEC1(unsigned char, uchar1, 1)
ATTESTD_SIMT_VEC2(unsigned char, uchar2, 2)
ATTESTD_SIMT_VEC3(unsigned char, uchar3)
ATTESTD_SIMT_VEC4(unsigned char, uchar4, 4)
ATTESTD_SIMT_VEC1(short, short1, 2)
ATTESTD_SIMT_VEC2(short, short2, 4)
ATTESTD_SIMT_VEC3(short, short3)
ATTESTD_SIMT_VEC4(short, short4, 8)
ATTESTD_SIMT_VEC1(unsigned short, ushort1, 2)
ATTESTD_SIMT_VEC2(unsigned short, ushort2, 4)
ATTESTD_SIMT_VEC3(unsigned short, ushort3)
ATTESTD_SIMT_VEC4(unsigned short, ushort4, 8)
ATTESTD_SIMT_VEC1(int, int1, 4)
ATTESTD_SIMT_VEC2(int, int2, 8)
ATTESTD_SIMT_VEC3(int, int3)
ATTESTD_SIMT_VEC4(int, int4, 16)
ATTESTD_SIMT_VEC1(unsigned int, uint1, 4)
ATTESTD_SIMT_VEC2(unsigned int, uint2, 8)
ATTESTD_SIMT_VEC3(unsigned int, uint3)
ATTESTD_SIMT_VEC4(unsigned int, uint4, 16)
ATTESTD_SIMT_VEC1(long long, longlong1, 8)
ATTESTD_SIMT_VEC2(long long, longlong2, 16)
ATTESTD_SIMT_VEC1(unsigned long long, ulonglong1, 8)
ATTESTD_SIMT_VEC2(unsigned long long, ulonglong2, 16)
ATTESTD_SIMT_VEC1(float, float1, 4)
ATTESTD_SIMT_VEC2(float, float2, 8)
ATTESTD_SIMT_VEC3(float, float3)
ATTESTD_SIMT_VEC4(float, float4, 16)
ATTESTD_SIMT_VEC1(double, double1, 8)
ATTESTD_SIMT_VEC2(double, double2, 16)

#undef ATTESTD_SIMT_VEC1
#undef ATTESTD_SIMT_VEC2
#undef ATTESTD_SIMT_VEC3
#undef ATTESTD_SIMT_VEC4

struct dim3 {
  unsigned int x, y, z;
  constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
  constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}  // NOLINT: implicit, as in CUDA
  constexpr operator uint3() const { return uint3{x, y, z}; }
};

inline constexpr int warpSize = 32;

// ---------------------------------------------------------------------------
// Runtime API types and constants (values as in CUDA 13's driver_types.h).
enum cudaError {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorInitializationError = 3,
  cudaErrorInvalidConfiguration = 9,
  cudaErrorInvalidDevicePointer = 17,
  cudaErrorInvalidMemcpyDirection = 21,
  cudaErrorInvalidDeviceFunction = 98,
  cudaErrorNoDevice = 100,
  cudaErrorInvalidDevice = 101,
  cudaErrorInvalidResourceHandle = 400,
  cudaErrorIllegalState = 401,
  cudaErrorNotReady = 600,
  cudaErrorLaunchOutOfResources = 701,
  cudaErrorLaunchFailure = 719,
  cudaErrorNotSupported = 801,
  cudaErrorStreamCaptureUnsupported = 900,
  cudaErrorStreamCaptureInvalidated = 901,
  cudaErrorStreamCaptureMerge = 902,
  cudaErrorStreamCaptureUnmatched = 903,
  cudaErrorStreamCaptureUnjoined = 904,
  cudaErrorStreamCaptureIsolation = 905,
  cudaErrorStreamCaptureImplicit = 906,
  cudaErrorCapturedEvent = 907,
  cudaErrorStreamCaptureWrongThread = 908,
  cudaErrorUnknown = 999,
};
typedef enum cudaError cudaError_t;

enum cudaMemcpyKind {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
  cudaMemcpyDefault = 4,
};

enum cudaStreamCaptureMode {
  cudaStreamCaptureModeGlobal = 0,
  cudaStreamCaptureModeThreadLocal = 1,
  cudaStreamCaptureModeRelaxed = 2,
};

enum cudaStreamCaptureStatus {
  cudaStreamCaptureStatusNone = 0,
  cudaStreamCaptureStatusActive = 1,
  cudaStreamCaptureStatusInvalidated = 2,
};

enum cudaFuncAttribute {
  cudaFuncAttributeMaxDynamicSharedMemorySize = 8,
  cudaFuncAttributePreferredSharedMemoryCarveout = 9,
};

enum cudaGraphInstantiateFlags {
  cudaGraphInstantiateFlagAutoFreeOnLaunch = 1,
  cudaGraphInstantiateFlagUpload = 2,
  cudaGraphInstantiateFlagDeviceLaunch = 4,
  cudaGraphInstantiateFlagUseNodePriority = 8,
};

// Opaque handles, never defined: the emulator's objects live in
// attestd::simt and are reached by casting.
struct CUstream_st;
struct CUevent_st;
struct CUgraph_st;
struct CUgraphExec_st;
typedef struct CUstream_st* cudaStream_t;
typedef struct CUevent_st* cudaEvent_t;
typedef struct CUgraph_st* cudaGraph_t;
typedef struct CUgraphExec_st* cudaGraphExec_t;

#define cudaStreamDefault 0x00
#define cudaStreamNonBlocking 0x01
#define cudaStreamLegacy ((cudaStream_t)0x1)
#define cudaStreamPerThread ((cudaStream_t)0x2)
#define cudaEventDefault 0x00
#define cudaEventBlockingSync 0x01
#define cudaEventDisableTiming 0x02
#define cudaHostAllocDefault 0x00

// The fields of CUDA's cudaDeviceProp that the emulator fills, under the
// same names. Code must not depend on the struct's size or layout.
struct cudaDeviceProp {
  char name[256];
  size_t totalGlobalMem;
  size_t sharedMemPerBlock;
  int regsPerBlock;
  int warpSize;
  size_t memPitch;
  int maxThreadsPerBlock;
  int maxThreadsDim[3];
  int maxGridSize[3];
  size_t totalConstMem;
  int major;
  int minor;
  int multiProcessorCount;
  int l2CacheSize;
  int maxThreadsPerMultiProcessor;
  size_t sharedMemPerMultiprocessor;
  int regsPerMultiprocessor;
  size_t sharedMemPerBlockOptin;
  int memoryBusWidth;
};

// ---------------------------------------------------------------------------
// Emulator internals that the inline code below needs. Not for kernel code.
namespace attestd::simt {

// One launch's kernel function and its copied arguments; Run() is one
// emulated thread's call. Shared, immutable, by every fiber of the grid
// (and by a captured graph).
class KernelBody {
 public:
  KernelBody() = default;
  KernelBody(const KernelBody&) = delete;
  KernelBody& operator=(const KernelBody&) = delete;
  virtual ~KernelBody() = default;
  virtual void Run() const = 0;
};

namespace detail {

// What blockIdx, blockDim, gridDim and dynamic shared memory read: the block
// the current host thread is running. Written only by the emulator.
struct BlockBuiltins {
  uint3 block_idx;
  dim3 block_dim;
  dim3 grid_dim;
  void* dynamic_shared;
};
extern constinit thread_local const BlockBuiltins* t_block;
// The running fiber's threadIdx; switched with the fiber.
extern constinit thread_local const uint3* t_thread_idx;

enum class WarpOp : uint8_t {
  kSyncWarp,
  kShflIdx,
  kShflUp,
  kShflDown,
  kShflXor,
  kBallot,
  kAll,
  kAny,
  kReduceAddU,
  kReduceMinU,
  kReduceMaxU,
  kReduceMinI,
  kReduceMaxI,
  kReduceAnd,
  kReduceOr,
  kReduceXor,
};

// Blocks the calling fiber at a block barrier; see the execution model.
void SyncThreads(const std::source_location& where);
// Blocks the calling lane until every lane of `mask` has arrived at the
// same collective, then returns this lane's result. `value` holds `bytes`
// (4 or 8) bytes of payload; `param` is the shuffle's lane, delta or lane
// mask (ignored by the others); `width` the shuffle width (32 for the rest).
uint64_t WarpCollective(WarpOp op, unsigned mask, uint64_t value, int bytes, int param, int width,
                        const std::source_location& where);

// Runs (or, on a capturing stream, records) one launch. Errors go to the
// calling thread's last error, as a failed <<<>>> launch does.
void Launch(std::shared_ptr<const KernelBody> body, const void* kernel_id, const char* kernel_name, dim3 grid,
            dim3 block, size_t dynamic_shared_bytes, cudaStream_t stream);

template <typename T>
inline uint64_t ToBits(T v) {
  static_assert(sizeof(T) == 4 || sizeof(T) == 8);
  if constexpr (sizeof(T) == 4) {
    uint32_t u;
    std::memcpy(&u, &v, 4);
    return u;
  } else {
    uint64_t u;
    std::memcpy(&u, &v, 8);
    return u;
  }
}

template <typename T>
inline T FromBits(uint64_t bits) {
  T v;
  if constexpr (sizeof(T) == 4) {
    const uint32_t u = static_cast<uint32_t>(bits);
    std::memcpy(&v, &u, 4);
  } else {
    std::memcpy(&v, &bits, 8);
  }
  return v;
}

template <typename... Params>
class BoundKernel final : public KernelBody {
 public:
  template <typename... Args>
  explicit BoundKernel(void (*kernel)(Params...), Args&&... args)
      : kernel_(kernel), args_(std::forward<Args>(args)...) {}
  // Each emulated thread gets its own copies of the arguments, as each CUDA
  // thread reads the parameter space.
  void Run() const override { std::apply(kernel_, args_); }

 private:
  void (*kernel_)(Params...);
  std::tuple<std::decay_t<Params>...> args_;
};

// The emulator's <<<grid, block, smem, stream>>>: calling it with the
// kernel's arguments converts them to the parameter types and launches.
template <typename... Params>
class Launcher {
 public:
  Launcher(void (*kernel)(Params...), const char* name, dim3 grid, dim3 block, size_t smem, cudaStream_t stream)
      : kernel_(kernel), name_(name), grid_(grid), block_(block), smem_(smem), stream_(stream) {}
  void operator()(Params... args) const {
    Launch(std::make_shared<const BoundKernel<Params...>>(kernel_, std::move(args)...),
           reinterpret_cast<const void*>(kernel_), name_, grid_, block_, smem_, stream_);
  }

 private:
  void (*kernel_)(Params...);
  const char* name_;
  dim3 grid_;
  dim3 block_;
  size_t smem_;
  cudaStream_t stream_;
};

}  // namespace detail

template <typename... Params>
detail::Launcher<Params...> MakeLauncher(void (*kernel)(Params...), const char* name, dim3 grid, dim3 block,
                                         size_t dynamic_shared_bytes, cudaStream_t stream) {
  return detail::Launcher<Params...>(kernel, name, grid, block, dynamic_shared_bytes, stream);
}

// The runtime API, implemented in runtime_api.cc; the global cuda* names
// below forward here.
namespace api {
cudaError_t GetDeviceCount(int* count);
cudaError_t SetDevice(int device);
cudaError_t GetDevice(int* device);
cudaError_t GetDeviceProperties(cudaDeviceProp* prop, int device);
cudaError_t MemGetInfo(size_t* free_bytes, size_t* total_bytes);
cudaError_t Malloc(void** ptr, size_t size);
cudaError_t Free(void* ptr);
cudaError_t HostAlloc(void** ptr, size_t size, unsigned int flags);
cudaError_t FreeHost(void* ptr);
cudaError_t Memcpy(void* dst, const void* src, size_t count, cudaMemcpyKind kind);
cudaError_t MemcpyAsync(void* dst, const void* src, size_t count, cudaMemcpyKind kind, cudaStream_t stream);
cudaError_t Memset(void* ptr, int value, size_t count);
cudaError_t MemsetAsync(void* ptr, int value, size_t count, cudaStream_t stream);
cudaError_t StreamCreateWithFlags(cudaStream_t* stream, unsigned int flags);
cudaError_t StreamDestroy(cudaStream_t stream);
cudaError_t StreamSynchronize(cudaStream_t stream);
cudaError_t StreamQuery(cudaStream_t stream);
cudaError_t StreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int flags);
cudaError_t DeviceSynchronize();
cudaError_t StreamBeginCapture(cudaStream_t stream, cudaStreamCaptureMode mode);
cudaError_t StreamEndCapture(cudaStream_t stream, cudaGraph_t* graph);
cudaError_t StreamIsCapturing(cudaStream_t stream, cudaStreamCaptureStatus* status);
cudaError_t GraphInstantiate(cudaGraphExec_t* exec, cudaGraph_t graph, unsigned long long flags);
cudaError_t GraphLaunch(cudaGraphExec_t exec, cudaStream_t stream);
cudaError_t GraphExecDestroy(cudaGraphExec_t exec);
cudaError_t GraphDestroy(cudaGraph_t graph);
cudaError_t GetLastError();
cudaError_t PeekAtLastError();
const char* GetErrorString(cudaError_t error);
const char* GetErrorName(cudaError_t error);
cudaError_t FuncSetAttribute(const void* func, cudaFuncAttribute attr, int value);
cudaError_t EventCreateWithFlags(cudaEvent_t* event, unsigned int flags);
cudaError_t EventRecord(cudaEvent_t event, cudaStream_t stream);
cudaError_t EventQuery(cudaEvent_t event);
cudaError_t EventSynchronize(cudaEvent_t event);
cudaError_t EventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end);
cudaError_t EventDestroy(cudaEvent_t event);
// Makes `error` the calling thread's last error (unless it is cudaSuccess)
// and returns it.
cudaError_t RecordError(cudaError_t error);
}  // namespace api

}  // namespace attestd::simt

// ---------------------------------------------------------------------------
// Built-in variables. Macros, because each fiber sees its own threadIdx:
// do not declare anything else under these names in device code.
#define threadIdx (*::attestd::simt::detail::t_thread_idx)
#define blockIdx (::attestd::simt::detail::t_block->block_idx)
#define blockDim (::attestd::simt::detail::t_block->block_dim)
#define gridDim (::attestd::simt::detail::t_block->grid_dim)

// ---------------------------------------------------------------------------
// Barriers and warp collectives.
inline void __syncthreads(const std::source_location where = std::source_location::current()) {
  ::attestd::simt::detail::SyncThreads(where);
}

inline void __syncwarp(unsigned mask = 0xffffffffu,
                       const std::source_location where = std::source_location::current()) {
  ::attestd::simt::detail::WarpCollective(::attestd::simt::detail::WarpOp::kSyncWarp, mask, 0, 4, 0, 32, where);
}

// Memory fences order a thread's own accesses on a GPU; the emulator's
// memory is already sequentially consistent within a block's host thread.
inline void __threadfence_block() {}
inline void __threadfence() {}

#define ATTESTD_SIMT_SHUFFLES(T)                                                                                 \
  inline T __shfl_sync(unsigned mask, T var, int srcLane, int width = warpSize,                                  \
                       const std::source_location where = std::source_location::current()) {                     \
    namespace d = ::attestd::simt::detail;                                                                       \
    return d::FromBits<T>(                                                                                       \
        d::WarpCollective(d::WarpOp::kShflIdx, mask, d::ToBits(var), sizeof(T), srcLane, width, where));         \
  }                                                                                                              \
  inline T __shfl_up_sync(unsigned mask, T var, unsigned int delta, int width = warpSize,                        \
                          const std::source_location where = std::source_location::current()) {                  \
    namespace d = ::attestd::simt::detail;                                                                       \
    return d::FromBits<T>(d::WarpCollective(d::WarpOp::kShflUp, mask, d::ToBits(var), sizeof(T),                \
                                            static_cast<int>(delta & 31u), width, where));                       \
  }                                                                                                              \
  inline T __shfl_down_sync(unsigned mask, T var, unsigned int delta, int width = warpSize,                      \
                            const std::source_location where = std::source_location::current()) {                \
    namespace d = ::attestd::simt::detail;                                                                       \
    return d::FromBits<T>(d::WarpCollective(d::WarpOp::kShflDown, mask, d::ToBits(var), sizeof(T),              \
                                            static_cast<int>(delta & 31u), width, where));                       \
  }                                                                                                              \
  inline T __shfl_xor_sync(unsigned mask, T var, int laneMask, int width = warpSize,                             \
                           const std::source_location where = std::source_location::current()) {                 \
    namespace d = ::attestd::simt::detail;                                                                       \
    return d::FromBits<T>(                                                                                       \
        d::WarpCollective(d::WarpOp::kShflXor, mask, d::ToBits(var), sizeof(T), laneMask, width, where));        \
  }

ATTESTD_SIMT_SHUFFLES(int)
ATTESTD_SIMT_SHUFFLES(unsigned int)
ATTESTD_SIMT_SHUFFLES(long)
ATTESTD_SIMT_SHUFFLES(unsigned long)
ATTESTD_SIMT_SHUFFLES(long long)
ATTESTD_SIMT_SHUFFLES(unsigned long long)
ATTESTD_SIMT_SHUFFLES(float)
ATTESTD_SIMT_SHUFFLES(double)
#undef ATTESTD_SIMT_SHUFFLES

inline unsigned __ballot_sync(unsigned mask, int predicate,
                              const std::source_location where = std::source_location::current()) {
  namespace d = ::attestd::simt::detail;
  return static_cast<unsigned>(d::WarpCollective(d::WarpOp::kBallot, mask, predicate != 0, 4, 0, 32, where));
}
inline int __all_sync(unsigned mask, int predicate,
                      const std::source_location where = std::source_location::current()) {
  namespace d = ::attestd::simt::detail;
  return static_cast<int>(d::WarpCollective(d::WarpOp::kAll, mask, predicate != 0, 4, 0, 32, where));
}
inline int __any_sync(unsigned mask, int predicate,
                      const std::source_location where = std::source_location::current()) {
  namespace d = ::attestd::simt::detail;
  return static_cast<int>(d::WarpCollective(d::WarpOp::kAny, mask, predicate != 0, 4, 0, 32, where));
}

// sm_80 warp reductions over 32-bit integers.
#define ATTESTD_SIMT_REDUCE(name, T, op)                                                                  \
  inline T name(unsigned mask, T value, const std::source_location where = std::source_location::current()) { \
    namespace d = ::attestd::simt::detail;                                                                \
    return d::FromBits<T>(d::WarpCollective(d::WarpOp::op, mask, d::ToBits(value), 4, 0, 32, where));     \
  }
ATTESTD_SIMT_REDUCE(__reduce_add_sync, unsigned, kReduceAddU)
ATTESTD_SIMT_REDUCE(__reduce_add_sync, int, kReduceAddU)
ATTESTD_SIMT_REDUCE(__reduce_min_sync, unsigned, kReduceMinU)
ATTESTD_SIMT_REDUCE(__reduce_min_sync, int, kReduceMinI)
ATTESTD_SIMT_REDUCE(__reduce_max_sync, unsigned, kReduceMaxU)
ATTESTD_SIMT_REDUCE(__reduce_max_sync, int, kReduceMaxI)
ATTESTD_SIMT_REDUCE(__reduce_and_sync, unsigned, kReduceAnd)
ATTESTD_SIMT_REDUCE(__reduce_or_sync, unsigned, kReduceOr)
ATTESTD_SIMT_REDUCE(__reduce_xor_sync, unsigned, kReduceXor)
#undef ATTESTD_SIMT_REDUCE

// ---------------------------------------------------------------------------
// Arithmetic intrinsics. The project compiles host code with
// -ffp-contract=off and without fast-math, so every operator below is one
// correctly rounded IEEE operation in round-to-nearest-even, as the _rn
// intrinsics are on the GPU.
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return std::sqrt(a); }
inline float __frcp_rn(float a) { return 1.0f / a; }
inline float __fmaf_rn(float a, float b, float c) { return std::fma(a, b, c); }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dsub_rn(double a, double b) { return a - b; }
inline double __dmul_rn(double a, double b) { return a * b; }
inline double __ddiv_rn(double a, double b) { return a / b; }
inline double __dsqrt_rn(double a) { return std::sqrt(a); }
inline double __fma_rn(double a, double b, double c) { return std::fma(a, b, c); }

inline unsigned int __float_as_uint(float x) { return ::attestd::simt::detail::FromBits<unsigned int>(::attestd::simt::detail::ToBits(x)); }
inline float __uint_as_float(unsigned int x) { return ::attestd::simt::detail::FromBits<float>(x); }
inline int __float_as_int(float x) { return ::attestd::simt::detail::FromBits<int>(::attestd::simt::detail::ToBits(x)); }
inline float __int_as_float(int x) { return ::attestd::simt::detail::FromBits<float>(::attestd::simt::detail::ToBits(x)); }
inline long long __double_as_longlong(double x) { return ::attestd::simt::detail::FromBits<long long>(::attestd::simt::detail::ToBits(x)); }
inline double __longlong_as_double(long long x) { return ::attestd::simt::detail::FromBits<double>(::attestd::simt::detail::ToBits(x)); }

template <typename T>
inline T __ldg(const T* p) {
  return *p;
}

// CUDA's integer and floating min/max overloads (crt/math_functions.hpp).
inline int min(int a, int b) { return a < b ? a : b; }
inline unsigned int min(unsigned int a, unsigned int b) { return a < b ? a : b; }
inline unsigned int min(int a, unsigned int b) { return min(static_cast<unsigned int>(a), b); }
inline unsigned int min(unsigned int a, int b) { return min(a, static_cast<unsigned int>(b)); }
inline long min(long a, long b) { return a < b ? a : b; }
inline unsigned long min(unsigned long a, unsigned long b) { return a < b ? a : b; }
inline unsigned long min(long a, unsigned long b) { return min(static_cast<unsigned long>(a), b); }
inline unsigned long min(unsigned long a, long b) { return min(a, static_cast<unsigned long>(b)); }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline unsigned long long min(unsigned long long a, unsigned long long b) { return a < b ? a : b; }
inline unsigned long long min(long long a, unsigned long long b) { return min(static_cast<unsigned long long>(a), b); }
inline unsigned long long min(unsigned long long a, long long b) { return min(a, static_cast<unsigned long long>(b)); }
inline float min(float a, float b) { return std::fmin(a, b); }
inline double min(double a, double b) { return std::fmin(a, b); }
inline double min(float a, double b) { return std::fmin(static_cast<double>(a), b); }
inline double min(double a, float b) { return std::fmin(a, static_cast<double>(b)); }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned int max(unsigned int a, unsigned int b) { return a > b ? a : b; }
inline unsigned int max(int a, unsigned int b) { return max(static_cast<unsigned int>(a), b); }
inline unsigned int max(unsigned int a, int b) { return max(a, static_cast<unsigned int>(b)); }
inline long max(long a, long b) { return a > b ? a : b; }
inline unsigned long max(unsigned long a, unsigned long b) { return a > b ? a : b; }
inline unsigned long max(long a, unsigned long b) { return max(static_cast<unsigned long>(a), b); }
inline unsigned long max(unsigned long a, long b) { return max(a, static_cast<unsigned long>(b)); }
inline long long max(long long a, long long b) { return a > b ? a : b; }
inline unsigned long long max(unsigned long long a, unsigned long long b) { return a > b ? a : b; }
inline unsigned long long max(long long a, unsigned long long b) { return max(static_cast<unsigned long long>(a), b); }
inline unsigned long long max(unsigned long long a, long long b) { return max(a, static_cast<unsigned long long>(b)); }
inline float max(float a, float b) { return std::fmax(a, b); }
inline double max(double a, double b) { return std::fmax(a, b); }
inline double max(float a, double b) { return std::fmax(static_cast<double>(a), b); }
inline double max(double a, float b) { return std::fmax(a, static_cast<double>(b)); }

// Atomics: blocks of one grid run on different host threads, so these are
// real atomic read-modify-writes (sequentially consistent).
#define ATTESTD_SIMT_ATOMIC_RMW(name, T, builtin)                     \
  inline T name(T* address, T val) { return builtin(address, val, __ATOMIC_SEQ_CST); }
ATTESTD_SIMT_ATOMIC_RMW(atomicAdd, int, __atomic_fetch_add)
ATTESTD_SIMT_ATOMIC_RMW(atomicAdd, unsigned int, __atomic_fetch_add)
ATTESTD_SIMT_ATOMIC_RMW(atomicAdd, unsigned long long, __atomic_fetch_add)
ATTESTD_SIMT_ATOMIC_RMW(atomicSub, int, __atomic_fetch_sub)
ATTESTD_SIMT_ATOMIC_RMW(atomicSub, unsigned int, __atomic_fetch_sub)
ATTESTD_SIMT_ATOMIC_RMW(atomicAnd, int, __atomic_fetch_and)
ATTESTD_SIMT_ATOMIC_RMW(atomicAnd, unsigned int, __atomic_fetch_and)
ATTESTD_SIMT_ATOMIC_RMW(atomicOr, int, __atomic_fetch_or)
ATTESTD_SIMT_ATOMIC_RMW(atomicOr, unsigned int, __atomic_fetch_or)
ATTESTD_SIMT_ATOMIC_RMW(atomicXor, int, __atomic_fetch_xor)
ATTESTD_SIMT_ATOMIC_RMW(atomicXor, unsigned int, __atomic_fetch_xor)
ATTESTD_SIMT_ATOMIC_RMW(atomicExch, int, __atomic_exchange_n)
ATTESTD_SIMT_ATOMIC_RMW(atomicExch, unsigned int, __atomic_exchange_n)
ATTESTD_SIMT_ATOMIC_RMW(atomicExch, unsigned long long, __atomic_exchange_n)
#undef ATTESTD_SIMT_ATOMIC_RMW
#define ATTESTD_SIMT_ATOMIC_CAS(T)                                                                 \
  inline T atomicCAS(T* address, T compare, T val) {                                               \
    __atomic_compare_exchange_n(address, &compare, val, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
    return compare;                                                                                \
  }
ATTESTD_SIMT_ATOMIC_CAS(int)
ATTESTD_SIMT_ATOMIC_CAS(unsigned int)
ATTESTD_SIMT_ATOMIC_CAS(unsigned long long)
#undef ATTESTD_SIMT_ATOMIC_CAS
#define ATTESTD_SIMT_ATOMIC_MINMAX(name, T, better)                               \
  inline T name(T* address, T val) {                                              \
    T old = __atomic_load_n(address, __ATOMIC_SEQ_CST);                           \
    while (val better old &&                                                      \
           !__atomic_compare_exchange_n(address, &old, val, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) { \
    }                                                                             \
    return old;                                                                   \
  }
ATTESTD_SIMT_ATOMIC_MINMAX(atomicMin, int, <)
ATTESTD_SIMT_ATOMIC_MINMAX(atomicMin, unsigned int, <)
ATTESTD_SIMT_ATOMIC_MINMAX(atomicMax, int, >)
ATTESTD_SIMT_ATOMIC_MINMAX(atomicMax, unsigned int, >)
#undef ATTESTD_SIMT_ATOMIC_MINMAX
inline float atomicAdd(float* address, float val) {
  float old;
  __atomic_load(address, &old, __ATOMIC_SEQ_CST);
  float desired;
  do {
    desired = old + val;
  } while (!__atomic_compare_exchange(address, &old, &desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
  return old;
}

// ---------------------------------------------------------------------------
// The runtime API, with cuda_runtime_api.h's names and signatures (and the
// convenience templates of cuda_runtime.h). Each returns cudaSuccess or an
// error, which also becomes the calling thread's last error.
static inline cudaError_t cudaGetDeviceCount(int* count) { return ::attestd::simt::api::GetDeviceCount(count); }
static inline cudaError_t cudaSetDevice(int device) { return ::attestd::simt::api::SetDevice(device); }
static inline cudaError_t cudaGetDevice(int* device) { return ::attestd::simt::api::GetDevice(device); }
static inline cudaError_t cudaGetDeviceProperties(struct cudaDeviceProp* prop, int device) {
  return ::attestd::simt::api::GetDeviceProperties(prop, device);
}
static inline cudaError_t cudaMemGetInfo(size_t* free, size_t* total) {
  return ::attestd::simt::api::MemGetInfo(free, total);
}
static inline cudaError_t cudaMalloc(void** devPtr, size_t size) { return ::attestd::simt::api::Malloc(devPtr, size); }
template <class T>
static inline cudaError_t cudaMalloc(T** devPtr, size_t size) {
  return ::cudaMalloc((void**)(void*)devPtr, size);
}
static inline cudaError_t cudaFree(void* devPtr) { return ::attestd::simt::api::Free(devPtr); }
static inline cudaError_t cudaHostAlloc(void** pHost, size_t size, unsigned int flags) {
  return ::attestd::simt::api::HostAlloc(pHost, size, flags);
}
template <class T>
static inline cudaError_t cudaHostAlloc(T** ptr, size_t size, unsigned int flags) {
  return ::cudaHostAlloc((void**)(void*)ptr, size, flags);
}
static inline cudaError_t cudaMallocHost(void** ptr, size_t size) { return ::cudaHostAlloc(ptr, size, 0); }
static inline cudaError_t cudaMallocHost(void** ptr, size_t size, unsigned int flags) {
  return ::cudaHostAlloc(ptr, size, flags);
}
template <class T>
static inline cudaError_t cudaMallocHost(T** ptr, size_t size, unsigned int flags = 0) {
  return cudaMallocHost((void**)(void*)ptr, size, flags);
}
static inline cudaError_t cudaFreeHost(void* ptr) { return ::attestd::simt::api::FreeHost(ptr); }
static inline cudaError_t cudaMemcpy(void* dst, const void* src, size_t count, enum cudaMemcpyKind kind) {
  return ::attestd::simt::api::Memcpy(dst, src, count, kind);
}
static inline cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t count, enum cudaMemcpyKind kind,
                                          cudaStream_t stream = 0) {
  return ::attestd::simt::api::MemcpyAsync(dst, src, count, kind, stream);
}
// __device__ and __constant__ variables are host variables here; copying to
// or from one is a copy to or from its storage.
template <class T>
static inline cudaError_t cudaMemcpyToSymbol(const T& symbol, const void* src, size_t count = sizeof(T),
                                             size_t offset = 0, enum cudaMemcpyKind kind = cudaMemcpyHostToDevice) {
  if (offset > sizeof(T) || count > sizeof(T) - offset) return ::attestd::simt::api::RecordError(cudaErrorInvalidValue);
  if (kind != cudaMemcpyHostToDevice && kind != cudaMemcpyDeviceToDevice && kind != cudaMemcpyDefault) {
    return ::attestd::simt::api::RecordError(cudaErrorInvalidMemcpyDirection);
  }
  if (count != 0) std::memcpy(reinterpret_cast<char*>(const_cast<T*>(&symbol)) + offset, src, count);
  return cudaSuccess;
}
template <class T>
static inline cudaError_t cudaMemcpyFromSymbol(void* dst, const T& symbol, size_t count = sizeof(T),
                                               size_t offset = 0, enum cudaMemcpyKind kind = cudaMemcpyDeviceToHost) {
  if (offset > sizeof(T) || count > sizeof(T) - offset) return ::attestd::simt::api::RecordError(cudaErrorInvalidValue);
  if (kind != cudaMemcpyDeviceToHost && kind != cudaMemcpyDeviceToDevice && kind != cudaMemcpyDefault) {
    return ::attestd::simt::api::RecordError(cudaErrorInvalidMemcpyDirection);
  }
  if (count != 0) std::memcpy(dst, reinterpret_cast<const char*>(&symbol) + offset, count);
  return cudaSuccess;
}
static inline cudaError_t cudaMemset(void* devPtr, int value, size_t count) {
  return ::attestd::simt::api::Memset(devPtr, value, count);
}
static inline cudaError_t cudaMemsetAsync(void* devPtr, int value, size_t count, cudaStream_t stream = 0) {
  return ::attestd::simt::api::MemsetAsync(devPtr, value, count, stream);
}
static inline cudaError_t cudaStreamCreate(cudaStream_t* pStream) {
  return ::attestd::simt::api::StreamCreateWithFlags(pStream, cudaStreamDefault);
}
static inline cudaError_t cudaStreamCreateWithFlags(cudaStream_t* pStream, unsigned int flags) {
  return ::attestd::simt::api::StreamCreateWithFlags(pStream, flags);
}
static inline cudaError_t cudaStreamDestroy(cudaStream_t stream) { return ::attestd::simt::api::StreamDestroy(stream); }
static inline cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
  return ::attestd::simt::api::StreamSynchronize(stream);
}
static inline cudaError_t cudaStreamQuery(cudaStream_t stream) { return ::attestd::simt::api::StreamQuery(stream); }
static inline cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int flags = 0) {
  return ::attestd::simt::api::StreamWaitEvent(stream, event, flags);
}
static inline cudaError_t cudaDeviceSynchronize(void) { return ::attestd::simt::api::DeviceSynchronize(); }
static inline cudaError_t cudaStreamBeginCapture(cudaStream_t stream, enum cudaStreamCaptureMode mode) {
  return ::attestd::simt::api::StreamBeginCapture(stream, mode);
}
static inline cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t* pGraph) {
  return ::attestd::simt::api::StreamEndCapture(stream, pGraph);
}
static inline cudaError_t cudaStreamIsCapturing(cudaStream_t stream, enum cudaStreamCaptureStatus* pCaptureStatus) {
  return ::attestd::simt::api::StreamIsCapturing(stream, pCaptureStatus);
}
static inline cudaError_t cudaGraphInstantiate(cudaGraphExec_t* pGraphExec, cudaGraph_t graph,
                                               unsigned long long flags = 0) {
  return ::attestd::simt::api::GraphInstantiate(pGraphExec, graph, flags);
}
static inline cudaError_t cudaGraphLaunch(cudaGraphExec_t graphExec, cudaStream_t stream) {
  return ::attestd::simt::api::GraphLaunch(graphExec, stream);
}
static inline cudaError_t cudaGraphExecDestroy(cudaGraphExec_t graphExec) {
  return ::attestd::simt::api::GraphExecDestroy(graphExec);
}
static inline cudaError_t cudaGraphDestroy(cudaGraph_t graph) { return ::attestd::simt::api::GraphDestroy(graph); }
static inline cudaError_t cudaGetLastError(void) { return ::attestd::simt::api::GetLastError(); }
static inline cudaError_t cudaPeekAtLastError(void) { return ::attestd::simt::api::PeekAtLastError(); }
static inline const char* cudaGetErrorString(cudaError_t error) { return ::attestd::simt::api::GetErrorString(error); }
static inline const char* cudaGetErrorName(cudaError_t error) { return ::attestd::simt::api::GetErrorName(error); }
static inline cudaError_t cudaFuncSetAttribute(const void* func, enum cudaFuncAttribute attr, int value) {
  return ::attestd::simt::api::FuncSetAttribute(func, attr, value);
}
template <class T>
static inline cudaError_t cudaFuncSetAttribute(T* entry, enum cudaFuncAttribute attr, int value) {
  return ::cudaFuncSetAttribute((const void*)entry, attr, value);
}
static inline cudaError_t cudaEventCreate(cudaEvent_t* event) {
  return ::attestd::simt::api::EventCreateWithFlags(event, cudaEventDefault);
}
static inline cudaError_t cudaEventCreate(cudaEvent_t* event, unsigned int flags) {
  return ::attestd::simt::api::EventCreateWithFlags(event, flags);
}
static inline cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned int flags) {
  return ::attestd::simt::api::EventCreateWithFlags(event, flags);
}
static inline cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream = 0) {
  return ::attestd::simt::api::EventRecord(event, stream);
}
static inline cudaError_t cudaEventQuery(cudaEvent_t event) { return ::attestd::simt::api::EventQuery(event); }
static inline cudaError_t cudaEventSynchronize(cudaEvent_t event) {
  return ::attestd::simt::api::EventSynchronize(event);
}
static inline cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
  return ::attestd::simt::api::EventElapsedTime(ms, start, end);
}
static inline cudaError_t cudaEventDestroy(cudaEvent_t event) { return ::attestd::simt::api::EventDestroy(event); }
