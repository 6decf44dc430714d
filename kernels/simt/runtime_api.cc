// The emulated CUDA runtime: one device, device memory from malloc, streams
// whose work runs when it is issued, stream capture into graphs that replay
// in order, events with host timestamps, and CUDA's per-thread last error.
// Semantics follow CUDA 13's runtime where the emulator can tell; the
// deviations are listed in kernels/simt/simt.h.
#include <sys/sysinfo.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "kernels/simt/grid_runner.h"
#include "kernels/simt/simt.h"

namespace attestd::simt {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kDefaultDynamicSharedBytes = 48 * 1024;
constexpr int kMaxDynamicSharedBytesOptin = 227 * 1024;

// ---------------------------------------------------------------------------
// Errors.
constinit thread_local cudaError_t t_last_error = cudaSuccess;

cudaError_t Record(cudaError_t e) {
  if (e != cudaSuccess) t_last_error = e;
  return e;
}

// ---------------------------------------------------------------------------
// Objects behind the opaque handles. One mutex guards all of them and the
// capture bookkeeping; no kernel runs while it is held.
using Node = std::function<void()>;

struct Capture {
  cudaStreamCaptureMode mode = cudaStreamCaptureModeGlobal;
  std::thread::id owner;
  bool invalidated = false;
  std::vector<Node> nodes;
};

struct Stream {
  unsigned flags = cudaStreamDefault;
  bool legacy = false;
  std::unique_ptr<Capture> capture;
};

struct Graph {
  std::vector<Node> nodes;
};

struct Event {
  unsigned flags = cudaEventDefault;
  // The capture this event was last recorded into, if that capture may
  // still be active; guarded by Reg().mu.
  const Capture* recorded_in = nullptr;
  std::mutex mu;
  bool recorded = false;  // guarded by mu
  Clock::time_point time;  // guarded by mu
};

struct Registry {
  std::mutex mu;
  Stream legacy_stream;
  std::unordered_set<Stream*> streams;
  std::unordered_set<Event*> events;
  std::unordered_set<Graph*> graphs;
  std::unordered_set<Graph*> execs;  // instantiated graphs
  std::vector<Stream*> capturing;
  std::map<uintptr_t, size_t> device;  // base -> bytes
  size_t device_bytes = 0;
  std::unordered_set<void*> host;
  std::unordered_map<const void*, int> max_dynamic_shared;  // kernel -> bytes
};

Registry& Reg() {
  static Registry* r = [] {
    auto* reg = new Registry;  // never destroyed: usable from static destructors
    reg->legacy_stream.legacy = true;
    return reg;
  }();
  return *r;
}

Stream* PerThreadStream() {
  thread_local Stream stream;
  return &stream;
}

// The Stream for a handle, or null when the handle is not a live stream.
// Caller holds Reg().mu.
Stream* Resolve(cudaStream_t handle) {
  if (handle == nullptr || handle == cudaStreamLegacy) return &Reg().legacy_stream;
  if (handle == cudaStreamPerThread) return PerThreadStream();
  auto* s = reinterpret_cast<Stream*>(handle);
  return Reg().streams.count(s) != 0 ? s : nullptr;
}

void EndCaptureLocked(Stream* s) {
  for (Event* e : Reg().events) {
    if (e->recorded_in == s->capture.get()) e->recorded_in = nullptr;
  }
  auto& cap = Reg().capturing;
  for (auto it = cap.begin(); it != cap.end(); ++it) {
    if (*it == s) {
      cap.erase(it);
      break;
    }
  }
  s->capture.reset();
}

// CUDA forbids "potentially unsafe" calls (allocation, synchronisation)
// while this thread captures in a mode other than relaxed, or any thread
// captures in global mode; this thread's offending captures are
// invalidated. Caller holds Reg().mu.
cudaError_t CheckUnsafeCallLocked() {
  cudaError_t result = cudaSuccess;
  const auto me = std::this_thread::get_id();
  for (Stream* s : Reg().capturing) {
    const Capture& c = *s->capture;
    if (c.owner == me && c.mode != cudaStreamCaptureModeRelaxed) {
      s->capture->invalidated = true;
      result = cudaErrorStreamCaptureUnsupported;
    } else if (c.owner != me && c.mode == cudaStreamCaptureModeGlobal) {
      result = cudaErrorStreamCaptureUnsupported;
    }
  }
  return result;
}

// Work on the legacy default stream waits for every blocking stream, which
// a capturing stream cannot do: CUDA fails it and invalidates the capture.
// Caller holds Reg().mu.
cudaError_t CheckLegacyStreamLocked() {
  cudaError_t result = cudaSuccess;
  for (Stream* s : Reg().capturing) {
    if ((s->flags & cudaStreamNonBlocking) == 0) {
      s->capture->invalidated = true;
      result = cudaErrorStreamCaptureImplicit;
    }
  }
  return result;
}

// True when `c` is a capture still in progress. Caller holds Reg().mu.
bool ActiveCaptureLocked(const Capture* c) {
  if (c == nullptr) return false;
  for (const Stream* s : Reg().capturing) {
    if (s->capture.get() == c) return true;
  }
  return false;
}

// Either records `node` into the stream's capture or returns it to be run
// by the caller (after the lock is released). Returns the error, if any.
cudaError_t Submit(cudaStream_t handle, Node node, Node* run_now) {
  std::lock_guard lock(Reg().mu);
  Stream* s = Resolve(handle);
  if (s == nullptr) return cudaErrorInvalidResourceHandle;
  if (s->capture) {
    if (!s->capture->invalidated) s->capture->nodes.push_back(std::move(node));
    return cudaSuccess;
  }
  if (s->legacy) {
    if (cudaError_t e = CheckLegacyStreamLocked(); e != cudaSuccess) return e;
  }
  *run_now = std::move(node);
  return cudaSuccess;
}

cudaError_t SubmitAndRun(cudaStream_t handle, Node node) {
  Node run;
  cudaError_t e = Submit(handle, std::move(node), &run);
  if (e == cudaSuccess && run) run();
  return e;
}

// ---------------------------------------------------------------------------
// Memory. Caller holds Reg().mu. True when [p, p + n) lies in one device
// allocation.
bool InDeviceLocked(const void* p, size_t n) {
  const auto& dev = Reg().device;
  const auto a = reinterpret_cast<uintptr_t>(p);
  auto it = dev.upper_bound(a);
  if (it == dev.begin()) return false;
  --it;
  return a >= it->first && a - it->first <= it->second && n <= it->second - (a - it->first);
}

bool StartsInDeviceLocked(const void* p) {
  const auto& dev = Reg().device;
  const auto a = reinterpret_cast<uintptr_t>(p);
  auto it = dev.upper_bound(a);
  if (it == dev.begin()) return false;
  --it;
  return a - it->first < it->second;
}

cudaError_t CheckMemcpy(void* dst, const void* src, size_t count, cudaMemcpyKind kind) {
  if (kind < cudaMemcpyHostToHost || kind > cudaMemcpyDefault) return cudaErrorInvalidMemcpyDirection;
  if (count == 0) return cudaSuccess;
  if (dst == nullptr || src == nullptr) return cudaErrorInvalidValue;
  std::lock_guard lock(Reg().mu);
  const bool dst_device = kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice ||
                          (kind == cudaMemcpyDefault && StartsInDeviceLocked(dst));
  const bool src_device = kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyDeviceToDevice ||
                          (kind == cudaMemcpyDefault && StartsInDeviceLocked(src));
  if (dst_device && !InDeviceLocked(dst, count)) return cudaErrorInvalidValue;
  if (src_device && !InDeviceLocked(src, count)) return cudaErrorInvalidValue;
  return cudaSuccess;
}

cudaError_t CheckMemset(void* ptr, size_t count) {
  if (count == 0) return cudaSuccess;
  std::lock_guard lock(Reg().mu);
  return InDeviceLocked(ptr, count) ? cudaSuccess : cudaErrorInvalidValue;
}

// ---------------------------------------------------------------------------
// Launch configuration, checked as CUDA checks it before a launch.
cudaError_t CheckLaunch(const void* kernel_id, dim3 grid, dim3 block, size_t smem) {
  if (grid.x == 0 || grid.y == 0 || grid.z == 0 || block.x == 0 || block.y == 0 || block.z == 0) {
    return cudaErrorInvalidConfiguration;
  }
  if (block.x > 1024 || block.y > 1024 || block.z > 64 || uint64_t{block.x} * block.y * block.z > 1024) {
    return cudaErrorInvalidConfiguration;
  }
  if (grid.x > 2147483647u || grid.y > 65535 || grid.z > 65535) return cudaErrorInvalidConfiguration;
  size_t limit = kDefaultDynamicSharedBytes;
  {
    std::lock_guard lock(Reg().mu);
    auto it = Reg().max_dynamic_shared.find(kernel_id);
    if (it != Reg().max_dynamic_shared.end()) limit = static_cast<size_t>(it->second);
  }
  if (smem > limit) return cudaErrorInvalidValue;
  return cudaSuccess;
}

size_t PhysicalMemoryBytes() {
  struct sysinfo info {};
  if (sysinfo(&info) != 0) return size_t{1} << 34;
  return static_cast<size_t>(info.totalram) * info.mem_unit;
}

struct ErrorText {
  cudaError_t code;
  const char* name;
  const char* text;
};

constexpr ErrorText kErrors[] = {
    {cudaSuccess, "cudaSuccess", "no error"},
    {cudaErrorInvalidValue, "cudaErrorInvalidValue", "invalid argument"},
    {cudaErrorMemoryAllocation, "cudaErrorMemoryAllocation", "out of memory"},
    {cudaErrorInitializationError, "cudaErrorInitializationError", "initialization error"},
    {cudaErrorInvalidConfiguration, "cudaErrorInvalidConfiguration", "invalid configuration argument"},
    {cudaErrorInvalidDevicePointer, "cudaErrorInvalidDevicePointer", "invalid device pointer"},
    {cudaErrorInvalidMemcpyDirection, "cudaErrorInvalidMemcpyDirection", "invalid copy direction for memcpy"},
    {cudaErrorInvalidDeviceFunction, "cudaErrorInvalidDeviceFunction", "invalid device function"},
    {cudaErrorNoDevice, "cudaErrorNoDevice", "no CUDA-capable device is detected"},
    {cudaErrorInvalidDevice, "cudaErrorInvalidDevice", "invalid device ordinal"},
    {cudaErrorInvalidResourceHandle, "cudaErrorInvalidResourceHandle", "invalid resource handle"},
    {cudaErrorIllegalState, "cudaErrorIllegalState", "the operation cannot be performed in the present state"},
    {cudaErrorNotReady, "cudaErrorNotReady", "device not ready"},
    {cudaErrorLaunchOutOfResources, "cudaErrorLaunchOutOfResources", "too many resources requested for launch"},
    {cudaErrorLaunchFailure, "cudaErrorLaunchFailure", "unspecified launch failure"},
    {cudaErrorNotSupported, "cudaErrorNotSupported", "operation not supported"},
    {cudaErrorStreamCaptureUnsupported, "cudaErrorStreamCaptureUnsupported",
     "operation not permitted when stream is capturing"},
    {cudaErrorStreamCaptureInvalidated, "cudaErrorStreamCaptureInvalidated",
     "operation failed due to a previous error during capture"},
    {cudaErrorStreamCaptureMerge, "cudaErrorStreamCaptureMerge", "operation would result in a merge of separate capture sequences"},
    {cudaErrorStreamCaptureUnmatched, "cudaErrorStreamCaptureUnmatched", "capture was not ended in the same stream as it began"},
    {cudaErrorStreamCaptureUnjoined, "cudaErrorStreamCaptureUnjoined", "capturing stream has unjoined work"},
    {cudaErrorStreamCaptureIsolation, "cudaErrorStreamCaptureIsolation",
     "dependency created on uncaptured work in another stream"},
    {cudaErrorStreamCaptureImplicit, "cudaErrorStreamCaptureImplicit",
     "operation would make the legacy stream depend on a capturing blocking stream"},
    {cudaErrorCapturedEvent, "cudaErrorCapturedEvent", "operation not permitted on an event last recorded in a capturing stream"},
    {cudaErrorStreamCaptureWrongThread, "cudaErrorStreamCaptureWrongThread",
     "attempt to terminate a thread-local capture sequence from another thread"},
    {cudaErrorUnknown, "cudaErrorUnknown", "unknown error"},
};

const ErrorText* FindError(cudaError_t e) {
  for (const ErrorText& t : kErrors) {
    if (t.code == e) return &t;
  }
  return nullptr;
}

}  // namespace

