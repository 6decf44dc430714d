// The BPE merge loop of a byte-level BPE model.
//
// A word (one pre-tokenizer piece, as raw bytes) starts as one symbol per
// byte (the id of that byte's byte-level character) and is merged pair by
// pair: always the pair with the lowest merge rank, the leftmost one among
// equals, until no adjacent pair has a merge. This is the order of Hugging
// Face `tokenizers` (a min-heap of (rank, position)), and of GPT-2's
// original loop for every merge list where a merged token's merges come
// after its own. With ignore_merges (Llama-3), a word that is itself in the
// vocabulary is emitted as that one id without merging.
//
// Ownership: owns its tables. Thread safety: EncodeWord is const and safe to
// call concurrently; the word cache is guarded by a mutex.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "base/status.h"

namespace attestd::model {

class BpeModel {
 public:
  // `vocab` maps byte-level token strings to ids; `merges` are pairs of
  // byte-level token strings in rank order (rank = index). InvalidArgument
  // if a byte of the 256-byte alphabet has no token (byte-level BPE without
  // byte fallback could not encode it), if a merge names a token that is
  // not in the vocabulary, or if its concatenation is not.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<BpeModel>> Create(
      const absl::flat_hash_map<std::string, uint32_t>& vocab,
      const std::vector<std::pair<std::string, std::string>>& merges, bool ignore_merges);

  BpeModel(const BpeModel&) = delete;
  BpeModel& operator=(const BpeModel&) = delete;

  // Appends the ids of `word` (raw bytes, any content) to `out`.
  void EncodeWord(std::string_view word, std::vector<uint32_t>& out) const;

  size_t merge_count() const { return merges_.size(); }

 private:
  struct Merge {
    uint32_t rank;
    uint32_t new_id;
  };
  BpeModel() = default;
  void MergeWord(std::string_view word, std::vector<uint32_t>& out) const;
  static uint64_t PairKey(uint32_t left, uint32_t right) { return (uint64_t{left} << 32) | right; }

  std::array<uint32_t, 256> byte_ids_{};
  absl::flat_hash_map<uint64_t, Merge> merges_;
  // Only with ignore_merges: byte-level word -> id for whole-word hits.
  const absl::flat_hash_map<std::string, uint32_t>* whole_words_ = nullptr;
  absl::flat_hash_map<std::string, uint32_t> whole_words_storage_;

  static constexpr size_t kCacheCapacity = 1 << 16;   // words
  static constexpr size_t kMaxCachedWordBytes = 256;  // longer words are rare
  // A std::mutex, not absl::Mutex: Debian's abseil is not built with
  // ThreadSanitizer, which then cannot see absl::Mutex ordering the cache.
  mutable std::mutex cache_mu_;
  mutable absl::flat_hash_map<std::string, std::vector<uint32_t>> cache_;  // guarded by cache_mu_
};

}  // namespace attestd::model
