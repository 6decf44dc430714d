// The key/value cache of one sequence: for every layer, the rotated keys and
// the values of every position seen so far, f32, [capacity, kv_heads, hd].
//
// Ownership: owns its buffers. Thread safety: one sequence, one thread at a
// time (the transformer writes it during Forward).
#pragma once

#include <cstdint>
#include <vector>

namespace attestd::model {

class KvCache {
 public:
  KvCache(int64_t layers, int64_t kv_dim, int64_t capacity)
      : kv_dim_(kv_dim), capacity_(capacity),
        k_(static_cast<size_t>(layers)), v_(static_cast<size_t>(layers)) {
    for (auto& b : k_) b.resize(static_cast<size_t>(capacity * kv_dim));
    for (auto& b : v_) b.resize(static_cast<size_t>(capacity * kv_dim));
  }
  KvCache(const KvCache&) = delete;
  KvCache& operator=(const KvCache&) = delete;

  int64_t length() const { return length_; }      // positions filled
  int64_t capacity() const { return capacity_; }
  float* keys(int64_t layer) { return k_[static_cast<size_t>(layer)].data(); }
  float* values(int64_t layer) { return v_[static_cast<size_t>(layer)].data(); }
  int64_t kv_dim() const { return kv_dim_; }
  void Advance(int64_t n) { length_ += n; }

 private:
  int64_t kv_dim_;
  int64_t capacity_;
  int64_t length_ = 0;
  std::vector<std::vector<float>> k_, v_;
};

}  // namespace attestd::model