// ---------------------------------------------------------------------------
namespace detail {

void Launch(std::shared_ptr<const KernelBody> body, const void* kernel_id, const char* kernel_name, dim3 grid,
            dim3 block, size_t dynamic_shared_bytes, cudaStream_t stream) {
  if (cudaError_t e = CheckLaunch(kernel_id, grid, block, dynamic_shared_bytes); e != cudaSuccess) {
    // A failed launch into a capture also spoils the capture.
    std::lock_guard lock(Reg().mu);
    if (Stream* s = Resolve(stream); s != nullptr && s->capture) s->capture->invalidated = true;
    Record(e);
    return;
  }
  GridLaunch launch{std::move(body), kernel_name, grid, block, dynamic_shared_bytes};
  Record(SubmitAndRun(stream, [launch = std::move(launch)] { RunGrid(launch); }));
}

}  // namespace detail

namespace api {

cudaError_t GetDeviceCount(int* count) {
  if (count == nullptr) return Record(cudaErrorInvalidValue);
  *count = 1;
  return cudaSuccess;
}

cudaError_t SetDevice(int device) { return device == 0 ? cudaSuccess : Record(cudaErrorInvalidDevice); }

cudaError_t GetDevice(int* device) {
  if (device == nullptr) return Record(cudaErrorInvalidValue);
  *device = 0;
  return cudaSuccess;
}

cudaError_t GetDeviceProperties(cudaDeviceProp* prop, int device) {
  if (prop == nullptr) return Record(cudaErrorInvalidValue);
  if (device != 0) return Record(cudaErrorInvalidDevice);
  *prop = cudaDeviceProp{};
  std::snprintf(prop->name, sizeof prop->name, "%s", "attestd SIMT emulator");
  prop->totalGlobalMem = PhysicalMemoryBytes();
  prop->sharedMemPerBlock = kDefaultDynamicSharedBytes;
  prop->regsPerBlock = 65536;
  prop->warpSize = 32;
  prop->memPitch = 2147483647;
  prop->maxThreadsPerBlock = 1024;
  prop->maxThreadsDim[0] = 1024;
  prop->maxThreadsDim[1] = 1024;
  prop->maxThreadsDim[2] = 64;
  prop->maxGridSize[0] = 2147483647;
  prop->maxGridSize[1] = 65535;
  prop->maxGridSize[2] = 65535;
  prop->totalConstMem = 65536;
  // Compute capability of the CI's GPU code (sm_90); one "multiprocessor"
  // per host thread that runs blocks.
  prop->major = 9;
  prop->minor = 0;
  prop->multiProcessorCount = WorkerThreads();
  prop->l2CacheSize = 50 * 1024 * 1024;
  prop->maxThreadsPerMultiProcessor = 2048;
  prop->sharedMemPerMultiprocessor = 228 * 1024;
  prop->regsPerMultiprocessor = 65536;
  prop->sharedMemPerBlockOptin = kMaxDynamicSharedBytesOptin;
  prop->memoryBusWidth = 5120;
  return cudaSuccess;
}

cudaError_t MemGetInfo(size_t* free_bytes, size_t* total_bytes) {
  if (free_bytes == nullptr || total_bytes == nullptr) return Record(cudaErrorInvalidValue);
  const size_t total = PhysicalMemoryBytes();
  std::lock_guard lock(Reg().mu);
  *total_bytes = total;
  *free_bytes = Reg().device_bytes < total ? total - Reg().device_bytes : 0;
  return cudaSuccess;
}

cudaError_t Malloc(void** ptr, size_t size) {
  if (ptr == nullptr) return Record(cudaErrorInvalidValue);
  {
    std::lock_guard lock(Reg().mu);
    if (cudaError_t e = CheckUnsafeCallLocked(); e != cudaSuccess) return Record(e);
  }
  if (size == 0) {
    *ptr = nullptr;
    return cudaSuccess;
  }
  // Exactly `size` bytes, so AddressSanitizer reports the first byte past
  // the end; 0xFF so that never-written memory reads as NaN / -1.
  void* p = std::malloc(size);
  if (p == nullptr) return Record(cudaErrorMemoryAllocation);
  std::memset(p, 0xFF, size);
  std::lock_guard lock(Reg().mu);
  Reg().device.emplace(reinterpret_cast<uintptr_t>(p), size);
  Reg().device_bytes += size;
  *ptr = p;
  return cudaSuccess;
}

cudaError_t Free(void* ptr) {
  {
    std::lock_guard lock(Reg().mu);
    if (cudaError_t e = CheckUnsafeCallLocked(); e != cudaSuccess) return Record(e);
    if (ptr == nullptr) return cudaSuccess;
    auto it = Reg().device.find(reinterpret_cast<uintptr_t>(ptr));
    if (it == Reg().device.end()) return Record(cudaErrorInvalidValue);
    Reg().device_bytes -= it->second;
    Reg().device.erase(it);
  }
  std::free(ptr);
  return cudaSuccess;
}

cudaError_t HostAlloc(void** ptr, size_t size, unsigned int /*flags*/) {
  if (ptr == nullptr) return Record(cudaErrorInvalidValue);
  std::lock_guard lock(Reg().mu);
  if (cudaError_t e = CheckUnsafeCallLocked(); e != cudaSuccess) return Record(e);
  if (size == 0) {
    *ptr = nullptr;
    return cudaSuccess;
  }
  void* p = std::malloc(size);
  if (p == nullptr) return Record(cudaErrorMemoryAllocation);
  Reg().host.insert(p);
  *ptr = p;
  return cudaSuccess;
}

cudaError_t FreeHost(void* ptr) {
  {
    std::lock_guard lock(Reg().mu);
    if (cudaError_t e = CheckUnsafeCallLocked(); e != cudaSuccess) return Record(e);
    if (ptr == nullptr) return cudaSuccess;
    if (Reg().host.erase(ptr) == 0) return Record(cudaErrorInvalidValue);
  }
  std::free(ptr);
  return cudaSuccess;
}

cudaError_t Memcpy(void* dst, const void* src, size_t count, cudaMemcpyKind kind) {
  if (cudaError_t e = CheckMemcpy(dst, src, count, kind); e != cudaSuccess) return Record(e);
  {
    std::lock_guard lock(Reg().mu);
    if (cudaError_t e = CheckLegacyStreamLocked(); e != cudaSuccess) return Record(e);
    if (cudaError_t e = CheckUnsafeCallLocked(); e != cudaSuccess) return Record(e);
  }
  if (count != 0) std::memcpy(dst, src, count);
  return cudaSuccess;
}

cudaError_t MemcpyAsync(void* dst, const void* src, size_t count, cudaMemcpyKind kind, cudaStream_t stream) {
  if (cudaError_t e = CheckMemcpy(dst, src, count, kind); e != cudaSuccess) return Record(e);
  if (count == 0) return cudaSuccess;
  return Record(SubmitAndRun(stream, [dst, src, count] { std::memcpy(dst, src, count); }));
}

cudaError_t Memset(void* ptr, int value, size_t count) {
  if (cudaError_t e = CheckMemset(ptr, count); e != cudaSuccess) return Record(e);
  {
    std::lock_guard lock(Reg().mu);
    if (cudaError_t e = CheckLegacyStreamLocked(); e != cudaSuccess) return Record(e);
    if (cudaError_t e = CheckUnsafeCallLocked(); e != cudaSuccess) return Record(e);
  }
  if (count != 0) std::memset(ptr, value, count);
  return cudaSuccess;
}

cudaError_t MemsetAsync(void* ptr, int value, size_t count, cudaStream_t stream) {
  if (cudaError_t e = CheckMemset(ptr, count); e != cudaSuccess) return Record(e);
  if (count == 0) return cudaSuccess;
  return Record(SubmitAndRun(stream, [ptr, value, count] { std::memset(ptr, value, count); }));
}

cudaError_t StreamCreateWithFlags(cudaStream_t* stream, unsigned int flags) {
  if (stream == nullptr || (flags & ~unsigned{cudaStreamNonBlocking}) != 0) return Record(cudaErrorInvalidValue);
  auto* s = new Stream;
  s->flags = flags;
  std::lock_guard lock(Reg().mu);
  Reg().streams.insert(s);
  *stream = reinterpret_cast<cudaStream_t>(s);
  return cudaSuccess;
}

cudaError_t StreamDestroy(cudaStream_t stream) {
  std::lock_guard lock(Reg().mu);
  if (stream == nullptr || stream == cudaStreamLegacy || stream == cudaStreamPerThread) {
    return Record(cudaErrorInvalidResourceHandle);
  }
  Stream* s = Resolve(stream);
  if (s == nullptr) return Record(cudaErrorInvalidResourceHandle);
  if (s->capture) EndCaptureLocked(s);
  Reg().streams.erase(s);
  delete s;
  return cudaSuccess;
}

cudaError_t StreamSynchronize(cudaStream_t stream) {
  std::lock_guard lock(Reg().mu);
  Stream* s = Resolve(stream);
  if (s == nullptr) return Record(cudaErrorInvalidResourceHandle);
  if (s->capture) {
    s->capture->invalidated = true;
    return Record(cudaErrorStreamCaptureUnsupported);
  }
  if (s->legacy) return Record(CheckLegacyStreamLocked());
  return cudaSuccess;
}

cudaError_t StreamQuery(cudaStream_t stream) {
  std::lock_guard lock(Reg().mu);
  Stream* s = Resolve(stream);
  if (s == nullptr) return Record(cudaErrorInvalidResourceHandle);
  if (s->capture) {
    s->capture->invalidated = true;
    return Record(cudaErrorStreamCaptureUnsupported);
  }
  return cudaSuccess;
}

cudaError_t StreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int flags) {
  std::lock_guard lock(Reg().mu);
  Stream* s = Resolve(stream);
  auto* e = reinterpret_cast<Event*>(event);
  if (s == nullptr || e == nullptr || Reg().events.count(e) == 0) return Record(cudaErrorInvalidResourceHandle);
  if (flags != 0) return Record(cudaErrorInvalidValue);
  // Work on every stream has finished when it was issued, so there is
  // nothing to wait for, except across a capture: joining captures of
  // several streams through events is not emulated.
  const bool same_capture = s->capture && e->recorded_in == s->capture.get();
  if ((s->capture && !same_capture) || (!s->capture && ActiveCaptureLocked(e->recorded_in))) {
    return Record(cudaErrorNotSupported);
  }
  return cudaSuccess;
}

