#include "model/bpe.h"

#include <queue>

#include "absl/strings/str_format.h"
#include "model/byte_level.h"

namespace attestd::model {

absl::StatusOr<std::unique_ptr<BpeModel>> BpeModel::Create(
    const absl::flat_hash_map<std::string, uint32_t>& vocab,
    const std::vector<std::pair<std::string, std::string>>& merges, bool ignore_merges) {
  std::unique_ptr<BpeModel> model(new BpeModel());
  for (int b = 0; b < 256; ++b) {
    const std::string_view ch = ByteLevelChar(static_cast<uint8_t>(b));
    auto it = vocab.find(absl::string_view(ch.data(), ch.size()));
    if (it == vocab.end()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "model.vocab: byte 0x%02X (byte-level token \"%s\") is missing; a byte-level BPE without "
          "byte_fallback needs all 256 byte tokens",
          b, ch));
    }
    model->byte_ids_[static_cast<size_t>(b)] = it->second;
  }
  model->merges_.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [left, right] = merges[rank];
    auto l = vocab.find(left);
    auto r = vocab.find(right);
    auto m = vocab.find(left + right);
    if (l == vocab.end() || r == vocab.end() || m == vocab.end()) {
      const std::string& missing = l == vocab.end() ? left : r == vocab.end() ? right : left + right;
      return absl::InvalidArgumentError(
          absl::StrFormat("model.merges[%d] (\"%s\" \"%s\"): token \"%s\" is not in model.vocab", rank, left,
                          right, missing));
    }
    // A repeated pair keeps its first (lowest) rank, as in `tokenizers`.
    model->merges_.try_emplace(PairKey(l->second, r->second), Merge{static_cast<uint32_t>(rank), m->second});
  }
  if (ignore_merges) {
    model->whole_words_storage_ = vocab;
    model->whole_words_ = &model->whole_words_storage_;
  }
  return model;
}

void BpeModel::EncodeWord(std::string_view word, std::vector<uint32_t>& out) const {
  if (word.empty()) return;
  if (whole_words_ != nullptr) {
    std::string byte_level;
    AppendByteLevel(word, byte_level);
    auto it = whole_words_->find(byte_level);
    if (it != whole_words_->end()) {
      out.push_back(it->second);
      return;
    }
  }
  if (word.size() == 1) {
    out.push_back(byte_ids_[static_cast<uint8_t>(word[0])]);
    return;
  }
  const bool cacheable = word.size() <= kMaxCachedWordBytes;
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = cache_.find(absl::string_view(word.data(), word.size()));
    if (it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  const size_t first = out.size();
  MergeWord(word, out);
  if (cacheable) {
    std::vector<uint32_t> ids(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
    std::lock_guard<std::mutex> lock(cache_mu_);
    // A full cache is dropped whole: simple, bounded, and still effective for
    // the repetitive words of real text.
    if (cache_.size() >= kCacheCapacity) cache_.clear();
    cache_.try_emplace(std::string(word), std::move(ids));
  }
}

void BpeModel::MergeWord(std::string_view word, std::vector<uint32_t>& out) const {
  // Symbols form a doubly linked list over positions; a merged-away symbol
  // is marked dead. Heap entries are validated lazily when popped.
  struct Symbol {
    uint32_t id;
    int32_t prev;
    int32_t next;
    bool alive;
  };
  struct Candidate {
    uint32_t rank;
    int32_t pos;
    uint32_t left_id;
    uint32_t right_id;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  const auto n = static_cast<int32_t>(word.size());
  std::vector<Symbol> symbols(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) {
    symbols[static_cast<size_t>(i)] =
        Symbol{byte_ids_[static_cast<uint8_t>(word[static_cast<size_t>(i)])], i - 1, i + 1 < n ? i + 1 : -1, true};
  }
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> heap;
  auto push_pair = [&](int32_t pos) {
    if (pos < 0) return;
    const Symbol& s = symbols[static_cast<size_t>(pos)];
    if (s.next < 0) return;
    const uint32_t right = symbols[static_cast<size_t>(s.next)].id;
    auto it = merges_.find(PairKey(s.id, right));
    if (it != merges_.end()) heap.push(Candidate{it->second.rank, pos, s.id, right});
  };
  for (int32_t i = 0; i + 1 < n; ++i) push_pair(i);
  while (!heap.empty()) {
    const Candidate c = heap.top();
    heap.pop();
    Symbol& left = symbols[static_cast<size_t>(c.pos)];
    if (!left.alive || left.next < 0 || left.id != c.left_id) continue;
    Symbol& right = symbols[static_cast<size_t>(left.next)];
    if (right.id != c.right_id) continue;
    left.id = merges_.find(PairKey(c.left_id, c.right_id))->second.new_id;
    right.alive = false;
    left.next = right.next;
    if (right.next >= 0) symbols[static_cast<size_t>(right.next)].prev = c.pos;
    push_pair(left.prev);
    push_pair(c.pos);
  }
  for (int32_t i = 0; i >= 0; i = symbols[static_cast<size_t>(i)].next) out.push_back(symbols[static_cast<size_t>(i)].id);
}

}  // namespace attestd::model
