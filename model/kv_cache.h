// The per-sequence state of a forward pass: the keys (after RoPE) and values
// of every position seen so far, for every layer. SequenceCache is what the
// batch runner holds; each backend has its own storage (KvCache here on the
// host, DeviceKvCache in model/gpu_transformer.h on a GPU), created by its
// ForwardPass (model/forward_pass.h) and usable only with it.
//
// Ownership: owns its buffers. Thread safety: one sequence, one thread at a
// time (the forward pass writes it).
#pragma once

#include <cstdint>
#include <vector>

namespace attestd::model {

class SequenceCache {
 public:
  virtual ~SequenceCache() = default;
  SequenceCache(const SequenceCache&) = delete;
  SequenceCache& operator=(const SequenceCache&) = delete;

  int64_t length() const { return length_; }  // positions filled
  int64_t capacity() const { return capacity_; }
  // Called by the forward pass after it stored n more positions.
  void Advance(int64_t n) { length_ += n; }

 protected:
  explicit SequenceCache(int64_t capacity) : capacity_(capacity) {}

 private:
  int64_t capacity_;
  int64_t length_ = 0;
};

// Host storage: f32 [capacity, kv_heads, hd] per layer for keys and values.
class KvCache final : public SequenceCache {
 public:
  KvCache(int64_t layers, int64_t kv_dim, int64_t capacity)
      : SequenceCache(capacity), kv_dim_(kv_dim), k_(static_cast<size_t>(layers)), v_(static_cast<size_t>(layers)) {
    for (auto& b : k_) b.resize(static_cast<size_t>(capacity * kv_dim));
    for (auto& b : v_) b.resize(static_cast<size_t>(capacity * kv_dim));
  }

  float* keys(int64_t layer) { return k_[static_cast<size_t>(layer)].data(); }
  float* values(int64_t layer) { return v_[static_cast<size_t>(layer)].data(); }
  int64_t kv_dim() const { return kv_dim_; }

 private:
  int64_t kv_dim_;
  std::vector<std::vector<float>> k_, v_;
};

}  // namespace attestd::model