cudaError_t DeviceSynchronize() {
  std::lock_guard lock(Reg().mu);
  const auto me = std::this_thread::get_id();
  for (Stream* s : Reg().capturing) {
    if (s->capture->owner == me) {
      s->capture->invalidated = true;
      return Record(cudaErrorStreamCaptureUnsupported);
    }
  }
  return Record(CheckUnsafeCallLocked());
}

cudaError_t StreamBeginCapture(cudaStream_t stream, cudaStreamCaptureMode mode) {
  if (mode != cudaStreamCaptureModeGlobal && mode != cudaStreamCaptureModeThreadLocal &&
      mode != cudaStreamCaptureModeRelaxed) {
    return Record(cudaErrorInvalidValue);
  }
  std::lock_guard lock(Reg().mu);
  Stream* s = Resolve(stream);
  if (s == nullptr) return Record(cudaErrorInvalidResourceHandle);
  if (s->legacy) return Record(cudaErrorStreamCaptureUnsupported);
  if (s->capture) return Record(cudaErrorIllegalState);
  s->capture = std::make_unique<Capture>();
  s->capture->mode = mode;
  s->capture->owner = std::this_thread::get_id();
  Reg().capturing.push_back(s);
  return cudaSuccess;
}

cudaError_t StreamEndCapture(cudaStream_t stream, cudaGraph_t* graph) {
  if (graph == nullptr) return Record(cudaErrorInvalidValue);
  std::lock_guard lock(Reg().mu);
  Stream* s = Resolve(stream);
  if (s == nullptr) return Record(cudaErrorInvalidResourceHandle);
  if (!s->capture) return Record(cudaErrorIllegalState);
  if (s->capture->mode != cudaStreamCaptureModeRelaxed && s->capture->owner != std::this_thread::get_id()) {
    return Record(cudaErrorStreamCaptureWrongThread);
  }
  std::unique_ptr<Capture> capture = std::move(s->capture);
  EndCaptureLocked(s);
  if (capture->invalidated) {
    *graph = nullptr;
    return Record(cudaErrorStreamCaptureInvalidated);
  }
  auto* g = new Graph{std::move(capture->nodes)};
  Reg().graphs.insert(g);
  *graph = reinterpret_cast<cudaGraph_t>(g);
  return cudaSuccess;
}

