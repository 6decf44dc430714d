#include "bench/read_bandwidth.h"

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace attestd::bench {
namespace {

// Four independent OR chains, so the loads (not a dependency chain) bound
// the loop; the result is returned so the compiler cannot drop the reads.
__attribute__((target("avx512f"))) uint64_t ReadAvx512(const std::byte* p, size_t bytes) {
  __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
  for (size_t i = 0; i + 256 <= bytes; i += 256) {
    a0 = _mm512_or_si512(a0, _mm512_load_si512(p + i));
    a1 = _mm512_or_si512(a1, _mm512_load_si512(p + i + 64));
    a2 = _mm512_or_si512(a2, _mm512_load_si512(p + i + 128));
    a3 = _mm512_or_si512(a3, _mm512_load_si512(p + i + 192));
  }
  alignas(64) uint64_t lanes[8];
  _mm512_store_si512(lanes, _mm512_or_si512(_mm512_or_si512(a0, a1), _mm512_or_si512(a2, a3)));
  uint64_t all = 0;
  for (uint64_t l : lanes) all |= l;
  return all;
}

__attribute__((target("avx2"))) uint64_t ReadAvx2(const std::byte* p, size_t bytes) {
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
  for (size_t i = 0; i + 128 <= bytes; i += 128) {
    a0 = _mm256_or_si256(a0, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i)));
    a1 = _mm256_or_si256(a1, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 32)));
    a2 = _mm256_or_si256(a2, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 64)));
    a3 = _mm256_or_si256(a3, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 96)));
  }
  alignas(32) uint64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes),
                     _mm256_or_si256(_mm256_or_si256(a0, a1), _mm256_or_si256(a2, a3)));
  return lanes[0] | lanes[1] | lanes[2] | lanes[3];
}

uint64_t ReadScalar(const std::byte* p, size_t bytes) {
  uint64_t a0 = 0, a1 = 0;
  for (size_t i = 0; i + 16 <= bytes; i += 16) {
    uint64_t w0, w1;
    std::memcpy(&w0, p + i, 8);
    std::memcpy(&w1, p + i + 8, 8);
    a0 |= w0;
    a1 |= w1;
  }
  return a0 | a1;
}

uint64_t ReadSlice(const std::byte* p, size_t bytes) {
  if (__builtin_cpu_supports("avx512f")) return ReadAvx512(p, bytes);
  if (__builtin_cpu_supports("avx2")) return ReadAvx2(p, bytes);
  return ReadScalar(p, bytes);
}

// One pass: every thread reads its slice (slices are multiples of 4 KiB so
// every vector load is aligned and no byte is read twice). Returns seconds.
double TimedPass(const std::byte* buf, size_t bytes, int threads, std::atomic<uint64_t>& sink) {
  const size_t slice = bytes / static_cast<size_t>(threads) / 4096 * 4096;
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  auto body = [&](int t) {
    ready.fetch_add(1);
    while (!go.load(std::memory_order_acquire)) {
    }
    sink.fetch_or(ReadSlice(buf + static_cast<size_t>(t) * slice, slice));
  };
  std::vector<std::thread> helpers;
  for (int t = 1; t < threads; ++t) helpers.emplace_back(body, t);
  while (ready.load() != threads - 1) {
  }
  const auto start = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  body(0);
  for (auto& h : helpers) h.join();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

double MeasureReadBandwidth(size_t buffer_bytes, int threads, int repetitions) {
  if (threads < 1 || repetitions < 1 || buffer_bytes < 4096 * static_cast<size_t>(threads)) return 0;
  const size_t bytes = buffer_bytes / 4096 * 4096;
  auto* buf = static_cast<std::byte*>(std::aligned_alloc(4096, bytes));
  if (buf == nullptr) return 0;
  // Non-zero contents, written once so every page is backed before timing.
  for (size_t i = 0; i < bytes; i += 8) {
    const uint64_t v = i * 0x9E3779B97F4A7C15ULL + 1;
    std::memcpy(buf + i, &v, 8);
  }
  std::atomic<uint64_t> sink{0};
  const size_t read_bytes = bytes / static_cast<size_t>(threads) / 4096 * 4096 * static_cast<size_t>(threads);
  double best = 0;
  (void)TimedPass(buf, bytes, threads, sink);  // warm the TLB and the threads' stacks
  for (int r = 0; r < repetitions; ++r) {
    const double s = TimedPass(buf, bytes, threads, sink);
    if (s > 0) best = std::max(best, static_cast<double>(read_bytes) / s);
  }
  std::free(buf);
  // The OR of non-zero words is non-zero; a zero would mean the reads were
  // optimised away or the buffer is wrong, so no figure is better than a bad one.
  return sink.load() != 0 ? best : 0;
}

}  // namespace attestd::bench
