// One forward pass of the transformer over a batch of sequences, whatever
// runs it: the CPU (model/transformer.h) or a GPU (model/gpu_transformer.h).
// BatchRunner (model/batch_runner.h) drives either through this interface,
// so batching, prefill chunking, sampling, stop rules and cancellation are
// one code path for every backend. Both backends give bit-identical logits
// (docs/determinism.md).
//
// Thread safety: a ForwardPass is driven by one thread at a time (the
// engine's step lock).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "base/status.h"
#include "model/kv_cache.h"

namespace attestd::model {

struct ForwardSegment {
  SequenceCache* cache = nullptr;        // the sequence; its length grows by ids.size()
  std::vector<int32_t> ids;              // new tokens, each < vocab_size (checked)
  std::vector<float>* logits = nullptr;  // if set: resized to vocab, logits of the last new token
  // If set: kernels::Argmax of those logits (the greedy token), which a GPU
  // computes on the device instead of copying the whole row back.
  int32_t* greedy = nullptr;
};

class ForwardPass {
 public:
  virtual ~ForwardPass() = default;

  // A cache for one sequence of up to `capacity` positions, usable only with
  // this ForwardPass. ResourceExhausted when the backend has no room.
  [[nodiscard]] virtual absl::StatusOr<std::unique_ptr<SequenceCache>> NewCache(int64_t capacity) = 0;

  // Runs every segment's new tokens through the model, appends them to its
  // cache and fills the logits asked for. InvalidArgument for an id out of
  // range, a cache without room, a cache shared by two segments or made by
  // another ForwardPass; then no cache is changed.
  [[nodiscard]] virtual absl::Status Forward(std::vector<ForwardSegment>& segments) = 0;
};

// The checks every backend makes before it touches a cache (the
// InvalidArgument cases of Forward, but for a foreign cache).
[[nodiscard]] absl::Status ValidateSegments(const std::vector<ForwardSegment>& segments, int64_t vocab_size);

}  // namespace attestd::model