cudaError_t StreamIsCapturing(cudaStream_t stream, cudaStreamCaptureStatus* status) {
  if (status == nullptr) return Record(cudaErrorInvalidValue);
  std::lock_guard lock(Reg().mu);
  Stream* s = Resolve(stream);
  if (s == nullptr) return Record(cudaErrorInvalidResourceHandle);
  if (!s->capture) {
    *status = cudaStreamCaptureStatusNone;
  } else {
    *status = s->capture->invalidated ? cudaStreamCaptureStatusInvalidated : cudaStreamCaptureStatusActive;
  }
  return cudaSuccess;
}

cudaError_t GraphInstantiate(cudaGraphExec_t* exec, cudaGraph_t graph, unsigned long long /*flags*/) {
  if (exec == nullptr) return Record(cudaErrorInvalidValue);
  std::lock_guard lock(Reg().mu);
  auto* g = reinterpret_cast<Graph*>(graph);
  if (g == nullptr || Reg().graphs.count(g) == 0) return Record(cudaErrorInvalidValue);
  // An executable graph is a snapshot: later changes to the graph (or its
  // destruction) do not affect it.
  auto* e = new Graph{g->nodes};
  Reg().execs.insert(e);
  *exec = reinterpret_cast<cudaGraphExec_t>(e);
  return cudaSuccess;
}

cudaError_t GraphLaunch(cudaGraphExec_t exec, cudaStream_t stream) {
  std::vector<Node> nodes;
  {
    std::lock_guard lock(Reg().mu);
    auto* e = reinterpret_cast<Graph*>(exec);
    if (e == nullptr || Reg().execs.count(e) == 0) return Record(cudaErrorInvalidValue);
    nodes = e->nodes;
  }
  return Record(SubmitAndRun(stream, [nodes = std::move(nodes)] {
    for (const Node& n : nodes) n();
  }));
}

cudaError_t GraphExecDestroy(cudaGraphExec_t exec) {
  std::lock_guard lock(Reg().mu);
  auto* e = reinterpret_cast<Graph*>(exec);
  if (e == nullptr || Reg().execs.erase(e) == 0) return Record(cudaErrorInvalidValue);
  delete e;
  return cudaSuccess;
}

cudaError_t GraphDestroy(cudaGraph_t graph) {
  std::lock_guard lock(Reg().mu);
  auto* g = reinterpret_cast<Graph*>(graph);
  if (g == nullptr || Reg().graphs.erase(g) == 0) return Record(cudaErrorInvalidValue);
  delete g;
  return cudaSuccess;
}

cudaError_t RecordError(cudaError_t error) { return Record(error); }

cudaError_t GetLastError() {
  const cudaError_t e = t_last_error;
  t_last_error = cudaSuccess;
  return e;
}

cudaError_t PeekAtLastError() { return t_last_error; }

const char* GetErrorString(cudaError_t error) {
  const ErrorText* t = FindError(error);
  return t != nullptr ? t->text : "unrecognized error code";
}

const char* GetErrorName(cudaError_t error) {
  const ErrorText* t = FindError(error);
  return t != nullptr ? t->name : "cudaErrorUnknown";
}

cudaError_t FuncSetAttribute(const void* func, cudaFuncAttribute attr, int value) {
  if (func == nullptr) return Record(cudaErrorInvalidDeviceFunction);
  switch (attr) {
    case cudaFuncAttributeMaxDynamicSharedMemorySize: {
      if (value < 0 || value > kMaxDynamicSharedBytesOptin) return Record(cudaErrorInvalidValue);
      std::lock_guard lock(Reg().mu);
      Reg().max_dynamic_shared[func] = value;
      return cudaSuccess;
    }
    case cudaFuncAttributePreferredSharedMemoryCarveout:
      return value >= -1 && value <= 100 ? cudaSuccess : Record(cudaErrorInvalidValue);
  }
  return Record(cudaErrorInvalidValue);
}

cudaError_t EventCreateWithFlags(cudaEvent_t* event, unsigned int flags) {
  if (event == nullptr || (flags & ~unsigned{cudaEventBlockingSync | cudaEventDisableTiming}) != 0) {
    return Record(cudaErrorInvalidValue);
  }
  auto* e = new Event;
  e->flags = flags;
  std::lock_guard lock(Reg().mu);
  Reg().events.insert(e);
  *event = reinterpret_cast<cudaEvent_t>(e);
  return cudaSuccess;
}

namespace {
Event* LiveEvent(cudaEvent_t event) {
  std::lock_guard lock(Reg().mu);
  auto* e = reinterpret_cast<Event*>(event);
  return e != nullptr && Reg().events.count(e) != 0 ? e : nullptr;
}

// CUDA refuses to wait for or time an event whose last record is part of a
// capture still in progress.
cudaError_t CheckNotCaptured(const Event* e) {
  std::lock_guard lock(Reg().mu);
  return ActiveCaptureLocked(e->recorded_in) ? cudaErrorCapturedEvent : cudaSuccess;
}

void Stamp(Event* e) {
  std::lock_guard lock(e->mu);
  e->recorded = true;
  e->time = Clock::now();
}
}  // namespace

cudaError_t EventRecord(cudaEvent_t event, cudaStream_t stream) {
  Event* e = LiveEvent(event);
  if (e == nullptr) return Record(cudaErrorInvalidResourceHandle);
  {
    std::lock_guard lock(Reg().mu);
    Stream* s = Resolve(stream);
    e->recorded_in = s != nullptr && s->capture ? s->capture.get() : nullptr;
  }
  // Everything issued before on the stream has finished, so "now" is when
  // the event completes.
  return Record(SubmitAndRun(stream, [e] { Stamp(e); }));
}

cudaError_t EventQuery(cudaEvent_t event) {
  Event* e = LiveEvent(event);
  if (e == nullptr) return Record(cudaErrorInvalidResourceHandle);
  return Record(CheckNotCaptured(e));
}

cudaError_t EventSynchronize(cudaEvent_t event) {
  Event* e = LiveEvent(event);
  if (e == nullptr) return Record(cudaErrorInvalidResourceHandle);
  return Record(CheckNotCaptured(e));
}

cudaError_t EventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
  if (ms == nullptr) return Record(cudaErrorInvalidValue);
  Event* a = LiveEvent(start);
  Event* b = LiveEvent(end);
  if (a == nullptr || b == nullptr) return Record(cudaErrorInvalidResourceHandle);
  if (((a->flags | b->flags) & cudaEventDisableTiming) != 0) return Record(cudaErrorInvalidResourceHandle);
  if (cudaError_t err = CheckNotCaptured(a); err != cudaSuccess) return Record(err);
  if (cudaError_t err = CheckNotCaptured(b); err != cudaSuccess) return Record(err);
  const auto recorded_time = [](Event* e, Clock::time_point* t) {
    std::lock_guard lock(e->mu);
    *t = e->time;
    return e->recorded;
  };
  Clock::time_point ta, tb;
  if (!recorded_time(a, &ta) || !recorded_time(b, &tb)) return Record(cudaErrorInvalidResourceHandle);
  *ms = std::chrono::duration<float, std::milli>(tb - ta).count();
  return cudaSuccess;
}

cudaError_t EventDestroy(cudaEvent_t event) {
  auto* e = reinterpret_cast<Event*>(event);
  {
    std::lock_guard lock(Reg().mu);
    if (e == nullptr || Reg().events.erase(e) == 0) return Record(cudaErrorInvalidResourceHandle);
  }
  delete e;
  return cudaSuccess;
}

}  // namespace api
}  // namespace attestd::simt
